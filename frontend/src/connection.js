// The document's replicas and their state: Yjs doc, IndexedDB copy, WebSocket provider, and
// whether the server has acknowledged every local change.
//
// y-websocket has no acknowledgement message, but the server answers messages of one socket in
// order: a sync step 1 sent after our updates is answered (step 2) only once those updates were
// applied. So after local changes we send a step 1 and count the step 2 answers, in order. The
// provider's own step 1 at connection time precedes our reply to the server's step 1 (which is
// what carries changes made offline), so its answer acknowledges nothing.

import * as Y from "yjs";
import { IndexeddbPersistence } from "y-indexeddb";
import { WebsocketProvider, messageSync } from "y-websocket";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";

const STEP1 = 0;
const STEP2 = 1;
const ACK_DELAY = 300; // ms after the last local change
const ACK_MAX_WAIT = 2000; // ms of continuous typing before asking anyway
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_FORBIDDEN = 4403;
const CLOSE_LOAD_FAILED = 4500;
const NO_PERSISTENCE = {
  on() {},
  destroy() {},
  clearData: () => Promise.resolve(),
};

/** Connects the document and reports its state to `onChange` (called with this object). */
export class Connection {
  constructor({ wsUrl, documentId, user, onChange }) {
    this.onChange = onChange;
    this.doc = new Y.Doc();
    this.localSeq = 0; // local changes made so far
    this.ackedSeq = 0; // local changes the server has acknowledged
    this.pendingSince = 0; // when the oldest unacknowledged change was made (ms)
    this.ackQueue = []; // for each step 1 in flight: the localSeq it acknowledges (null: none)
    this.answeredServer = false; // our step 2 reply to the server's step 1 went out
    this.closed = null; // {code, reason} once the server refused us for good
    this.halted = false; // halt(): nothing leaves this tab any more
    this.lastClose = null;
    this.localLoaded = false;
    this.localHadContent = false;
    this._ackTimer = 0;
    this._ackFirst = 0;

    this.persistence =
      typeof indexedDB === "undefined"
        ? NO_PERSISTENCE // e.g. some private modes: online editing still works
        : new IndexeddbPersistence(`forum-document:${documentId}`, this.doc);
    this.persistence.on("synced", () => {
      this.localLoaded = true;
      // What the browser kept may hold changes never sent (edited offline, then closed):
      // count it as pending until the server acknowledges it.
      this.localHadContent = Y.encodeStateVector(this.doc).length > 1;
      if (this.localHadContent) this._localChange();
      this._changed();
    });

    this.provider = new WebsocketProvider(wsUrl, documentId, this.doc, {
      connect: false,
      maxBackoffTime: 5000,
      shouldReconnect: (event) =>
        event.code !== CLOSE_FORBIDDEN && event.code !== CLOSE_UNAUTHENTICATED,
    });
    this.awareness = this.provider.awareness;
    this.awareness.setLocalStateField("user", user);
    this._watchSyncMessages();

    this.doc.on("update", (_update, origin) => {
      if (this.halted) return;
      if (origin !== this.provider && origin !== this.persistence) this._localChange();
    });
    this.provider.on("status", ({ status }) => {
      if (status === "connected") {
        this.ackQueue = [null]; // the provider's own step 1, sent right after this event
        this.answeredServer = false;
      }
      this._changed();
    });
    this.provider.on("sync", () => this._changed());
    this.provider.on("connection-close", (event) => {
      this.lastClose = event ? { code: event.code, reason: event.reason } : null;
      this.ackQueue = [];
      this.answeredServer = false;
      this._changed();
    });
    this.provider.on("closed", (terminal) => {
      this.closed = terminal;
      this._changed();
    });
    this.provider.on("connection-error", () => this._changed());
  }

  /** Open the WebSocket (unless the server refused us for good, or we halted). */
  connect() {
    if (this.closed || this.halted) return;
    this.provider.connect();
    this._changed();
  }

  /** Close the WebSocket; the IndexedDB copy keeps recording local changes. */
  disconnect() {
    this.provider.disconnect();
    this._changed();
  }

  /** Stop sending anything anywhere, now: no server, no other tab, no IndexedDB. */
  halt() {
    if (this.halted) return;
    this.halted = true;
    this.provider.disconnect();
    this.persistence.destroy();
    this._changed();
  }

  get synced() {
    return this.provider.wsconnected && this.provider.synced;
  }

  /** Local changes the server has not acknowledged yet. */
  get pending() {
    return !this.halted && this.localSeq > this.ackedSeq;
  }

  /** Forget the browser's copy (after access was taken away, when nothing is unsent). */
  clearLocalCopy() {
    return this.persistence.clearData();
  }

  _localChange() {
    if (!this.pending) this.pendingSince = Date.now();
    this.localSeq += 1;
    this._scheduleAck();
    this._changed();
  }

  _scheduleAck() {
    const now = Date.now();
    if (!this._ackTimer) this._ackFirst = now;
    clearTimeout(this._ackTimer);
    const wait = Math.max(0, Math.min(ACK_DELAY, this._ackFirst + ACK_MAX_WAIT - now));
    this._ackTimer = setTimeout(() => {
      this._ackTimer = 0;
      this._requestAck();
    }, wait);
  }

  _requestAck() {
    const ws = this.provider.ws;
    if (!this.pending || !this.answeredServer || !ws || ws.readyState !== WebSocket.OPEN) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, messageSync);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.ackQueue.push(this.localSeq);
    ws.send(encoding.toUint8Array(encoder));
  }

  _watchSyncMessages() {
    const original = this.provider.messageHandlers[messageSync];
    this.provider.messageHandlers[messageSync] = (encoder, decoder, provider, emitSynced, type) => {
      const step = decoder.arr[decoder.pos]; // the sync message type, one byte (0, 1 or 2)
      original(encoder, decoder, provider, emitSynced, type);
      if (!emitSynced) return; // a message from another tab (BroadcastChannel), not the server
      if (step === STEP2) {
        const acknowledged = this.ackQueue.shift();
        if (acknowledged != null && acknowledged > this.ackedSeq) {
          this.ackedSeq = acknowledged;
          if (this.pending) this.pendingSince = Date.now();
          this._changed();
        }
      } else if (step === STEP1) {
        // Our step 2 reply is sent when this handler returns; ask for an acknowledgement
        // of everything it carried right after it.
        const socket = provider.ws;
        setTimeout(() => {
          if (socket && provider.ws === socket) {
            this.answeredServer = true;
            if (this.pending) this._requestAck();
          }
        }, 0);
      }
    };
  }

  _changed() {
    this.onChange(this);
  }

  /** The connection's state: saved, pending, offline, connecting, retrying, loadFailed, closed. */
  state() {
    if (this.closed) return "closed";
    if (typeof navigator !== "undefined" && navigator.onLine === false) return "offline";
    if (!this.provider.shouldConnect) return "offline";
    if (this.synced && this.answeredServer) return this.pending ? "pending" : "saved";
    if (this.lastClose && this.lastClose.code === CLOSE_LOAD_FAILED) return "loadFailed";
    if (this.provider.wsUnsuccessfulReconnects >= 3) return "retrying";
    return "connecting";
  }
}
