/* Live updates, an enhancement only (every page is complete without it, a reload shows what
   is new): the header's unread count follows the member's notifications, and an open topic
   page announces new replies with a "N nouvelles réponses — afficher" link. Events come from
   /live as server-sent events; the browser's EventSource reconnects by itself. */
(function () {
  "use strict";

  if (!window.EventSource || !window.JSON) return;
  var posts = document.querySelector("[data-live-topic]");
  var badge = document.querySelector("[data-live-count-badge]");
  if (!posts && !badge) return;

  var url = "/live" + (posts ? "?topic=" + encodeURIComponent(posts.getAttribute("data-live-topic")) : "");
  var source = new EventSource(url);
  var numbers = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || "fr") : null;

  function format(n) {
    return numbers ? numbers.format(n) : String(n);
  }

  if (badge) {
    var number = badge.querySelector("[data-live-count-number]");
    source.addEventListener("count", function (event) {
      var data = JSON.parse(event.data);
      if (typeof data.unread !== "number" || !number) return;
      number.textContent = format(data.unread);
      badge.classList.toggle("empty", data.unread === 0);
    });
  }

  if (posts) {
    var bar = document.querySelector("[data-live-bar]");
    var last = parseInt(posts.getAttribute("data-live-last") || "0", 10);
    var fresh = [];
    var seen = {};
    source.addEventListener("post", function (event) {
      var data = JSON.parse(event.data);
      if (!data.post_id || data.number <= last || seen[data.post_id]) return;
      if (document.getElementById("p" + data.post_id)) return;
      seen[data.post_id] = true;
      fresh.push(data);
      if (!bar) return;
      fresh.sort(function (a, b) { return a.number - b.number; });
      var template = posts.getAttribute(fresh.length === 1 ? "data-live-one" : "data-live-many") || "{n}";
      var link = document.createElement("a");
      link.href = "/p/" + fresh[0].post_id;
      link.textContent = template.replace("{n}", format(fresh.length));
      bar.textContent = "";
      bar.appendChild(link);
      bar.classList.add("shown");
    });
  }

  window.addEventListener("pagehide", function () { source.close(); });
})();
