"""After edits settle: a document's date moves, its text is indexed for search, and an
automatic version is kept (at most one per AUTOMATIC_EVERY).

The watcher polls collab's tables for documents that got updates (from any process), and
handles each once it has been quiet for `settle_seconds` (or has waited `max_wait_seconds`
while people kept typing): no work per keystroke, and search finds a document's text a few
seconds after people stop writing.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
from sqlmodel import Session
from starlette.datastructures import State

from collab import CollabServer
from forum import indexing
from forum.db import Database
from forum.documents.content import plain_text, read_blocks
from forum.documents.live import current_state
from forum.models import Document, utcnow
from forum.search import SearchBackend, SearchEntry
from forum.services import document_versions as version_service
from forum.services import documents as document_service
from forum.services.search import index_after_commit

log = logging.getLogger(__name__)


@dataclass
class DocumentTimings:
    """How often the watcher looks, how long edits must be quiet, how far apart automatic
    versions are (tests shorten them)."""

    poll_seconds: float = 2.0
    settle_seconds: float = 3.0
    max_wait_seconds: float = 60.0  # people who never pause still get indexed and versioned
    automatic_every: timedelta = version_service.AUTOMATIC_EVERY


def _record(
    session: Session,
    *,
    document_id: int,
    edited_at: datetime,
    text: str,
    state: bytes,
    every: timedelta,
) -> SearchEntry | None:
    entry = document_service.record_edit(
        session, document_id=document_id, edited_at=edited_at, text=text
    )
    version_service.record_automatic_version(
        session, document_id=document_id, state=state, every=every
    )
    return entry


class DocumentWatcher:
    """Finds edited documents and handles them once their edits settle."""

    def __init__(
        self, db: Database, server: CollabServer, search: SearchBackend, timings: DocumentTimings
    ) -> None:
        self._db = db
        self._server = server
        self._search = search
        self.timings = timings
        self._cursor = utcnow()
        self._seen: dict[int, datetime] = {}  # latest change handled or pending, per document
        self._pending: dict[int, datetime] = {}  # document -> time of its latest change
        self._first: dict[int, datetime] = {}  # document -> when it started waiting
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Poll until stop(); a look in progress always completes (no query is abandoned on
        a worker thread while the engine is being disposed)."""
        while True:
            try:
                await asyncio.wait_for(self._stopping.wait(), self.timings.poll_seconds)
                return
            except TimeoutError:
                pass
            try:
                await self.tick()
            except Exception:
                log.exception("document watcher failed (it goes on)")

    def stop(self) -> None:
        """Ask run() to return after the current look."""
        self._stopping.set()

    async def tick(self) -> None:
        """One look: note new changes, handle the documents whose edits settled."""
        # A little overlap: a row committed late with an earlier timestamp is still seen.
        since = self._cursor - timedelta(seconds=5)
        changes = await self._db.run_read(document_service.changed_since, since=since)
        for document_id, when in changes:
            if when > self._seen.get(document_id, datetime.min.replace(tzinfo=when.tzinfo)):
                self._seen[document_id] = when
                self._pending[document_id] = when
                self._first.setdefault(document_id, utcnow())
            self._cursor = max(self._cursor, when)
        now = utcnow()
        settle = timedelta(seconds=self.timings.settle_seconds)
        longest = timedelta(seconds=self.timings.max_wait_seconds)
        due = [
            document_id
            for document_id, when in self._pending.items()
            if now - when >= settle or now - self._first[document_id] >= longest
        ]
        for document_id in due:
            edited_at = self._pending.pop(document_id)
            del self._first[document_id]
            await self.handle(document_id, edited_at)
        horizon = now - timedelta(minutes=10)
        self._seen = {k: v for k, v in self._seen.items() if v > horizon or k in self._pending}

    async def handle(self, document_id: int, edited_at: datetime) -> None:
        """Date, search entry and automatic version of one edited document."""
        state = await current_state(self._server, document_id)
        blocks = await anyio.to_thread.run_sync(read_blocks, state)
        entry = await self._db.run_in_transaction(
            _record,
            document_id=document_id,
            edited_at=edited_at,
            text=plain_text(blocks),
            state=state,
            every=self.timings.automatic_every,
        )
        if entry is not None:
            await index_after_commit(self._search, entry)
        else:
            await unindex(self._search, document_id)


async def index_document(state: State, document_id: int) -> None:
    """Index a committed document (title and current text), or take it out of the index
    when it is archived or gone; failures are logged."""
    db: Database = state.db
    server: CollabServer = state.collab
    text = plain_text(
        await anyio.to_thread.run_sync(read_blocks, await current_state(server, document_id))
    )
    entry = await db.run_read(_entry, document_id=document_id, text=text)
    if entry is not None:
        await index_after_commit(state.search, entry)
    else:
        await unindex(state.search, document_id)


async def index_with_topic(state: State, document_id: int, topic_id: int | None) -> None:
    """After a document is created or renamed: its entry and its discussion topic's."""
    await index_document(state, document_id)
    if topic_id is not None:
        db: Database = state.db
        first_post = await db.run_read(document_service.first_post_id, topic_id=topic_id)
        await indexing.index_topic(state, topic_id, first_post)


def _entry(session: Session, *, document_id: int, text: str) -> SearchEntry | None:
    document = session.get(Document, document_id)
    if document is None:
        return None
    return document_service.search_entry(session, document=document, text=text)


async def unindex(search: SearchBackend, document_id: int) -> None:
    """Take a document out of the search index (logged on failure)."""
    try:
        await anyio.to_thread.run_sync(search.remove, "document", document_id)
    except Exception:
        log.exception("search: could not remove document %s", document_id)
