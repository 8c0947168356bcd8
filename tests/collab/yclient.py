"""A small y-websocket client on pycrdt for tests, over a Starlette TestClient WebSocket session.

It behaves as the browser's WebsocketProvider does: on open it sends sync step 1 (and its
awareness when it has a state); it answers the server's step 1 with step 2; local edits of
its Doc are sent as updates. A thread pumps frames into a queue so that tests can wait for a
condition with a timeout instead of sleeping.
"""

import json
import queue
import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any

from pycrdt import Array, Doc, Map, Text, TransactionEvent
from starlette.testclient import WebSocketTestSession

from collab.guard import read_awareness
from collab.protocol import (
    Kind,
    awareness_message,
    encode_awareness,
    parse_message,
    sync_step1,
    sync_step2,
    update_message,
)

TIMEOUT = 5.0
BIG = 1 << 30


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Poll condition (server-side state, thread progress) until it holds, or fail."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        pause.wait(0.01)


class YClient:
    """One simulated browser tab connected to a document."""

    def __init__(self, session: WebSocketTestSession, *, doc: Doc[Any] | None = None) -> None:
        self.session = session
        self.doc: Doc[Any] = doc if doc is not None else Doc()
        self.inbox: queue.Queue[MutableMapping[str, Any] | BaseException] = queue.Queue()
        self.close_code: int | None = None
        self.close_reason = ""
        self.synced = False  # got sync step 2
        self.step1_count = 0
        self.presence: dict[int, Any] = {}  # awareness states seen, by client id
        self.awareness_messages = 0
        self._clock = 0
        self._applying = False
        self._subscription = self.doc.observe(self._on_local)
        threading.Thread(target=self._pump, daemon=True).start()
        self.send(sync_step1(self.doc.get_state()))

    # --- the wire -------------------------------------------------------------------------

    def _pump(self) -> None:
        while True:
            try:
                message = self.session.receive()
            except BaseException as exc:  # the session or the portal is gone
                self.inbox.put(exc)
                return
            self.inbox.put(message)
            if message["type"] == "websocket.close":
                return

    def send(self, data: bytes) -> None:
        """Send raw bytes."""
        self.session.send_bytes(data)

    def _on_local(self, event: TransactionEvent) -> None:
        if not self._applying and self.close_code is None:
            self.send(update_message(event.update))

    def _handle(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "websocket.close":
            self.close_code = message.get("code", 1000)
            self.close_reason = message.get("reason", "") or ""
            return
        parsed = parse_message(message["bytes"], max_bytes=BIG, max_depth=BIG)
        if parsed.kind is Kind.SYNC_STEP1:
            self.step1_count += 1
            self.send(sync_step2(self.doc.get_update(parsed.payload)))
        elif parsed.kind in (Kind.SYNC_STEP2, Kind.SYNC_UPDATE):
            self._applying = True
            try:
                self.doc.apply_update(parsed.payload)
            finally:
                self._applying = False
            self.synced = self.synced or parsed.kind is Kind.SYNC_STEP2
        elif parsed.kind is Kind.AWARENESS:
            self.awareness_messages += 1
            for client, _clock, state in read_awareness(parsed.payload, max_state_bytes=BIG):
                if state is None:
                    self.presence.pop(client, None)
                else:
                    self.presence[client] = json.loads(state)

    def pump_once(self, timeout: float) -> bool:
        """Handle one incoming message if one arrives within timeout."""
        try:
            item = self.inbox.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return False
        if isinstance(item, BaseException):
            if self.close_code is None:
                self.close_code = -1
            return True
        self._handle(item)
        return True

    def wait_for(self, condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
        """Handle messages until condition() holds; fail after timeout seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"condition not met within {timeout}s")
            self.pump_once(min(remaining, 0.1))

    def wait_closed(self, timeout: float = TIMEOUT) -> int:
        """Wait for the server to close the connection; return the close code."""
        self.wait_for(lambda: self.close_code is not None, timeout)
        assert self.close_code is not None
        return self.close_code

    def drain(self, quiet: float = 0.2) -> None:
        """Handle messages until none arrived for `quiet` seconds (for negative checks only)."""
        while self.pump_once(quiet):
            pass

    # --- the document ---------------------------------------------------------------------

    def text(self, name: str = "texte") -> Text:
        """The root Text named name."""
        root = self.doc.get(name, type=Text)
        assert isinstance(root, Text)
        return root

    def map(self, name: str = "carte") -> Map[Any]:
        """The root Map named name."""
        root = self.doc.get(name, type=Map)
        assert isinstance(root, Map)
        return root

    def array(self, name: str = "liste") -> Array[Any]:
        """The root Array named name."""
        root = self.doc.get(name, type=Array)
        assert isinstance(root, Array)
        return root

    def set_awareness(self, state: dict[str, Any] | None) -> None:
        """Announce our presence (None: we leave), as y-protocols' Awareness does."""
        self._clock += 1
        encoded = None if state is None else json.dumps(state)
        entry = (self.doc.client_id, self._clock, encoded)
        self.send(awareness_message(encode_awareness([entry])))
