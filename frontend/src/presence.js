// "Who is here": the people whose awareness state reaches us, one entry per name and colour.

import { t } from "./i18n.js";

const COLOR = /^#[0-9a-f]{3}([0-9a-f]{3})?$/i;

/** A valid CSS hex colour, or a neutral grey. */
export function safeColor(value) {
  return typeof value === "string" && COLOR.test(value) ? value : "#6b7280";
}

/** The presence list for `awareness`; returns its element (kept up to date). */
export function createPresence(awareness) {
  const titleId = "editor-presence-title";
  const section = document.createElement("section");
  section.className = "editor-presence";
  section.setAttribute("aria-labelledby", titleId);
  const title = document.createElement("h2");
  title.id = titleId;
  title.className = "editor-presence-title";
  title.textContent = t("presence");
  const list = document.createElement("ul");
  list.className = "editor-presence-list";
  section.appendChild(title);
  section.appendChild(list);

  function render() {
    const people = new Map();
    awareness.getStates().forEach((state, clientId) => {
      const user = state && state.user;
      if (!user || typeof user.name !== "string" || !user.name) return;
      const color = safeColor(user.color);
      const key = user.name + "\u0000" + color;
      const self = clientId === awareness.clientID;
      const known = people.get(key);
      if (!known) people.set(key, { name: user.name, color, self });
      else if (self) known.self = true;
    });
    const sorted = Array.from(people.values()).sort(
      (a, b) => (b.self ? 1 : 0) - (a.self ? 1 : 0) || a.name.localeCompare(b.name),
    );
    list.textContent = "";
    for (const person of sorted) {
      const item = document.createElement("li");
      item.className = "editor-person";
      const dot = document.createElement("span");
      dot.className = "editor-person-color";
      dot.setAttribute("aria-hidden", "true");
      dot.style.backgroundColor = person.color;
      const name = document.createElement("span");
      name.dir = "auto";
      name.textContent = person.name;
      item.appendChild(dot);
      item.appendChild(name);
      if (person.self) {
        const you = document.createElement("span");
        you.className = "editor-person-you";
        you.textContent = ` (${t("you")})`;
        item.appendChild(you);
      }
      list.appendChild(item);
    }
  }

  awareness.on("change", render);
  render();
  return section;
}
