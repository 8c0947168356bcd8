"""Database.read_soon: a page's short read at once on the event loop's thread where SQLite can
answer without waiting, on a worker thread otherwise (and always on PostgreSQL)."""

import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from forum.db import BUSY_TIMEOUT_MS, POOL_SIZE, Database
from forum.errors import NotFound


def read_soon(db: Database, fn: Callable[[Session], Any]) -> Any:
    return anyio.run(db.read_soon, fn)


def locked_error(path: str) -> sqlite3.OperationalError:
    """A real "database is locked" from SQLite: a second writer that does not wait."""
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        holder.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        return error
    finally:
        holder.close()
        other.close()
    raise AssertionError("the database was not locked")


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    if not db.reads_inline:
        pytest.skip("reads at once on the event loop: SQLite only")
    return db


def test_postgresql_reads_on_a_worker_thread(db: Database) -> None:
    if db.engine.dialect.name == "sqlite":
        pytest.skip("the other databases")
    assert not db.reads_inline  # every statement is a round trip on the network
    here = threading.get_ident()
    assert read_soon(db, lambda session: threading.get_ident()) != here


def driver_of(session: Session) -> Any:
    return session.connection().connection.dbapi_connection


def timeout_of(session: Session) -> int:
    return int(session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar_one())


def test_sqlite_reads_at_once_without_waiting_for_locks(sqlite_db: Database) -> None:
    here = threading.get_ident()
    checkouts: list[int] = []

    def checked_out(*_args: object) -> None:
        checkouts.append(threading.get_ident())

    def read(session: Session) -> tuple[int, int, int, Any]:
        users = session.execute(text("SELECT count(*) FROM users")).scalar_one()
        return threading.get_ident(), timeout_of(session), users, driver_of(session)

    event.listen(sqlite_db.engine, "checkout", checked_out)
    try:
        thread, timeout, users, driver = read_soon(sqlite_db, read)
        assert thread == here and timeout == 0 and users >= 0
        # The event loop's thread keeps its connection; the others keep their patience.
        assert read_soon(sqlite_db, read)[3] is driver
    finally:
        event.remove(sqlite_db.engine, "checkout", checked_out)
    # Taken from the pool once, on a worker thread: a new connection's settings may wait.
    assert len(checkouts) == 1 and checkouts[0] != here
    assert sqlite_db.reading(timeout_of) == BUSY_TIMEOUT_MS

    given_back: list[int] = []

    def checked_in(connection: sqlite3.Connection, _record: object) -> None:
        given_back.append(connection.execute("PRAGMA busy_timeout").fetchone()[0])

    event.listen(sqlite_db.engine, "checkin", checked_in)
    try:
        sqlite_db.dispose()
    finally:
        event.remove(sqlite_db.engine, "checkin", checked_in)
    assert given_back == [BUSY_TIMEOUT_MS]  # back in the pool, patient again
    # After dispose() (a test client's app stopping while another goes on): a new one.
    assert read_soon(sqlite_db, read)[:2] == (here, 0)


def test_the_connections_of_threads_that_ended_go_back(sqlite_db: Database) -> None:
    for _ in range(6):  # a test client's portal thread each, say
        thread = threading.Thread(target=read_soon, args=(sqlite_db, timeout_of))
        thread.start()
        thread.join()
    assert sqlite_db.engine.pool.checkedout() <= 1  # type: ignore[attr-defined]


def test_a_page_not_found_keeps_the_connection(sqlite_db: Database) -> None:
    driver = read_soon(sqlite_db, driver_of)

    def read(session: Session) -> None:
        raise NotFound("sujet 404")

    with pytest.raises(NotFound):
        read_soon(sqlite_db, read)
    assert read_soon(sqlite_db, driver_of) is driver


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_busy_database_sends_the_read_to_a_worker_thread(
    sqlite_db: Database, wrapped: bool
) -> None:
    path = sqlite_db.engine.url.database
    assert path is not None
    busy = locked_error(path)
    assert busy.sqlite_errorcode == sqlite3.SQLITE_BUSY
    here = threading.get_ident()
    threads: list[int] = []

    def read(session: Session) -> str:
        threads.append(threading.get_ident())
        if len(threads) == 1:  # SQLite's answer, through the driver or through SQLAlchemy
            raise OperationalError("SELECT 1", {}, busy) if wrapped else busy
        return str(session.execute(text("SELECT 'lu'")).scalar_one())

    kept = read_soon(sqlite_db, driver_of)
    assert read_soon(sqlite_db, read) == "lu"
    assert threads[0] == here and threads[1] != here and len(threads) == 2
    assert read_soon(sqlite_db, driver_of) is kept  # a "busy" says nothing of the connection


def test_other_errors_are_not_tried_again(sqlite_db: Database) -> None:
    calls: list[int] = []

    def read(session: Session) -> None:
        calls.append(1)
        session.execute(text("SELECT * FROM nowhere"))

    failed = read_soon(sqlite_db, driver_of)
    with pytest.raises(OperationalError, match="no such table"):
        read_soon(sqlite_db, read)
    assert len(calls) == 1
    # The connection that failed went back to the pool, patient again; a new one next time.
    assert failed.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
    assert threading.current_thread() not in sqlite_db._kept
    assert read_soon(sqlite_db, timeout_of) == 0


def test_a_pool_nearly_taken_sends_the_read_to_a_worker_thread(sqlite_db: Database) -> None:
    held = [sqlite_db.engine.connect() for _ in range(POOL_SIZE)]
    try:
        here = threading.get_ident()
        assert read_soon(sqlite_db, lambda session: threading.get_ident()) != here
    finally:
        for connection in held:
            connection.close()
    assert read_soon(sqlite_db, lambda session: threading.get_ident()) == threading.get_ident()


def test_two_first_reads_at_once_keep_one_connection(sqlite_db: Database) -> None:
    async def both() -> list[Any]:
        drivers: list[Any] = []

        async def one() -> None:
            drivers.append(await sqlite_db.read_soon(driver_of))

        async with anyio.create_task_group() as group:
            group.start_soon(one)
            group.start_soon(one)
        return drivers

    first, second = anyio.run(both)
    assert first is second  # the one this thread keeps; the other went back to the pool
    assert sqlite_db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
