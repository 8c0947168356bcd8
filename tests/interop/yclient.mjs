// A real Yjs client (yjs + y-websocket), driven by the Python tests through JSON lines.
//
// usage: node yclient.mjs WS_BASE_URL ROOM [QUERY]   (QUERY: e.g. "token=…" or "user=amina";
//   "header:NAME=value" entries are sent as handshake headers, e.g. header:cookie, header:origin)
// stdin, one JSON command per line:
//   {"op":"text_insert","name":"t","index":0,"text":"é"}   {"op":"text_delete","name":"t","index":0,"length":1}
//   {"op":"map_set","name":"m","key":"k","value":1}       {"op":"array_push","name":"a","values":[1]}
//   {"op":"awareness","state":{"user":{"name":"Amina"}}}  {"op":"dump","text":["t"],"map":["m"],"array":["a"],"xml":["default"]}
//   {"op":"xml_paragraph","name":"default","text":"é"}    (a ProseMirror paragraph, as TipTap writes it)
//   {"op":"disconnect"}  {"op":"connect"}  {"op":"exit"}
// stdout, one JSON event per line: ready, status, synced, awareness, dump, closed, error.
import readline from "node:readline";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

const [baseUrl, room, query] = process.argv.slice(2);
const doc = new Y.Doc();
const params = Object.fromEntries(new URLSearchParams(query || ""));
const headers = {};
for (const key of Object.keys(params)) {
  if (key.startsWith("header:")) {
    headers[key.slice("header:".length)] = params[key];
    delete params[key];
  }
}
class HeaderWebSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, { headers });
  }
}
const provider = new WebsocketProvider(baseUrl, room, doc, {
  WebSocketPolyfill: HeaderWebSocket,
  params,
  connect: true,
  resyncInterval: 2000,
});

function emit(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

provider.on("status", (e) => emit({ event: "status", status: e.status }));
provider.on("sync", (synced) => {
  if (synced) emit({ event: "synced" });
});
provider.on("connection-close", (e) => {
  emit({ event: "closed", code: e ? e.code : null, reason: e ? String(e.reason || "") : "" });
});
provider.on("connection-error", () => emit({ event: "error", what: "connection-error" }));
provider.awareness.on("change", () => {
  const states = {};
  for (const [id, state] of provider.awareness.getStates()) states[id] = state;
  emit({ event: "awareness", self: doc.clientID, states });
});

function dump(cmd) {
  const out = { event: "dump", text: {}, map: {}, array: {}, clientID: doc.clientID };
  for (const name of cmd.text || []) out.text[name] = doc.getText(name).toString();
  for (const name of cmd.map || []) out.map[name] = doc.getMap(name).toJSON();
  for (const name of cmd.array || []) out.array[name] = doc.getArray(name).toJSON();
  out.xml = {};
  for (const name of cmd.xml || []) out.xml[name] = doc.getXmlFragment(name).toString();
  return out;
}

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!line.trim()) return;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (err) {
    emit({ event: "error", what: "bad-json", line });
    return;
  }
  switch (cmd.op) {
    case "text_insert":
      doc.getText(cmd.name).insert(cmd.index, cmd.text);
      break;
    case "text_delete":
      doc.getText(cmd.name).delete(cmd.index, cmd.length);
      break;
    case "map_set":
      doc.getMap(cmd.name).set(cmd.key, cmd.value);
      break;
    case "array_push":
      doc.getArray(cmd.name).push(cmd.values);
      break;
    case "xml_paragraph": {
      const paragraph = new Y.XmlElement("paragraph");
      paragraph.insert(0, [new Y.XmlText(cmd.text)]);
      doc.getXmlFragment(cmd.name).push([paragraph]);
      break;
    }
    case "awareness":
      provider.awareness.setLocalState(cmd.state);
      break;
    case "dump":
      emit(dump(cmd));
      break;
    case "disconnect":
      provider.disconnect();
      break;
    case "connect":
      provider.connect();
      break;
    case "exit":
      provider.destroy();
      process.exit(0);
      break;
    default:
      emit({ event: "error", what: "unknown-op", op: cmd.op });
  }
});
lines.on("close", () => {
  provider.destroy();
  process.exit(0);
});
emit({ event: "ready", clientID: doc.clientID });
