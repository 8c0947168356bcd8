// The link and image panels that open under the toolbar (not modal: Escape or "Fermer" closes
// them and gives the focus back to the button that opened them).

import { t } from "./i18n.js";

let uid = 0;
function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value == null) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children || []) node.appendChild(child);
  return node;
}

/** An empty panel: {element, body, open(), close(), isOpen()}. */
function createPanel(key, onOpen, getOpener, editor) {
  const headingId = nextId("editor-panel-title");
  const body = el("div", { class: "editor-panel-body" });
  const closeButton = el("button", { type: "button", class: "editor-panel-close", text: t("close") });
  const element = el("section", { class: "editor-panel", "aria-labelledby": headingId, hidden: true }, [
    el("h2", { id: headingId, class: "editor-panel-title", text: t(key) }),
    body,
    closeButton,
  ]);
  const panel = {
    element,
    body,
    isOpen: () => !element.hidden,
    open() {
      element.hidden = false;
      const opener = getOpener();
      if (opener) opener.setAttribute("aria-expanded", "true");
      onOpen(panel);
    },
    close(toEditor) {
      if (element.hidden) return;
      element.hidden = true;
      const opener = getOpener();
      if (opener) opener.setAttribute("aria-expanded", "false");
      if (toEditor) editor.commands.focus();
      else if (opener) opener.focus();
    },
  };
  closeButton.addEventListener("click", () => panel.close(false));
  element.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      panel.close(false);
    }
  });
  return panel;
}

const SAFE_LINK = /^(https?:\/\/|mailto:|\/(?!\/)|#)/i;

/** Normalise what was typed as a link address, or null when it is refused. */
export function cleanHref(value) {
  let href = value.trim();
  if (!href) return null;
  if (/^www\./i.test(href)) href = "https://" + href;
  if (!SAFE_LINK.test(href) || /[\s<>"]/.test(href)) return null;
  return href;
}

/** The link panel: edit, add or remove the link at the selection. */
export function createLinkPanel(editor, getOpener) {
  const inputId = nextId("editor-link-href");
  const errorId = nextId("editor-link-error");
  const input = el("input", {
    id: inputId,
    type: "text",
    inputmode: "url",
    autocomplete: "url",
    spellcheck: "false",
    dir: "ltr",
    "aria-describedby": errorId,
  });
  const error = el("p", { id: errorId, class: "editor-panel-error", role: "alert" });
  const apply = el("button", { type: "submit", class: "primary", text: t("linkApply") });
  const remove = el("button", { type: "button", text: t("linkRemove") });
  const form = el("form", { class: "editor-link-form", novalidate: true }, [
    el("label", { for: inputId, text: t("linkAddress") }),
    input,
    error,
    el("div", { class: "editor-panel-actions" }, [apply, remove]),
  ]);

  const panel = createPanel(
    "linkPanel",
    () => {
      error.textContent = "";
      input.removeAttribute("aria-invalid");
      input.value = editor.getAttributes("link").href || "";
      remove.hidden = !editor.isActive("link");
      input.focus();
      input.select();
    },
    getOpener,
    editor,
  );
  panel.body.appendChild(form);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const href = cleanHref(input.value);
    if (!href) {
      error.textContent = t("linkInvalid");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    const chain = editor.chain().focus();
    if (editor.state.selection.empty && !editor.isActive("link")) {
      chain.insertContent({ type: "text", text: href, marks: [{ type: "link", attrs: { href } }] });
    } else {
      chain.extendMarkRange("link").setLink({ href });
    }
    chain.run();
    panel.close(true);
  });
  remove.addEventListener("click", () => {
    editor.chain().focus().extendMarkRange("link").unsetLink().run();
    panel.close(true);
  });
  return panel;
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.getAttribute("content")) return meta.getAttribute("content");
  // The forum's pages carry the session's token in their forms (e.g. the language form).
  const field = document.querySelector('input[name="csrf_token"]');
  return field ? field.value : "";
}

function isImage(file) {
  return typeof file.type === "string" && file.type.indexOf("image/") === 0 && !!file.url;
}

function altFromName(name) {
  return String(name || "")
    .replace(/\.[a-z0-9]{1,5}$/i, "")
    .replace(/[_-]+/g, " ")
    .trim();
}

async function errorMessage(response, fallback) {
  try {
    const data = await response.json();
    if (data && typeof data.message === "string" && data.message) return data.message;
  } catch (_ignored) {
    // not JSON: the fallback says enough
  }
  return fallback;
}

/** The image panel: pick one of the board's images, or upload one, with its description. */
export function createImagePanel(editor, getOpener, filesUrl) {
  const altId = nextId("editor-image-alt");
  const fileId = nextId("editor-image-file");
  const listId = nextId("editor-image-list");
  const alt = el("input", { id: altId, type: "text", maxlength: "300", dir: "auto" });
  const message = el("p", { class: "editor-panel-message", role: "status" });
  const list = el("ul", { id: listId, class: "editor-image-list", "aria-labelledby": listId + "-title" });
  const fileInput = el("input", { id: fileId, type: "file", accept: "image/*" });
  const upload = el("button", { type: "submit", class: "primary", text: t("imageUploadButton") });
  const uploadForm = el("form", { class: "editor-image-upload", novalidate: true }, [
    el("label", { for: fileId, text: t("imageUpload") }),
    fileInput,
    el("div", { class: "editor-panel-actions" }, [upload]),
  ]);

  function insert(file) {
    const text = alt.value.trim() || altFromName(file.name);
    editor.chain().focus().setImage({ src: file.url, alt: text }).run();
    panel.close(true);
  }

  function show(files) {
    list.textContent = "";
    const images = files.filter(isImage);
    message.textContent = images.length ? "" : t("imageNone");
    for (const file of images) {
      const name = String(file.name || "");
      const button = el("button", { type: "button", class: "editor-image-choice" }, [
        el("img", { src: file.thumbnail_url || file.url, alt: "", loading: "lazy", width: "96", height: "72" }),
        el("span", { text: name }),
      ]);
      button.setAttribute("aria-label", t("imageInsert", { name }));
      button.addEventListener("click", () => insert(file));
      list.appendChild(el("li", {}, [button]));
    }
  }

  async function load() {
    message.textContent = t("imageLoading");
    list.textContent = "";
    try {
      const response = await fetch(filesUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      show(Array.isArray(data.files) ? data.files : []);
    } catch (_error) {
      message.textContent = t("imageLoadFailed");
    }
  }

  uploadForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = fileInput.files && fileInput.files[0];
    if (!file) {
      fileInput.focus();
      return;
    }
    if (file.type && file.type.indexOf("image/") !== 0) {
      message.textContent = t("imageNotImage");
      return;
    }
    const body = new FormData();
    body.append("file", file);
    upload.disabled = true;
    message.textContent = t("imageUploading");
    try {
      const response = await fetch(filesUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
      });
      if (!response.ok) {
        message.textContent = await errorMessage(response, t("imageUploadFailed"));
        return;
      }
      const created = await response.json();
      if (!isImage(created)) {
        message.textContent = t("imageNotImage");
        return;
      }
      fileInput.value = "";
      message.textContent = "";
      insert(created);
    } catch (_error) {
      message.textContent = t("imageUploadFailed");
    } finally {
      upload.disabled = false;
    }
  });

  const panel = createPanel(
    "imagePanel",
    () => {
      alt.value = "";
      alt.focus();
      if (filesUrl) load();
      else message.textContent = t("imageLoadFailed");
    },
    getOpener,
    editor,
  );
  panel.body.appendChild(
    el("div", { class: "field" }, [el("label", { for: altId, text: t("imageAlt") }), alt]),
  );
  panel.body.appendChild(el("h3", { id: listId + "-title", class: "editor-panel-subtitle", text: t("imageChoose") }));
  panel.body.appendChild(message);
  panel.body.appendChild(list);
  if (filesUrl) panel.body.appendChild(uploadForm);
  return panel;
}
