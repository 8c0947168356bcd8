/* Topic pages, an enhancement only (every page works without it):
   - "Citer" quotes the passage selected in that post instead of the whole post;
   - a /t/N#pID link whose post sits on another page goes through /p/ID, which finds it. */
(function () {
  "use strict";

  function postOf(node) {
    while (node && node.nodeType !== 1) node = node.parentNode;
    return node && node.closest ? node.closest("article.post[data-post-id]") : null;
  }

  function selectedIn(post) {
    var selection = window.getSelection();
    if (!post || !selection || selection.isCollapsed) return "";
    if (postOf(selection.anchorNode) !== post || postOf(selection.focusNode) !== post) return "";
    return selection.toString().trim();
  }

  function quoteLink(event) {
    var target = event.target;
    return target && target.closest ? target.closest("a.quote-link") : null;
  }

  // Pressing the link may clear the selection before the click: remember it first.
  var pending = "";
  document.addEventListener("pointerdown", function (event) {
    var link = quoteLink(event);
    pending = link ? selectedIn(postOf(link)) : "";
  }, true);

  document.addEventListener("click", function (event) {
    var link = quoteLink(event);
    if (!link) return;
    var post = postOf(link);
    var text = pending || selectedIn(post);
    pending = "";
    var form = document.getElementById("reply-form");
    var textarea = document.getElementById("f-body");
    if (!text || !form || !textarea) return; // nothing selected: the link quotes the whole post
    event.preventDefault();
    var lines = [post.getAttribute("data-attribution"), ""].concat(text.split(/\r?\n/));
    var quote = lines.map(function (line) {
      return ("> " + line).replace(/\s+$/, "");
    }).join("\n") + "\n\n";
    var before = textarea.value.replace(/\s+$/, "");
    textarea.value = (before ? before + "\n\n" : "") + quote;
    var replyTo = form.querySelector("input[name=reply_to]");
    if (replyTo && !replyTo.value) replyTo.value = post.getAttribute("data-post-id");
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  });

  var anchor = /^#p(\d+)$/.exec(window.location.hash);
  if (anchor && !document.getElementById("p" + anchor[1])) {
    window.location.replace("/p/" + anchor[1]);
  }
})();
