"""UpdateStore: an append-only log of Yjs updates plus checkpoints, in SQL (Core) or in memory.

A document is its checkpoint (a merged v1 update, or none) plus its log rows. Compaction
merges the checkpoint and the rows it read into a new checkpoint and deletes exactly those
rows, in one transaction; loading reads the rows first and the checkpoint second, so that a
compaction committed in between (by another process) loses nothing. Bytes stay bytes.

The tables live on `metadata` (collab's own): the forum's Alembic migrations create them;
`create_tables()` is for tests and tools.
"""

import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol, TypeVar

import anyio
import anyio.to_thread
from pycrdt import Doc
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

T = TypeVar("T")
DELETE_CHUNK = 500

metadata = MetaData()


def _now() -> datetime:
    return datetime.now(UTC)


updates_table = Table(
    "collab_updates",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("document_id", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, default=_now),
    Index("ix_collab_updates_document_id_id", "document_id", "id"),
)

checkpoints_table = Table(
    "collab_checkpoints",
    metadata,
    Column("document_id", Text, primary_key=True),
    Column("state", LargeBinary, nullable=False),
    Column("last_update_id", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, default=_now),
)


@dataclass(frozen=True)
class StoredDocument:
    """What the store holds for a document: its checkpoint and the log rows after it."""

    checkpoint: bytes | None
    updates: list[bytes]

    def all_updates(self) -> list[bytes]:
        """Checkpoint first, then the rows, in order: apply them all to rebuild the document."""
        return ([self.checkpoint] if self.checkpoint is not None else []) + self.updates


class UpdateStore(Protocol):
    """Durable storage of Yjs updates."""

    async def load(self, document_id: str) -> StoredDocument:
        """The stored document; raises when it cannot be read (never returns it empty then)."""
        ...

    async def append(self, entries: Sequence[tuple[str, bytes]]) -> None:
        """Append (document_id, update) rows, all in one transaction."""
        ...

    async def compact(self, document_id: str, *, base: bytes | None = None) -> int:
        """Merge the log into the checkpoint; return how many rows were merged. `base`, when
        given, is the document's live state (a v1 update): merged first, it makes the rows
        and the old checkpoint mostly known, and merging them cheap."""
        ...


def merge_state(updates: Iterable[bytes]) -> bytes:
    """Apply updates to a fresh Doc and encode its whole state (deleted content collected)."""
    doc: Doc[Any] = Doc()
    for data in updates:
        doc.apply_update(data)
    return doc.get_update()


def create_tables(engine: Engine) -> None:
    """Create collab's tables (tests and tools; the forum uses its migrations)."""
    metadata.create_all(engine)


class SqlUpdateStore:
    """The store on SQLAlchemy Core; blocking calls run on worker threads.

    On SQLite, pass a write_engine whose transactions begin IMMEDIATE (the forum's), so that
    compaction (read then write) never fails on a lock upgrade."""

    def __init__(
        self, engine: Engine, *, write_engine: Engine | None = None, max_threads: int = 4
    ) -> None:
        self._engine = engine
        self._write_engine = write_engine or engine
        self._limiter = anyio.CapacityLimiter(max_threads)
        # Appends come one batch at a time and often (a group commit per tick): they keep one
        # connection instead of taking one from the pool each time (a third of their cost).
        self._append_lock = threading.Lock()
        self._append_connection: Connection | None = None
        self._insert = insert(updates_table)

    async def _run(self, call: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(call, limiter=self._limiter)

    async def load(self, document_id: str) -> StoredDocument:
        """Read the rows, then the checkpoint (see the module docstring for why this order)."""
        return await self._run(partial(self._load, document_id))

    def _load(self, document_id: str) -> StoredDocument:
        u, c = updates_table.c, checkpoints_table.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(u.data).where(u.document_id == document_id).order_by(u.id)
            ).scalars()
            updates = [bytes(data) for data in rows]
            state = conn.execute(
                select(c.state).where(c.document_id == document_id)
            ).scalar_one_or_none()
        return StoredDocument(None if state is None else bytes(state), updates)

    async def append(self, entries: Sequence[tuple[str, bytes]]) -> None:
        """Insert the rows in one transaction."""
        if entries:
            await self._run(partial(self._append, list(entries)))

    def _append(self, entries: list[tuple[str, bytes]]) -> None:
        now = _now()
        rows = [{"document_id": d, "data": data, "created_at": now} for d, data in entries]
        with self._append_lock:
            conn = self._append_connection
            if conn is None:
                conn = self._append_connection = self._write_engine.connect()
            try:
                with conn.begin():
                    conn.execute(self._insert, rows)
            except BaseException:
                # Whatever broke (the server went away, the disk is full), start afresh.
                self._append_connection = None
                with contextlib.suppress(Exception):
                    conn.close()
                raise

    def close(self) -> None:
        """Give back the connection kept for appends (the engine stays the caller's)."""
        with self._append_lock:
            conn, self._append_connection = self._append_connection, None
        if conn is not None:
            conn.close()

    async def compact(self, document_id: str, *, base: bytes | None = None) -> int:
        """Merge (base +) checkpoint + rows into a new checkpoint; delete the rows merged."""
        return await self._run(partial(self._compact, document_id, base))

    def _compact(self, document_id: str, base: bytes | None) -> int:
        u, c = updates_table.c, checkpoints_table.c
        with self._write_engine.begin() as conn:
            rows = conn.execute(
                select(u.id, u.data).where(u.document_id == document_id).order_by(u.id)
            ).all()
            if not rows:
                return 0
            current = conn.execute(
                select(c.state, c.last_update_id).where(c.document_id == document_id)
            ).first()
            merged = [base] if base is not None else []
            if current is not None:
                merged.append(bytes(current.state))
            state = merge_state(merged + [bytes(row.data) for row in rows])
            last_id = max(rows[-1].id, current.last_update_id if current is not None else 0)
            values = {"state": state, "last_update_id": last_id, "updated_at": _now()}
            if current is None:
                conn.execute(insert(checkpoints_table).values(document_id=document_id, **values))
            else:
                conn.execute(
                    update(checkpoints_table).where(c.document_id == document_id).values(**values)
                )
            # Delete exactly the rows merged: a row committed late with a smaller id (several
            # writers on PostgreSQL) stays in the log and is loaded again.
            ids = [row.id for row in rows]
            for start in range(0, len(ids), DELETE_CHUNK):
                conn.execute(
                    delete(updates_table).where(u.id.in_(ids[start : start + DELETE_CHUNK]))
                )
        return len(rows)


class MemoryUpdateStore:
    """The same store in memory, for tests and single-process experiments."""

    def __init__(self) -> None:
        self.rows: dict[str, list[bytes]] = {}
        self.checkpoints: dict[str, bytes] = {}

    async def load(self, document_id: str) -> StoredDocument:
        """The document's checkpoint and rows."""
        return StoredDocument(
            self.checkpoints.get(document_id), list(self.rows.get(document_id, []))
        )

    async def append(self, entries: Sequence[tuple[str, bytes]]) -> None:
        """Append the rows."""
        for document_id, data in entries:
            self.rows.setdefault(document_id, []).append(bytes(data))

    async def compact(self, document_id: str, *, base: bytes | None = None) -> int:
        """Merge the rows into the checkpoint (a merge that fails keeps the rows, as SQL does)."""
        rows = self.rows.get(document_id, [])
        if rows:
            stored = StoredDocument(self.checkpoints.get(document_id), rows)
            first = [base] if base is not None else []
            self.checkpoints[document_id] = merge_state(first + stored.all_updates())
            del self.rows[document_id]
        return len(rows)
