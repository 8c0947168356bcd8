// The document page's live editor: TipTap 3 bound to the Yjs document of #editor, with carets,
// presence, a connection state, offline editing kept in IndexedDB, and read-only mode.
//
// The page renders the document's HTML inside #editor for readers without JavaScript; it is
// replaced by the editor once the CRDT (the only truth) has arrived from the server, or from
// the browser's own copy when the server cannot be reached. It is never used to seed the CRDT.

import "./polyfills.js";
import { Editor, getSchema } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import { TableKit } from "@tiptap/extension-table";
import Image from "@tiptap/extension-image";

import { CLOSE_UNAUTHENTICATED, Connection } from "./connection.js";
import { unknownContent, unknownInEvents } from "./guard.js";
import { reasonText, t } from "./i18n.js";
import { createImagePanel, createLinkPanel } from "./panels.js";
import { createPresence, safeColor } from "./presence.js";
import { createToolbar } from "./toolbar.js";

const FIELD = "default"; // the Y.XmlFragment TipTap reads and writes (the server renders it)
const PENDING_GRACE = 1000; // ms: changes acknowledged faster than this never show as pending
const LOCAL_MOUNT_DELAY = 4000; // ms without the server before showing the browser's copy

function websocketUrl(value) {
  if (/^wss?:\/\//i.test(value)) return value;
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return scheme + "//" + window.location.host + (value.charAt(0) === "/" ? "" : "/") + value;
}

/** The extensions that define the document's schema (nodes and marks). */
function contentExtensions() {
  return [
    StarterKit.configure({
      undoRedo: false, // Collaboration brings its own, per user
      code: false,
      codeBlock: false,
      heading: { levels: [2, 3, 4] },
      link: {
        openOnClick: false,
        autolink: true,
        defaultProtocol: "https",
        protocols: ["mailto"],
        HTMLAttributes: { rel: "noopener noreferrer nofollow", target: null },
      },
    }),
    TableKit.configure({ table: { resizable: false, renderWrapper: true } }),
    Image.configure({ inline: false, allowBase64: false }),
  ];
}

function caret(user) {
  const cursor = document.createElement("span");
  cursor.className = "collaboration-carets__caret";
  cursor.setAttribute("aria-hidden", "true");
  cursor.style.borderColor = user.color;
  const label = document.createElement("span");
  label.className = "collaboration-carets__label";
  label.style.backgroundColor = user.color;
  label.textContent = user.name || "";
  cursor.appendChild(label);
  return cursor;
}

// The page should link editor.css in its <head>; if it does not, link it next to the script.
function ensureStylesheet() {
  if (document.querySelector('link[rel="stylesheet"][href*="editor.css"]')) return;
  const script = document.querySelector('script[src*="editor.js"]');
  if (!script) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = script.src.replace(/editor\.js(\?.*)?$/, "editor.css");
  document.head.appendChild(link);
}

function start(root) {
  const documentId = root.dataset.documentId;
  const wsAttr = root.dataset.wsUrl;
  if (!documentId || !wsAttr) return;
  const readOnly = root.dataset.readonly === "true";
  const filesUrl = root.dataset.filesUrl || "";
  const user = {
    name: (root.dataset.userName || "").slice(0, 80),
    color: safeColor(root.dataset.userColor),
  };

  let status = document.getElementById("editor-status");
  if (!status) {
    status = document.createElement("p");
    status.id = "editor-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    root.parentNode.insertBefore(status, root);
  }
  status.classList.add("editor-status");
  document.body.classList.add("has-live-editor");

  let editor = null;
  let toolbar = null;
  let contentError = false;
  let statusTimer = 0;
  let cleared = false;

  const connection = new Connection({
    wsUrl: websocketUrl(wsAttr),
    documentId,
    user,
    onChange: () => update(),
  });
  const documentExtensions = contentExtensions();
  const schema = getSchema(documentExtensions);
  const fragment = connection.doc.getXmlFragment(FIELD);
  // Registered before the editor's own observer, so it runs first (see guard.js).
  fragment.observeDeep((events) => {
    if (editor && !contentError && unknownInEvents(events, schema)) stopOverUnknownContent();
  });

  let head = null;

  /** No more editing here: the text stays readable, the toolbar and its panels go. */
  function lock() {
    root.classList.add("editor-closed");
    if (editor && editor.isEditable) editor.setEditable(false);
    if (head) head.hidden = true;
  }

  function stopOverUnknownContent() {
    contentError = true;
    connection.halt();
    lock();
    renderStatus();
  }

  function statusText(state) {
    switch (state) {
      case "closed": {
        const closed = connection.closed;
        if (closed.code === CLOSE_UNAUTHENTICATED) {
          return t("unauthenticated", { reason: reasonText(closed.reason, "unauthenticatedDefault") });
        }
        return t("revoked", { reason: reasonText(closed.reason, "revokedDefault") });
      }
      case "offline":
        return connection.pending && !readOnly ? t("offlineKept") : t("offline");
      case "pending":
        return readOnly ? t("readOnly") : t("pending");
      case "saved":
        return readOnly ? t("readOnly") : t("saved");
      default:
        return t(state);
    }
  }

  function renderStatus() {
    clearTimeout(statusTimer);
    let state = contentError ? "contentError" : connection.state();
    if (state === "pending") {
      const age = Date.now() - connection.pendingSince;
      if (age < PENDING_GRACE) {
        state = "saved";
        statusTimer = setTimeout(renderStatus, PENDING_GRACE - age + 10);
      }
    }
    const text = state === "contentError" ? t("contentError") : statusText(state);
    if (status.textContent !== text) status.textContent = text;
    status.dataset.state = state;
    // The truth behind a label that may lag by PENDING_GRACE (for scripts and tests).
    status.dataset.pending = connection.pending ? "true" : "false";
  }

  function update() {
    const state = connection.state();
    if (connection.synced) mount();
    else if (state === "offline" || state === "retrying") mountLocal();
    if (state === "closed") {
      lock();
      if (!cleared && !connection.pending) {
        cleared = true;
        connection.clearLocalCopy(); // nothing unsent: no copy of a document one may not read
      }
    }
    renderStatus();
  }

  function mountLocal() {
    if (!editor && connection.localLoaded && connection.localHadContent) mount();
  }

  function mount() {
    if (editor || contentError) return;
    if (unknownContent([fragment], schema)) {
      // Keep the server's rendering on screen: the editor would delete what it cannot show.
      stopOverUnknownContent();
      return;
    }
    root.textContent = "";
    root.classList.add("editor-live");
    if (readOnly) root.classList.add("editor-readonly");

    const presence = createPresence(connection.awareness);
    head = document.createElement("div");
    head.className = "editor-head";
    const body = document.createElement("div");
    body.className = "editor-body";
    const hint = document.createElement("p");
    hint.id = "editor-keyboard-hint";
    hint.className = "visually-hidden";
    hint.textContent = t("keyboardHint");
    root.appendChild(presence);
    root.appendChild(head);
    root.appendChild(hint);
    root.appendChild(body);

    editor = new Editor({
      element: body,
      editable: !readOnly && !connection.closed,
      injectCSS: false, // its <style> element would break our CSP: editor.css has the rules
      enableContentCheck: true,
      onContentError: () => stopOverUnknownContent(),
      extensions: [
        ...documentExtensions,
        Collaboration.configure({ document: connection.doc, field: FIELD }),
        CollaborationCaret.configure({ provider: connection.provider, user, render: caret }),
      ],
      editorProps: {
        attributes: {
          id: "editor-content",
          class: "editor-prose",
          role: "textbox",
          "aria-multiline": "true",
          "aria-label": readOnly ? t("contentReadOnly") : t("content"),
          "aria-describedby": "editor-keyboard-hint",
          "aria-readonly": readOnly ? "true" : "false",
        },
      },
      onTransaction: () => {
        if (toolbar) toolbar.refresh();
      },
    });

    if (!readOnly) {
      let linkButton = null;
      let imageButton = null;
      const panels = {};
      panels.link = createLinkPanel(editor, () => linkButton);
      panels.image = createImagePanel(editor, () => imageButton, filesUrl);
      const openOnly = (which) => () => {
        for (const name of Object.keys(panels)) if (name !== which) panels[name].close(true);
      };
      const openLink = panels.link.open;
      const openImage = panels.image.open;
      panels.link.open = () => (openOnly("link")(), openLink());
      panels.image.open = () => (openOnly("image")(), openImage());
      toolbar = createToolbar(editor, panels);
      linkButton = toolbar.element.querySelector('[data-command="link"]');
      imageButton = toolbar.element.querySelector('[data-command="image"]');
      linkButton.setAttribute("aria-expanded", "false");
      imageButton.setAttribute("aria-expanded", "false");
      head.appendChild(toolbar.element);
      head.appendChild(panels.link.element);
      head.appendChild(panels.image.element);
      toolbar.refresh();
      editor.view.dom.addEventListener("keydown", (event) => {
        if (event.altKey && event.key === "F10") {
          event.preventDefault();
          toolbar.focus();
        }
      });
    }
    if (connection.closed) lock();
  }

  window.addEventListener("offline", () => {
    connection.disconnect();
    update();
  });
  window.addEventListener("online", () => {
    connection.connect();
    update();
  });
  window.addEventListener("beforeunload", (event) => {
    if (readOnly || contentError || !connection.pending) return undefined;
    event.preventDefault();
    event.returnValue = true; // older browsers ask only when this is set
    return t("pending");
  });

  if (navigator.onLine !== false) connection.connect();
  setTimeout(mountLocal, LOCAL_MOUNT_DELAY);
  update();
  return { connection, editor: () => editor };
}

const root = document.getElementById("editor");
if (root && root.dataset.documentId) {
  ensureStylesheet();
  const live = start(root);
  // For tests and the curious: the live objects, read only.
  if (live) Object.defineProperty(window, "forumEditor", { value: live });
}
