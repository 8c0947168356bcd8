// Protects the shared document from the editor itself: y-prosemirror deletes, and sends to
// everyone, any Yjs element or text whose node or mark the editor's schema does not know
// (written by a newer editor, an import, a script). So the editor is never shown over such
// content, and a tab that receives some stops sending anything before the deletion happens.

import * as Y from "yjs";

function markName(key) {
  // y-prosemirror names marks that may overlap "name--hash".
  const cut = key.indexOf("--");
  return cut < 0 ? key : key.slice(0, cut);
}

function unknownInDelta(delta, schema) {
  for (const op of delta) {
    if (op.insert !== undefined && typeof op.insert !== "string") return "embed";
    for (const key of Object.keys(op.attributes || {})) {
      if (!schema.marks[markName(key)]) return key;
    }
  }
  return null;
}

/** The first node or mark name under `types` the schema does not know, or null. */
export function unknownContent(types, schema) {
  const stack = types.slice();
  while (stack.length) {
    const type = stack.pop();
    if (type instanceof Y.XmlElement) {
      if (!schema.nodes[type.nodeName]) return type.nodeName;
      stack.push(...type.toArray());
    } else if (type instanceof Y.XmlText) {
      const found = unknownInDelta(type.toDelta(), schema);
      if (found) return found;
    } else if (type instanceof Y.XmlFragment) {
      stack.push(...type.toArray());
    } else if (type instanceof Y.AbstractType) {
      return type.constructor.name || "type";
    }
  }
  return null;
}

/** The first unknown name that the changes of one transaction (observeDeep events) bring. */
export function unknownInEvents(events, schema) {
  for (const event of events) {
    if (event.target instanceof Y.XmlText) {
      const found = unknownInDelta(event.delta, schema);
      if (found) return found;
      continue;
    }
    const added = [];
    event.changes.added.forEach((item) => {
      for (const content of item.content.getContent()) {
        if (content instanceof Y.AbstractType) added.push(content);
      }
    });
    const found = unknownContent(added, schema);
    if (found) return found;
  }
  return null;
}
