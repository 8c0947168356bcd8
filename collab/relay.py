"""Relay: a room's updates and awareness between instances, through a PubSub.

Each frame is `kind (1 byte) + instance id (16 bytes) + payload`, on channel prefix+document.
An instance ignores its own frames. Gaps (a message lost while Redis reconnected, pending
structs) heal by state-vector resync: on attach an instance asks (`q` + its state vector),
the others answer with what it lacks and their own state vector (`s`), which it answers in
turn; every resync_seconds each instance sends its state vector again.
"""

import asyncio
import contextlib
import logging
import os
import time
from collections import deque
from collections.abc import Callable

from collab.config import CollabSettings
from collab.guard import ProtocolError, check_state_vector, check_update
from collab.protocol import EMPTY_UPDATE
from collab.pubsub import PubSub, Subscription
from collab.room import Room

log = logging.getLogger(__name__)

UPDATE, AWARENESS, ASK, STATE = b"u", b"a", b"q", b"s"
ID_BYTES = 16
MAX_OUTBOX = 10_000  # frames waiting for the pub/sub; beyond, the oldest go (resync heals)


class _Link:
    """One room's attachment: the room's Publisher, and the channel's callback."""

    def __init__(self, relay: "Relay", room: Room, channel: str) -> None:
        self.relay, self.room, self.channel = relay, room, channel
        self.subscription: Subscription | None = None

    def publish_update(self, update: bytes) -> None:
        self.relay.send(self.channel, UPDATE, update)

    def publish_awareness(self, payload: bytes) -> None:
        self.relay.send(self.channel, AWARENESS, payload)

    def receive(self, frame: bytes) -> None:
        kind, sender, payload = frame[:1], frame[1 : 1 + ID_BYTES], frame[1 + ID_BYTES :]
        if sender == self.relay.instance_id or len(sender) != ID_BYTES:
            return
        room = self.room
        try:
            # Other instances are trusted, but one corrupt frame must not crash them all.
            if kind == UPDATE:
                check_update(payload, max_depth=self.relay.max_depth)
                room.apply_remote(payload)
            elif kind == AWARENESS:
                room.apply_remote_awareness(payload)
            elif kind in (ASK, STATE):
                check_state_vector(payload)
                diff = room.diff(payload)
                if diff != EMPTY_UPDATE:
                    self.relay.send(self.channel, UPDATE, diff)
                if kind == ASK:
                    self.relay.send(self.channel, STATE, room.state_vector())
        except ProtocolError as exc:
            log.warning("relay: frame %r for %r refused: %s", kind, room.document_id, exc)


class Relay:
    """Connects this instance's rooms to the same rooms elsewhere."""

    def __init__(
        self,
        pubsub: PubSub,
        settings: CollabSettings,
        *,
        prefix: str = "collab:",
        instance_id: bytes | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pubsub = pubsub
        self.prefix = prefix
        self.instance_id = instance_id or os.urandom(ID_BYTES)
        if len(self.instance_id) != ID_BYTES:
            raise ValueError("instance_id must be 16 bytes")
        self.dropped = 0
        self.max_depth = settings.max_any_depth
        self._settings = settings
        self._now = now
        self._links: dict[str, _Link] = {}
        self._outbox: deque[tuple[str, bytes]] = deque()
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_resync = now()

    def start(self) -> None:
        """Start the sender task."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._send_loop())

    async def close(self) -> None:
        """Detach every room, send what is queued, stop."""
        for link in list(self._links.values()):
            await self.detach(link.room)
        if self._task is not None:
            if self._outbox:
                self._drained.clear()
                self._wake.set()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._settings.shutdown_flush_seconds):
                        await self._drained.wait()
            self._task.cancel()
            await asyncio.wait({self._task})
            self._task = None

    async def attach(self, room: Room) -> None:
        """Subscribe to the room's channel, then ask the others for what we lack."""
        channel = self.prefix + room.document_id
        link = _Link(self, room, channel)
        link.subscription = await self.pubsub.subscribe(channel, link.receive)
        self._links[room.document_id] = link
        room.publisher = link
        self.send(channel, ASK, room.state_vector())

    async def detach(self, room: Room) -> None:
        """Unsubscribe the room."""
        link = self._links.pop(room.document_id, None)
        if link is None:
            return
        room.publisher = None
        if link.subscription is not None:
            await link.subscription.close()

    def send(self, channel: str, kind: bytes, payload: bytes) -> None:
        """Queue a frame for publishing; never waits."""
        if len(self._outbox) >= MAX_OUTBOX:
            self._outbox.popleft()
            self.dropped += 1
        self._outbox.append((channel, kind + self.instance_id + payload))
        self._wake.set()

    def tick(self) -> None:
        """Periodic: send every attached room's state vector (the others answer with gaps)."""
        now = self._now()
        if now - self._last_resync < self._settings.resync_seconds:
            return
        self._last_resync = now
        for link in self._links.values():
            self.send(link.channel, STATE, link.room.state_vector())

    async def _send_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._outbox:
                channel, frame = self._outbox.popleft()
                try:
                    await self.pubsub.publish(channel, frame)
                except Exception:
                    self.dropped += 1
                    log.exception("relay: publishing on %r failed (resync will heal)", channel)
            self._drained.set()
