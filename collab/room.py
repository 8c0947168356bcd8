"""A room: one pycrdt Doc, its presence and its local peers, with one fan-out path.

Every change to the document, whoever made it, leaves through the document observer: the
update is encoded once and queued to every local peer (its sender included: the observer's
update can carry structs of others that were pending until now), appended to the store and
published through the relay. Updates that came from the relay (another instance) go to the
local peers only: their own instance stored and published them.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from pycrdt import Doc, TransactionEvent

from collab.awareness import Presence
from collab.config import CollabSettings
from collab.framing import WriteBatch, binary_frame
from collab.guard import ProtocolError, read_awareness
from collab.peer import Peer
from collab.protocol import (
    EMPTY_UPDATE,
    Kind,
    awareness_message,
    encode_awareness,
    parse_message,
    sync_step1,
    sync_step2,
    update_message,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class UpdateSink(Protocol):
    """Where accepted updates are appended (the persistence layer)."""

    def append(self, document_id: str, update: bytes) -> None:
        """Take the update for durable storage, without waiting."""
        ...


class Publisher(Protocol):
    """The relay's side of a room: what this instance tells the others."""

    def publish_update(self, update: bytes) -> None:
        """Publish a document update, without waiting."""
        ...

    def publish_awareness(self, payload: bytes) -> None:
        """Publish an awareness update, without waiting."""
        ...


class CrdtError(ProtocolError):
    """pycrdt refused (or panicked on) bytes that passed the guard."""


class _Remote:
    """The origin of updates, and the owner of awareness states, of other instances."""

    def __init__(self) -> None:
        self.awareness_ids: set[int] = set()


def crdt_call(call: Callable[[], T]) -> T:
    """Run a pycrdt call fed by outside bytes: a panic (a BaseException) becomes CrdtError."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, asyncio.CancelledError):
        raise
    except BaseException as exc:
        raise CrdtError(f"{type(exc).__name__}: {exc}") from exc


class Room:
    """One shared document in memory, with the peers connected to it here."""

    def __init__(
        self,
        document_id: str,
        doc: Doc[Any],
        *,
        sink: UpdateSink,
        settings: CollabSettings,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.document_id = document_id
        self.doc = doc
        self.peers: dict[Peer, None] = {}
        self.presence = Presence(max_entries=settings.max_awareness_entries, now=now)
        self.publisher: Publisher | None = None
        self.holds = 0  # connections being opened or open (the registry counts them)
        self.write_batch = WriteBatch()  # its peers' frames of one event-loop pass (framing)
        self.idle_since: float | None = now()
        self._sink = sink
        self._settings = settings
        self._now = now
        self._origin: object | None = None
        self._remote = _Remote()
        self._last_resync = now()
        self._subscription = doc.observe(self._on_transaction)

    def __repr__(self) -> str:
        return f"<Room {self.document_id!r} with {len(self.peers)} peers>"

    # --- peers ----------------------------------------------------------------------------

    def join(self, peer: Peer) -> None:
        """Add a peer: send it our state vector (sync step 1) and the current presence."""
        self.peers[peer] = None
        peer.on_close = self.leave
        peer.send(sync_step1(self.doc.get_state()))
        snapshot = self.presence.snapshot()
        if snapshot:
            peer.send(awareness_message(encode_awareness(snapshot)))

    def leave(self, peer: Peer) -> None:
        """Remove a peer and tell the others that its awareness states are gone."""
        if peer not in self.peers:
            return
        del self.peers[peer]
        removed = self.presence.remove_owner(peer)
        if removed:
            self._awareness_out(encode_awareness(removed), exclude=None, publish=True)

    def receive(self, peer: Peer, data: bytes) -> None:
        """Handle one message of a peer; ProtocolError means: close that connection."""
        s = self._settings
        message = parse_message(data, max_bytes=s.max_message_bytes, max_depth=s.max_any_depth)
        kind = message.kind
        if kind is Kind.SYNC_UPDATE or kind is Kind.SYNC_STEP2:
            if peer.read_only:
                peer.dropped_updates += int(message.payload != EMPTY_UPDATE)
            elif message.payload != EMPTY_UPDATE:
                self._apply(message.payload, peer)
        elif kind is Kind.SYNC_STEP1:
            state_vector = message.payload
            peer.send(sync_step2(crdt_call(lambda: self.doc.get_update(state_vector))))
        elif kind is Kind.AWARENESS:
            entries = read_awareness(message.payload, max_state_bytes=s.max_awareness_bytes)
            accepted = self.presence.apply(entries, peer, max_owned=s.max_awareness_ids_per_peer)
            if accepted:
                same = len(accepted) == len(entries)
                payload = message.payload if same else encode_awareness(accepted)
                self._awareness_out(payload, exclude=peer, publish=True)
        elif kind is Kind.QUERY_AWARENESS:
            peer.send(awareness_message(encode_awareness(self.presence.snapshot())))

    # --- the one fan-out path -------------------------------------------------------------

    def _apply(self, update: bytes, origin: object) -> None:
        self._origin = origin
        try:
            crdt_call(lambda: self.doc.apply_update(update))
        finally:
            self._origin = None

    def _on_transaction(self, event: TransactionEvent) -> None:
        try:
            update = event.update
            local = self._origin is not self._remote
            if local:
                self._sink.append(self.document_id, update)  # queued for the log first
            message = update_message(update)
            frame = binary_frame(message)
            for peer in tuple(self.peers):
                peer.send(message, frame)
            if local and self.publisher is not None:
                self.publisher.publish_update(update)
        except Exception:
            log.exception("fan-out failed in %r", self)

    def _awareness_out(self, payload: bytes, *, exclude: Peer | None, publish: bool) -> None:
        message = awareness_message(payload)
        frame = binary_frame(message)
        for peer in tuple(self.peers):
            if peer is not exclude:
                peer.send(message, frame)
        if publish and self.publisher is not None:
            self.publisher.publish_awareness(payload)

    # --- other instances (through the relay) ----------------------------------------------

    def apply_remote(self, update: bytes) -> None:
        """An update from another instance: to local peers only."""
        self._apply(update, self._remote)

    def apply_remote_awareness(self, payload: bytes) -> None:
        """Awareness from another instance: to local peers only."""
        entries = read_awareness(payload, max_state_bytes=self._settings.max_awareness_bytes)
        accepted = self.presence.apply(entries, self._remote)
        if accepted:
            self._awareness_out(encode_awareness(accepted), exclude=None, publish=False)

    def state_vector(self) -> bytes:
        """Our state vector."""
        return self.doc.get_state()

    def diff(self, state_vector: bytes) -> bytes:
        """What a holder of state_vector lacks (structs, and our whole delete set)."""
        return crdt_call(lambda: self.doc.get_update(state_vector))

    # --- upkeep ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Periodic: state-vector resync with every peer (heals pending structs), and
        removal of presence not renewed in time."""
        now = self._now()
        if self.peers and now - self._last_resync >= self._settings.resync_seconds:
            self._last_resync = now
            message = sync_step1(self.doc.get_state())
            frame = binary_frame(message)
            for peer in tuple(self.peers):
                peer.send(message, frame)
        removed = self.presence.expire(self._settings.presence_timeout_seconds)
        if removed:
            self._awareness_out(encode_awareness(removed), exclude=None, publish=False)

    def close(self) -> None:
        """Stop observing the document (the registry unloads the room)."""
        self.doc.unobserve(self._subscription)
