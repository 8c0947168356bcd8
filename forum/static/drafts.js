/* Drafts, an enhancement only (the "Enregistrer le brouillon" button works without it):
   a form carrying data-draft-url is saved to the server about two seconds after typing
   stops, and when the page is hidden or left; the status is announced politely. */
(function () {
  "use strict";

  var DELAY = 2000;

  function setUp(form) {
    var url = form.getAttribute("data-draft-url");
    var key = form.getAttribute("data-draft-key");
    var status = form.querySelector(".draft-status");
    var token = form.querySelector("input[name=csrf_token]");
    if (!url || !key || !token || !window.fetch) return;
    var timer = null;
    var saved = snapshot();

    function field(name) {
      var input = form.elements.namedItem(name);
      return input && "value" in input ? input.value : "";
    }

    function snapshot() {
      return field("title") + "\u0000" + field("body");
    }

    function show(text) {
      if (status) status.textContent = text;
    }

    function save(leaving) {
      if (timer) { clearTimeout(timer); timer = null; }
      var current = snapshot();
      if (current === saved) return;
      var data = new URLSearchParams();
      data.set("csrf_token", token.value);
      data.set("key", key);
      data.set("title", field("title"));
      data.set("body", field("body"));
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        keepalive: leaving === true
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        saved = current;
        var now = new Date();
        var time = ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
        show((form.getAttribute("data-draft-saved") || "").replace("{time}", time));
      }).catch(function () {
        show(form.getAttribute("data-draft-failed") || "");
      });
    }

    form.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    });
    // Publishing or abandoning goes through the form itself: no autosave may race it.
    form.addEventListener("submit", function () {
      if (timer) { clearTimeout(timer); timer = null; }
      saved = snapshot();
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save(true);
    });
    window.addEventListener("pagehide", function () { save(true); });
  }

  var forms = document.querySelectorAll("form[data-draft-url]");
  for (var i = 0; i < forms.length; i++) setUp(forms[i]);
})();
