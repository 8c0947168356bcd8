"""Persistence: the SQL log and checkpoints, batching, restarts, failed loads, flushed unloads."""

import asyncio
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map, Text
from sqlalchemy import Engine, LargeBinary, create_engine, inspect, select
from sqlalchemy import text as sql
from sqlalchemy.exc import OperationalError

from collab import (
    CollabSettings,
    MemoryUpdateStore,
    SqlUpdateStore,
    StoredDocument,
    closecodes,
    create_tables,
    metadata,
)
from collab.persistence import Persistence
from collab.registry import Registry
from collab.store import merge_state, updates_table
from tests.collab.conftest import serving
from tests.collab.waiting import until
from tests.collab.yclient import wait_until

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Collab's tables in a SQLite file of this test's own, or in a PostgreSQL schema of its
    own (skipped when no server answers at 127.0.0.1:5432)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'forum.db'}")
        create_tables(engine)
        yield engine
        engine.dispose()
        return
    pytest.importorskip("psycopg")
    schema = f"collab_test_{uuid.uuid4().hex}"
    admin = create_engine(POSTGRES, connect_args={"connect_timeout": 2})
    try:
        with admin.begin() as conn:
            conn.execute(sql(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        admin.dispose()
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    engine = create_engine(POSTGRES, connect_args={"options": f"-csearch_path={schema}"})
    try:
        create_tables(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sql(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def edits(*words: str) -> list[bytes]:
    """One update per word appended to a Text (an empty root type makes none)."""
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    doc["texte"] = text = Text()
    for word in words:
        text += word
    return updates


def text_of(updates: Sequence[bytes]) -> str:
    doc: Doc[Any] = Doc()
    for data in updates:
        doc.apply_update(data)
    return str(doc.get("texte", type=Text))


def test_metadata_holds_collab_tables_only() -> None:
    assert set(metadata.tables) == {"collab_updates", "collab_checkpoints"}
    assert isinstance(updates_table.c.data.type, LargeBinary)


@pytest.mark.anyio
async def test_sql_store_appends_loads_and_compacts(engine: Engine) -> None:
    store = SqlUpdateStore(engine)
    updates = edits("Assemblée ", "générale ", "extra", "ordinaire")
    await store.append([("doc", u) for u in updates[:3]] + [("autre", updates[0])])
    loaded = await store.load("doc")
    assert loaded.checkpoint is None and loaded.updates == updates[:3]
    assert all(type(u) is bytes for u in loaded.updates)
    assert await store.compact("doc") == 3
    await store.append([("doc", updates[3])])
    loaded = await store.load("doc")
    assert loaded.checkpoint is not None and loaded.updates == [updates[3]]
    assert text_of(loaded.all_updates()) == "Assemblée générale extraordinaire"
    assert await store.compact("doc") == 1
    assert await store.compact("doc") == 0
    with engine.connect() as conn:
        rows = conn.execute(select(updates_table.c.document_id)).scalars().all()
    assert rows == ["autre"]  # another document's log is untouched
    store.close()


@pytest.mark.anyio
async def test_compaction_merges_the_live_state_first(engine: Engine) -> None:
    store = SqlUpdateStore(engine)
    updates = edits("un ", "deux ", "trois")
    await store.append([("doc", u) for u in updates[:2]])
    live = merge_state(updates)  # the room holds the third update, not written yet
    assert await store.compact("doc", base=live) == 2
    loaded = await store.load("doc")
    assert loaded.updates == [] and text_of([loaded.checkpoint or b""]) == "un deux trois"
    await store.append([("doc", updates[2])])  # written late: a harmless repeat
    assert text_of((await store.load("doc")).all_updates()) == "un deux trois"
    store.close()


@pytest.mark.anyio
async def test_checkpoints_of_a_loaded_room_start_from_its_state() -> None:
    class RecordingStore(MemoryUpdateStore):
        bases: list[bytes | None] = []

        async def compact(self, document_id: str, *, base: bytes | None = None) -> int:
            self.bases.append(base)
            return await super().compact(document_id, base=base)

    store = RecordingStore()
    settings = CollabSettings()
    persistence = Persistence(store, settings)
    persistence.start()
    registry = Registry(persistence, settings)
    room = await registry.acquire("doc")
    room.doc["texte"] = Text("état vivant")
    await persistence.checkpoint("doc")
    assert store.bases == [room.doc.get_update()]
    assert text_of([store.checkpoints["doc"]]) == "état vivant"
    registry.release(room)
    await registry.close_all()


@pytest.mark.anyio
async def test_a_store_without_its_tables_fails_to_load(tmp_path: Path) -> None:
    # Production never creates tables implicitly: the forum's migrations do.
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(Exception, match="no such table"):
        await SqlUpdateStore(engine).load("doc")
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_updates_survive_a_restart(engine: Engine) -> None:
    with serving(SqlUpdateStore(engine)) as h:
        h.authorizer.allow("amina", "doc")
        with h.connect("doc") as client:
            client.wait_for(lambda: client.synced)
            text = client.text()
            text += "Procès-verbal : l'été sera chaud."
            client.map()["décision"] = "adoptée"
            room = h.server.registry.rooms["doc"]
            client.wait_for(lambda: len(room.doc.get("carte", type=Map)) == 1)
    # Shutdown flushed; a new server (a new process, as far as it knows) reads it back.
    with serving(SqlUpdateStore(engine)) as h:
        h.authorizer.allow("amina", "doc")
        with h.connect("doc") as client:
            client.wait_for(lambda: client.synced)
            assert str(client.text()) == "Procès-verbal : l'été sera chaud."
            assert client.map().to_py() == {"décision": "adoptée"}


class GatedStore(MemoryUpdateStore):
    """Records append batches; appends wait for the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.appended = asyncio.Event()
        self.at_gate = 0  # appends waiting for the gate

    async def append(self, entries: Sequence[tuple[str, bytes]]) -> None:
        self.at_gate += 1
        try:
            await self.gate.wait()
        finally:
            self.at_gate -= 1
        self.batches.append(len(entries))
        await super().append(entries)
        self.appended.set()


@pytest.mark.anyio
async def test_appends_are_grouped_while_a_write_is_in_progress() -> None:
    store = GatedStore()
    store.gate.clear()
    persistence = Persistence(store, CollabSettings(append_batch_seconds=0))
    persistence.start()
    updates = edits(*[f"mot{i} " for i in range(40)])
    persistence.append("doc", updates[0])
    await until(lambda: store.at_gate == 1)  # the writer took the first update, waits
    for update in updates[1:]:
        persistence.append("doc", update)
    store.gate.set()
    await asyncio.wait_for(persistence.flush("doc"), 5)
    assert store.batches == [1, len(updates) - 1]
    assert store.rows["doc"] == updates
    await persistence.close()


@pytest.mark.anyio
async def test_appends_of_one_tick_share_a_transaction_and_flush_cuts_the_wait() -> None:
    store = GatedStore()
    persistence = Persistence(store, CollabSettings(append_batch_seconds=1.0))
    persistence.start()
    updates = edits(*[f"mot{i} " for i in range(10)])
    for update in updates[:5]:
        persistence.append("doc", update)
    await until(lambda: persistence.gathering)  # the writer woke up and gathers
    assert store.batches == []
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(persistence.flush("doc"), 5)
    assert asyncio.get_running_loop().time() - started < 0.5  # not the whole tick
    assert store.batches == [5]
    store.appended.clear()
    for update in updates[5:]:
        persistence.append("doc", update)
    await asyncio.wait_for(store.appended.wait(), 5)  # nobody flushes: written after the tick
    assert store.batches == [5, 5] and store.rows["doc"] == updates
    await persistence.close()


@pytest.mark.anyio
async def test_a_failed_write_is_retried_not_dropped() -> None:
    class FlakyStore(MemoryUpdateStore):
        failures = 2

        async def append(self, entries: Sequence[tuple[str, bytes]]) -> None:
            if self.failures:
                self.failures -= 1
                raise OSError("disk unavailable")
            await super().append(entries)

    store = FlakyStore()
    persistence = Persistence(store, CollabSettings())
    persistence.start()
    [update] = edits("précieux")
    persistence.append("doc", update)
    await asyncio.wait_for(persistence.flush(), 5)
    assert store.rows["doc"] == [update] and persistence.failed_writes == 2
    await persistence.close()


def test_the_log_is_checkpointed_past_a_threshold(engine: Engine) -> None:
    settings = CollabSettings(checkpoint_rows=5, recheck_seconds=None, maintenance_seconds=0.05)
    store = SqlUpdateStore(engine)
    with serving(store, settings=settings) as h:
        h.authorizer.allow("amina", "doc")
        with h.connect("doc") as client:
            client.wait_for(lambda: client.synced)
            text = client.text()
            for word in ("un ", "deux ", "trois ", "quatre ", "cinq ", "six ", "sept"):
                text += word
            loaded = h.call(_until_checkpointed, store)
            assert text_of(loaded.all_updates()) == "un deux trois quatre cinq six sept"
            assert len(loaded.updates) < 7


async def _until_checkpointed(store: SqlUpdateStore) -> StoredDocument:
    async with asyncio.timeout(5):
        while True:
            # A load reads the rows, then the checkpoint: one that raced a compaction sees
            # both the old rows and the new checkpoint (harmless repeats). Wait for a clean one.
            loaded = await store.load("doc")
            done = loaded.checkpoint is not None and len(loaded.updates) < 7
            if done and "sept" in text_of(loaded.all_updates()):
                return loaded
            await asyncio.sleep(0.02)


@pytest.mark.anyio
async def test_an_idle_log_is_checkpointed() -> None:
    store = MemoryUpdateStore()
    store.rows["doc"] = edits("ancien ", "journal")
    persistence = Persistence(store, CollabSettings(checkpoint_idle_seconds=0))
    persistence.start()
    await persistence.load("doc")
    persistence.maintain()
    assert "doc" in persistence._compacting  # upkeep started a checkpoint by itself
    await asyncio.wait_for(persistence.checkpoint("doc"), 5)  # waits for that one
    assert "doc" not in store.rows
    assert text_of([store.checkpoints["doc"]]) == "ancien journal"
    await persistence.close()


@pytest.mark.parametrize("failure", ["store", "corrupt"])
def test_a_failed_load_refuses_and_never_serves_an_empty_document(failure: str) -> None:
    class BrokenStore(MemoryUpdateStore):
        broken = True

        async def load(self, document_id: str) -> StoredDocument:
            if self.broken and failure == "store":
                raise OSError("database is locked")
            return await super().load(document_id)

    store = BrokenStore()
    stored = edits("contenu ", "précieux")
    store.rows["doc"] = list(stored)
    if failure == "corrupt":
        store.rows["doc"].insert(0, b"\x01\xff\xff")
    with serving(store) as h:
        h.authorizer.allow("amina", "doc")
        with h.connect("doc") as client:
            assert client.wait_closed() == closecodes.LOAD_FAILED
            assert not client.synced and str(client.text()) == ""
        assert h.server.registry.rooms == {}
        assert store.rows["doc"][-2:] == stored  # nothing was written over it
        store.broken = False
        if failure == "corrupt":
            del store.rows["doc"][0]
        with h.connect("doc") as client:  # nothing was cached: the next join loads again
            client.wait_for(lambda: client.synced)
            assert str(client.text()) == "contenu précieux"


@pytest.mark.anyio
async def test_a_room_unloads_only_once_its_writes_are_flushed() -> None:
    store = GatedStore()
    settings = CollabSettings(idle_unload_seconds=0)
    persistence = Persistence(store, settings)
    persistence.start()
    registry = Registry(persistence, settings)
    room = await registry.acquire("doc")
    store.gate.clear()
    room.doc["texte"] = Text("à écrire avant de décharger")  # a server-side edit: stored too
    registry.release(room)
    unloading = asyncio.create_task(registry.unload("doc"))
    done, _pending = await asyncio.wait({unloading}, timeout=0.2)
    assert not done and "doc" in registry.rooms  # still waiting for the write
    store.gate.set()
    assert await unloading is True
    assert "doc" not in registry.rooms
    again = await registry.acquire("doc")
    assert str(again.doc.get("texte", type=Text)) == "à écrire avant de décharger"
    await registry.close_all()


def test_merge_state_matches_the_updates() -> None:
    updates = edits("a", "é", "😀")
    assert text_of([merge_state(updates)]) == "aé😀"


def test_idle_rooms_are_unloaded_by_upkeep() -> None:
    settings = CollabSettings(idle_unload_seconds=0.1, maintenance_seconds=0.02)
    store = MemoryUpdateStore()
    with serving(store, settings=settings) as h:
        h.authorizer.allow("amina", "doc")
        with h.connect("doc") as client:
            client.wait_for(lambda: client.synced)
            text = client.text()
            text += "gardé"
            room = h.server.registry.rooms["doc"]
            client.wait_for(lambda: str(room.doc.get("texte", type=Text)) == "gardé")
        wait_until(lambda: "doc" not in h.server.registry.rooms)
        stored = StoredDocument(store.checkpoints.get("doc"), store.rows.get("doc", []))
        assert text_of(stored.all_updates()) == "gardé"
