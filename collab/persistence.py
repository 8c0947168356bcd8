"""Write-behind over an UpdateStore: appends written a tick at a time, checkpoints debounced.

`append()` never waits: the update joins the pending batch, which one writer task writes
`append_batch_seconds` later (a fraction of a second: a group commit, one transaction per
tick instead of one per update); what arrives while a write is in progress forms the next
batch. `flush()` cuts the wait short. A failed write is retried, never dropped. Checkpoints
run when a document's log passes a threshold or it has been idle; when the room is loaded,
its live state is handed to the store, so that merging the log costs little.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from collab.config import CollabSettings
from collab.store import StoredDocument, UpdateStore

log = logging.getLogger(__name__)

MAX_BATCH = 1000
RETRY_FIRST, RETRY_MAX = 0.05, 5.0


class Persistence:
    """Batches appends to the store and schedules its compaction."""

    def __init__(
        self,
        store: UpdateStore,
        settings: CollabSettings,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.failed_writes = 0
        self._settings = settings
        self._now = now
        self._pending: list[tuple[str, bytes]] = []
        self._seq = 0  # appends taken so far
        self._written = 0  # every append up to this one is in the store
        self._last_seq: dict[str, int] = {}
        self._rows: dict[str, int] = {}  # log rows since the last checkpoint, as far as we know
        self._last_append: dict[str, float] = {}
        self._compacting: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._urgent = asyncio.Event()  # someone waits in flush(): write now
        self.gathering = False  # the writer waits for a batch's tick (diagnostics)
        self._written_changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        # The live state of a loaded document (the registry sets it), for cheap checkpoints.
        self.live_state: Callable[[str], bytes | None] = lambda _document_id: None

    @property
    def pending(self) -> int:
        """Appends not written yet."""
        return self._seq - self._written

    def start(self) -> None:
        """Start the writer task."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._write_loop())

    async def close(self) -> None:
        """Flush (bounded by shutdown_flush_seconds), then stop."""
        try:
            async with asyncio.timeout(self._settings.shutdown_flush_seconds):
                await self.flush()
        except TimeoutError:
            log.error("shutdown: %d updates could not be written", self.pending)
        for task in [*self._compacting.values(), *([self._task] if self._task else [])]:
            task.cancel()
            await asyncio.wait({task})
        self._task = None
        close = getattr(self.store, "close", None)  # a store may hold a connection
        if close is not None:
            close()

    async def load(self, document_id: str) -> StoredDocument:
        """Load from the store (errors propagate: the caller refuses the connection)."""
        stored = await self.store.load(document_id)
        self._rows[document_id] = len(stored.updates)
        return stored

    def append(self, document_id: str, update: bytes) -> None:
        """Take an update for writing; returns at once."""
        self._seq += 1
        self._pending.append((document_id, update))
        self._last_seq[document_id] = self._seq
        rows = self._rows[document_id] = self._rows.get(document_id, 0) + 1
        self._last_append[document_id] = self._now()
        self._wake.set()
        if rows >= self._settings.checkpoint_rows:
            self._spawn_checkpoint(document_id)

    async def flush(self, document_id: str | None = None) -> None:
        """Wait until every update taken so far (for this document, or all) is written."""
        target = self._seq if document_id is None else self._last_seq.get(document_id, 0)
        if self._written >= target:
            return
        if self._task is None:
            raise RuntimeError("Persistence.start() was not called")
        self._urgent.set()
        async with self._written_changed:
            await self._written_changed.wait_for(lambda: self._written >= target)

    async def _write_loop(self) -> None:
        delay = RETRY_FIRST
        batch_seconds = self._settings.append_batch_seconds
        while True:
            await self._wake.wait()
            if batch_seconds > 0 and not self._urgent.is_set():
                self.gathering = True
                try:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(batch_seconds):
                            await self._urgent.wait()
                finally:
                    self.gathering = False
            self._wake.clear()
            self._urgent.clear()
            while self._pending:
                batch = self._pending[:MAX_BATCH]
                upto = self._written + len(batch)
                try:
                    await self.store.append(batch)
                except Exception:
                    self.failed_writes += 1
                    log.exception("writing %d updates failed; retrying in %.2fs", len(batch), delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RETRY_MAX)
                    continue
                delay = RETRY_FIRST
                del self._pending[: len(batch)]
                self._written = upto
                async with self._written_changed:
                    self._written_changed.notify_all()

    # --- checkpoints ----------------------------------------------------------------------

    def _spawn_checkpoint(self, document_id: str) -> None:
        if document_id in self._compacting:
            return
        task = asyncio.get_running_loop().create_task(self._checkpoint_logged(document_id))
        self._compacting[document_id] = task
        task.add_done_callback(lambda _t: self._compacting.pop(document_id, None))

    async def _checkpoint_logged(self, document_id: str) -> None:
        try:
            await self._checkpoint(document_id)
        except Exception:
            log.exception("checkpoint of %r failed; the log is kept", document_id)
            self._last_append[document_id] = self._now()  # try again after the idle delay

    async def _checkpoint(self, document_id: str) -> None:
        await self.flush(document_id)
        # Taken after the flush: it holds every row written so far (and maybe more, which the
        # later rows repeat harmlessly).
        base = self.live_state(document_id)
        merged = await self.store.compact(document_id, base=base)
        self._rows[document_id] = max(0, self._rows.get(document_id, 0) - merged)

    async def checkpoint(self, document_id: str) -> None:
        """Flush, then merge the document's log into its checkpoint, if it has rows."""
        running = self._compacting.get(document_id)
        if running is not None:
            await asyncio.wait({running})
        if self._rows.get(document_id, 0) > 0:
            await self._checkpoint(document_id)

    def maintain(self) -> None:
        """Periodic: checkpoint documents whose log has been idle long enough."""
        now = self._now()
        for document_id, rows in list(self._rows.items()):
            idle = now - self._last_append.get(document_id, 0.0)
            if rows > 0 and idle >= self._settings.checkpoint_idle_seconds:
                self._spawn_checkpoint(document_id)

    def forget(self, document_id: str) -> None:
        """Drop the counters of an unloaded document."""
        self._rows.pop(document_id, None)
        self._last_append.pop(document_id, None)
        self._last_seq.pop(document_id, None)
