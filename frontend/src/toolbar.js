// The formatting toolbar: one tab stop, arrow keys between buttons (WAI-ARIA toolbar pattern),
// aria-pressed on toggles, aria-disabled where a command does not apply here.

import { t } from "./i18n.js";

function focusEditor(editor) {
  return editor.chain().focus();
}

/** The buttons, in order; `panel` buttons open a panel instead of running a command. */
function buttons(panels) {
  return [
    {
      key: "paragraph",
      run: (e) => focusEditor(e).setParagraph().run(),
      active: (e) => e.isActive("paragraph"),
    },
    {
      key: "heading2",
      run: (e) => focusEditor(e).toggleHeading({ level: 2 }).run(),
      active: (e) => e.isActive("heading", { level: 2 }),
    },
    {
      key: "heading3",
      run: (e) => focusEditor(e).toggleHeading({ level: 3 }).run(),
      active: (e) => e.isActive("heading", { level: 3 }),
    },
    {
      key: "bold",
      className: "is-bold",
      shortcut: "Control+B",
      run: (e) => focusEditor(e).toggleBold().run(),
      active: (e) => e.isActive("bold"),
    },
    {
      key: "italic",
      className: "is-italic",
      shortcut: "Control+I",
      run: (e) => focusEditor(e).toggleItalic().run(),
      active: (e) => e.isActive("italic"),
    },
    {
      key: "bulletList",
      run: (e) => focusEditor(e).toggleBulletList().run(),
      active: (e) => e.isActive("bulletList"),
    },
    {
      key: "orderedList",
      run: (e) => focusEditor(e).toggleOrderedList().run(),
      active: (e) => e.isActive("orderedList"),
    },
    {
      key: "link",
      panel: true,
      run: () => panels.link.open(),
      active: (e) => e.isActive("link"),
    },
    { key: "image", panel: true, run: () => panels.image.open() },
    {
      key: "table",
      run: (e) => focusEditor(e).insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(),
      enabled: (e) => e.can().insertTable({ rows: 3, cols: 3, withHeaderRow: true }),
    },
    {
      key: "addRow",
      contextual: true, // shown only inside a table
      run: (e) => focusEditor(e).addRowAfter().run(),
      enabled: (e) => e.can().addRowAfter(),
    },
    {
      key: "addColumn",
      contextual: true, // shown only inside a table
      run: (e) => focusEditor(e).addColumnAfter().run(),
      enabled: (e) => e.can().addColumnAfter(),
    },
    {
      key: "deleteRow",
      contextual: true, // shown only inside a table
      run: (e) => focusEditor(e).deleteRow().run(),
      enabled: (e) => e.can().deleteRow(),
    },
    {
      key: "deleteColumn",
      contextual: true, // shown only inside a table
      run: (e) => focusEditor(e).deleteColumn().run(),
      enabled: (e) => e.can().deleteColumn(),
    },
    {
      key: "deleteTable",
      contextual: true, // shown only inside a table
      run: (e) => focusEditor(e).deleteTable().run(),
      enabled: (e) => e.can().deleteTable(),
    },
    {
      key: "undo",
      shortcut: "Control+Z",
      run: (e) => focusEditor(e).undo().run(),
      enabled: (e) => e.can().undo(),
    },
    {
      key: "redo",
      shortcut: "Control+Y",
      run: (e) => focusEditor(e).redo().run(),
      enabled: (e) => e.can().redo(),
    },
  ];
}

/** Build the toolbar for `editor`; returns {element, refresh, focus}. */
export function createToolbar(editor, panels) {
  const bar = document.createElement("div");
  bar.className = "editor-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", t("toolbar"));
  bar.setAttribute("aria-controls", editor.view.dom.id);

  const items = buttons(panels).map((spec) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "editor-button" + (spec.className ? " " + spec.className : "");
    button.textContent = t(spec.key);
    button.dataset.command = spec.key;
    const help = t(spec.key + "Help");
    if (help !== spec.key + "Help") button.title = help;
    if (spec.shortcut) button.setAttribute("aria-keyshortcuts", spec.shortcut);
    if (spec.active && !spec.panel) button.setAttribute("aria-pressed", "false");
    if (spec.panel) button.setAttribute("aria-haspopup", "true");
    // Keep the editor's selection when a button is clicked with a mouse or a finger.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      spec.run(editor);
    });
    bar.appendChild(button);
    return { spec, button };
  });

  // Roving tab stop: `current` is the one button of the toolbar in the tab order.
  let current = items[0].button;
  const visible = () => items.filter((item) => !item.button.hidden).map((item) => item.button);
  function setCurrent(button, focus) {
    current = button;
    for (const item of items) item.button.tabIndex = item.button === current ? 0 : -1;
    if (focus) current.focus();
  }
  setCurrent(current, false);

  bar.addEventListener("keydown", (event) => {
    const shown = visible();
    const index = shown.indexOf(document.activeElement);
    if (index < 0) return;
    const last = shown.length - 1;
    const moves = {
      ArrowRight: index === last ? 0 : index + 1,
      ArrowLeft: index === 0 ? last : index - 1,
      Home: 0,
      End: last,
    };
    if (event.key in moves) {
      event.preventDefault();
      setCurrent(shown[moves[event.key]], true);
    } else if (event.key === "Escape") {
      event.preventDefault();
      editor.commands.focus();
    }
  });
  bar.addEventListener("focusin", (event) => {
    if (items.some((item) => item.button === event.target)) setCurrent(event.target, false);
  });

  function refresh() {
    for (const { spec, button } of items) {
      if (spec.active) {
        const on = !!spec.active(editor);
        if (spec.panel) button.classList.toggle("is-active", on);
        else button.setAttribute("aria-pressed", on ? "true" : "false");
      }
      if (spec.enabled) {
        const enabled = !!spec.enabled(editor);
        if (spec.contextual) button.hidden = !enabled;
        else button.setAttribute("aria-disabled", enabled ? "false" : "true");
      }
    }
    if (current.hidden) setCurrent(items[0].button, false);
  }

  return { element: bar, refresh, focus: () => setCurrent(current, true) };
}
