"""Registry: rooms by document id; get-or-load under a per-document lock, unload once flushed.

The lock makes loading single-flight (two first joins: one load, both served) and keeps a
join from overtaking an unload whose writes are still being flushed. A load that fails
raises LoadError and leaves nothing behind: the next join tries again, and no one is ever
served an empty document in place of a stored one.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from pycrdt import Doc

from collab.config import CollabSettings
from collab.persistence import Persistence
from collab.relay import Relay
from collab.room import Room

log = logging.getLogger(__name__)


class LoadError(Exception):
    """A document could not be loaded: the connection is refused."""


class KeyedLocks:
    """One asyncio.Lock per key, forgotten when no one holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Hold the key's lock."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def build_doc(updates: list[bytes]) -> Doc[Any]:
    """A Doc from stored updates (run on a worker thread: big documents take a while)."""
    doc: Doc[Any] = Doc()
    for data in updates:
        doc.apply_update(data)
    return doc


class Registry:
    """The rooms of this instance."""

    def __init__(
        self,
        persistence: Persistence,
        settings: CollabSettings,
        *,
        relay: Relay | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rooms: dict[str, Room] = {}
        self.persistence = persistence
        self.relay = relay
        self._settings = settings
        self._now = now
        self._locks = KeyedLocks()
        self._closed = False
        persistence.live_state = self._live_state

    def _live_state(self, document_id: str) -> bytes | None:
        room = self.rooms.get(document_id)
        if room is None:
            return None
        try:
            return room.doc.get_update()
        except (KeyboardInterrupt, SystemExit, asyncio.CancelledError):
            raise
        except BaseException:  # a pycrdt panic: checkpoint from the store alone
            log.exception("encoding the state of %r failed", document_id)
            return None

    async def acquire(self, document_id: str) -> Room:
        """The document's room, loaded if needed; hold it until release(). Raises LoadError."""
        async with self._locks.hold(document_id):
            if self._closed:
                raise LoadError("shutting down")
            room = self.rooms.get(document_id)
            if room is None:
                room = await self._load(document_id)
                self.rooms[document_id] = room
            room.holds += 1
            room.idle_since = None
            return room

    def release(self, room: Room) -> None:
        """A connection acquired earlier is gone."""
        room.holds -= 1
        if room.holds <= 0:
            room.holds = 0
            room.idle_since = self._now()

    async def _load(self, document_id: str) -> Room:
        try:
            stored = await self.persistence.load(document_id)
        except Exception as exc:
            raise LoadError(f"reading {document_id!r} failed: {exc!r}") from exc
        try:
            doc = await anyio.to_thread.run_sync(build_doc, stored.all_updates())
        except (KeyboardInterrupt, SystemExit, asyncio.CancelledError):
            raise
        except BaseException as exc:  # pycrdt panics are BaseException
            self.persistence.forget(document_id)  # no checkpoint of a log we cannot read
            raise LoadError(f"stored updates of {document_id!r} are unreadable: {exc!r}") from exc
        room = Room(document_id, doc, sink=self.persistence, settings=self._settings, now=self._now)
        if self.relay is not None:
            try:
                await self.relay.attach(room)
            except Exception as exc:
                room.close()
                raise LoadError(f"subscribing {document_id!r} failed: {exc!r}") from exc
        log.debug("loaded %r (%d stored updates)", document_id, len(stored.updates))
        return room

    async def unload(self, document_id: str) -> bool:
        """Unload an unused room once its writes are flushed; False if it must stay."""
        async with self._locks.hold(document_id):
            room = self.rooms.get(document_id)
            if room is None or room.holds > 0:
                return False
            try:
                async with asyncio.timeout(self._settings.shutdown_flush_seconds):
                    await self.persistence.flush(document_id)
            except TimeoutError:
                log.warning("%r stays loaded: its updates are not written yet", document_id)
                return False
            try:
                async with asyncio.timeout(self._settings.shutdown_flush_seconds):
                    await self.persistence.checkpoint(document_id)
            except Exception:
                log.exception("checkpoint of %r failed on unload (its log is kept)", document_id)
            if self.relay is not None:
                await self.relay.detach(room)
            room.close()
            del self.rooms[document_id]
            self.persistence.forget(document_id)
            return True

    async def maintain(self) -> None:
        """One pass of upkeep: resyncs, presence expiry, checkpoints, unloading idle rooms."""
        now = self._now()
        for room in list(self.rooms.values()):
            room.tick()
        if self.relay is not None:
            self.relay.tick()
        self.persistence.maintain()
        for document_id, room in list(self.rooms.items()):
            idle_since = room.idle_since
            if idle_since is not None and now - idle_since >= self._settings.idle_unload_seconds:
                await self.unload(document_id)

    async def run(self) -> None:
        """Upkeep every maintenance_seconds, until cancelled."""
        while True:
            await asyncio.sleep(self._settings.maintenance_seconds)
            try:
                await self.maintain()
            except Exception:
                log.exception("collab upkeep failed")

    async def close_all(self) -> None:
        """Shutdown: detach every room from the relay, then write everything pending."""
        self._closed = True
        for room in list(self.rooms.values()):
            if self.relay is not None:
                await self.relay.detach(room)
            room.close()
        self.rooms.clear()
        await self.persistence.close()
