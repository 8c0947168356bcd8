/* @mention autocompletion, an enhancement only (typing @login by hand works the same): in a
   post's text area, after "@" and a letter, members and groups matching what follows are
   offered in a list. Keyboard: arrow keys move, Enter or Tab choose, Escape closes; the text
   area keeps the focus and points at the active option (aria-activedescendant). */
(function () {
  "use strict";

  if (!window.fetch || !window.JSON) return;
  var script = document.currentScript;
  var texts = {
    one: (script && script.getAttribute("data-one")) || "{n} suggestion",
    many: (script && script.getAttribute("data-many")) || "{n} suggestions",
    group: (script && script.getAttribute("data-group")) || "group"
  };
  var TRIGGER = /(^|[^\w@.\/-])@([A-Za-z0-9][A-Za-z0-9.-]{0,63})$/;
  var counter = 0;

  function setUp(area) {
    var id = "mentions-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", script && script.getAttribute("data-label") || "@");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    area.parentNode.insertBefore(list, area.nextSibling);
    area.parentNode.insertBefore(status, list.nextSibling);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", id);
    // No aria-expanded nor aria-haspopup: a textarea (role textbox) may not carry them;
    // the live status line says how many suggestions are shown.

    var items = [];
    var active = -1;
    var timer = null;
    var asked = "";

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      area.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      items.forEach(function (item, i) {
        item.node.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) area.setAttribute("aria-activedescendant", items[index].node.id);
      else area.removeAttribute("aria-activedescendant");
    }

    function current() {
      var before = area.value.slice(0, area.selectionStart);
      var match = TRIGGER.exec(before);
      return match ? match[2] : null;
    }

    function choose(index) {
      var item = items[index];
      var prefix = current();
      if (!item || prefix === null) { close(); return; }
      var caret = area.selectionStart;
      var start = caret - prefix.length;
      var insert = item.name + " ";
      area.value = area.value.slice(0, start) + insert + area.value.slice(caret);
      area.selectionStart = area.selectionEnd = start + insert.length;
      close();
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function show(suggestions) {
      close();
      if (!suggestions.length) { status.textContent = ""; return; }
      suggestions.forEach(function (s, i) {
        var node = document.createElement("li");
        node.id = id + "-" + i;
        node.setAttribute("role", "option");
        node.setAttribute("aria-selected", "false");
        node.textContent = "@" + s.name + " — " + s.label + (s.kind === "group" ? " (" + texts.group + ")" : "");
        node.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(node);
        items.push({ node: node, name: s.name });
      });
      list.hidden = false;
      highlight(0);
      var n = suggestions.length;
      status.textContent = (n === 1 ? texts.one : texts.many).replace("{n}", String(n));
    }

    function ask() {
      var prefix = current();
      if (prefix === null) { close(); return; }
      if (prefix === asked && !list.hidden) return;
      asked = prefix;
      fetch("/mentions?q=" + encodeURIComponent(prefix), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) { if (current() === prefix) show(data.suggestions || []); })
        .catch(close);
    }

    area.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    area.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(active < 0 ? 0 : active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    area.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[name=body]"), setUp);
})();
