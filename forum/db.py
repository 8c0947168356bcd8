"""Engine and transactions: writes run as one function in one transaction on a worker thread."""

import logging
import sqlite3
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeGuard, TypeVar

import anyio
import anyio.to_thread
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session

P = ParamSpec("P")
T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)
WORKER_THREADS = 8  # database calls running at once, each on its own thread
POOL_SIZE = WORKER_THREADS + 4  # the collab server and the live stream read besides
BUSY_TIMEOUT_MS = 30_000  # how long SQLite waits for a lock before it answers "locked"
ACCESS_CHANGED = "forum.access_changed"  # a Session.info key, see mark_access_changed


def mark_access_changed(session: Session) -> None:
    """Note that this transaction may take access away: once it commits, Database tells its
    access listeners (the live collaboration server rechecks its connections)."""
    session.info[ACCESS_CHANGED] = True


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and explicit BEGINs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_SIZE)
    on_disk = bool(parsed.database) and parsed.database != ":memory:"
    if on_disk:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    # A file gets as many pooled connections as worker threads (Database's limiter) and then
    # some: a smaller pool closes and reopens connections under load, with their PRAGMAs each
    # time. An in-memory database keeps SQLAlchemy's single-connection pool.
    pooling = {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE} if on_disk else {}
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}, **pooling
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transactions out of the driver's hands so that we can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the lock up front: no deadlock-prone upgrade from a read lock.
        immediate = conn.get_execution_options().get("begin_immediate", False)
        # On the driver's connection: through exec_driver_sql, SQLAlchemy's machinery cost
        # more than the BEGIN itself, twice per page (the session lookup, then the page).
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _driver(connection: Connection) -> sqlite3.Connection:
    driver = connection.connection.dbapi_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def _usable(connection: Connection | None) -> TypeGuard[Connection]:
    """A kept connection still open and sound."""
    return connection is not None and not (connection.closed or connection.invalidated)


def _busy(error: Exception) -> bool:
    """Whether SQLite answered "busy" (SQLITE_BUSY and its extended codes)."""
    driver_error = getattr(error, "orig", error)
    code = getattr(driver_error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def migrate(engine: Engine) -> None:
    """Bring the database schema to the latest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def has_schema(engine: Engine) -> bool:
    """True when the database already holds our tables."""
    return inspect(engine).has_table("users")


class _JoinedSession(Session):
    """A session on a connection whose transaction `Database.reading` (or `writing`) holds.

    The ORM joins that transaction as usual; `connection()` without arguments is that
    connection directly: the busiest reads (forum.prepared's, about ten per page) ask for it,
    and through the ORM's machinery each asking cost more than SQLite's own work.
    """

    def __init__(self, connection: Connection) -> None:
        super().__init__(bind=connection, expire_on_commit=False)
        self._read_connection = connection

    def connection(
        self,
        bind_arguments: dict[str, Any] | None = None,
        execution_options: Any = None,
    ) -> Connection:
        if bind_arguments is None and execution_options is None:
            return self._read_connection
        return super().connection(
            bind_arguments=bind_arguments, execution_options=execution_options
        )


class Database:
    """The engine plus the two ways to use it: a write transaction or a read."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_engine = engine.execution_options(begin_immediate=True)
        self._limiter = anyio.CapacityLimiter(WORKER_THREADS)
        url = engine.url
        # A file of SQLite answers a short read in a few hundred µs, without a network round
        # trip: less than handing it to a worker thread and back costs (see read_soon).
        self.reads_inline = url.get_backend_name() == "sqlite" and url.database not in (
            None,
            "",
            ":memory:",
        )
        self.access_listeners: list[Callable[[], None]] = []
        # The event loop's reads keep their connection (one per thread running a loop): a
        # checkout and return to the pool, and setting the busy timeout twice, cost a tenth of
        # a page's read.
        self._kept: dict[threading.Thread, Connection] = {}
        self._kept_lock = threading.Lock()

    def write(self) -> Session:
        """A session whose transaction starts with BEGIN IMMEDIATE on SQLite."""
        return Session(self._write_engine, expire_on_commit=False)

    def read(self) -> Session:
        """A session for reads."""
        return Session(self.engine, expire_on_commit=False)

    def transaction(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run fn(session, ...) in one transaction, synchronously; commit or roll back."""
        with self.write() as session:
            with session.begin():
                result = fn(session, *args, **kwargs)
            if session.info.pop(ACCESS_CHANGED, False):
                for listener in self.access_listeners:
                    try:
                        listener()  # after the commit: a recheck sees the new state
                    except Exception:  # the change is committed: never turn it into an error
                        log.exception("an access listener failed")
            return result

    def reading(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run fn(session, ...) for reading, synchronously, in one transaction (one snapshot).

        A Core connection and its transaction, with a session joined to it: a third of the
        cost of a session's own transaction, paid twice per page (the member, then the page).
        """
        with self.engine.connect() as connection, connection.begin():
            with _JoinedSession(connection) as session:
                return fn(session, *args, **kwargs)

    def writing(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run fn(session, ...) in a short write transaction (BEGIN IMMEDIATE on SQLite).

        As `reading`: a Core connection and its transaction, with a session joined to it,
        for a statement or two (a topic visit's reading point) without the cost of a
        session's own transaction. Access listeners are not told: not for a change of access.
        """
        with self._write_engine.connect() as connection, connection.begin():
            with _JoinedSession(connection) as session:
                return fn(session, *args, **kwargs)

    async def run_sync(self, call: Callable[[], T]) -> T:
        """call() on a worker thread, among the database's: a read and a write in one hop."""
        return await anyio.to_thread.run_sync(call, limiter=self._limiter)

    async def read_soon(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """fn(session, ...) for reading: a short read (a page's, bounded), at once on the
        calling thread where SQLite can answer without waiting, else on a worker thread.

        The event loop must never wait: the read runs on a connection this thread keeps, with
        SQLite's busy timeout at zero (a reader of a WAL database waits only in rare moments:
        a connection closing the last or recovering the file, a checkpoint that truncates);
        when SQLite answers "busy", fn runs again from the start on a worker thread, where
        waiting is harmless (fn only reads: running it twice changes nothing). A page's read
        on a worker thread cost more than the read itself (thread hand-offs, the GIL passed
        back and forth: a quarter of a topic page's CPU)."""
        if self.reads_inline:
            connection = await self._kept_connection()
            if connection is not None:
                try:
                    return self._read_on(connection, fn, *args, **kwargs)
                except (sqlite3.OperationalError, OperationalError) as error:
                    if not _busy(error):
                        raise
        return await self.run_read(fn, *args, **kwargs)

    async def _kept_connection(self) -> Connection | None:
        """This thread's connection for reads that do not wait, opened on first use (None
        when the pool has none to spare: the read goes to a worker thread)."""
        thread = threading.current_thread()
        connection = self._kept.get(thread)
        if _usable(connection):
            return connection
        if connection is not None:  # closed by dispose(), or broken: a new one
            self._give_back(connection)
        if self.engine.pool.checkedout() >= POOL_SIZE:  # type: ignore[attr-defined]
            return None
        # Opened on a worker thread: a new connection's settings may wait for a lock.
        connection = await self.run_sync(self._open_kept)
        with self._kept_lock:
            ended = [other for other in self._kept if not other.is_alive()]
            meanwhile = self._kept.get(thread)  # another request of this loop opened one
            if not _usable(meanwhile):
                self._kept[thread] = connection
                meanwhile = None
        if meanwhile is not None:
            self._give_back(connection)
            connection = meanwhile
        for other in ended:  # threads gone (a test client's, say): their connections back
            if (left := self._kept.get(other)) is not None:
                self._give_back(left)
        return connection

    def _open_kept(self) -> Connection:
        connection = self.engine.connect()
        try:
            _driver(connection).execute("PRAGMA busy_timeout=0")
        except BaseException:
            connection.close()
            raise
        return connection

    def _read_on(
        self,
        connection: Connection,
        fn: Callable[Concatenate[Session, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        try:
            with connection.begin(), _JoinedSession(connection) as session:
                return fn(session, *args, **kwargs)
        except (sqlite3.Error, SQLAlchemyError) as error:
            # The database's own errors (a page's 404 leaves the connection as it is):
            # kept after a "busy", given back otherwise, a fresh one next time.
            if connection.invalidated or not _busy(error):
                self._give_back(connection)
            raise

    def _give_back(self, connection: Connection) -> None:
        """Return a kept connection to the pool with SQLite's usual patience for writers
        (or drop it, if that cannot be restored)."""
        with self._kept_lock:
            for thread in [t for t, kept in self._kept.items() if kept is connection]:
                del self._kept[thread]
        if connection.closed:
            return
        try:
            if not connection.invalidated:
                _driver(connection).execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except Exception:
            connection.invalidate()  # never back in the pool without its busy timeout
        connection.close()

    async def run_in_transaction(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run fn(session, ...) in one transaction on a worker thread."""
        call = partial(self.transaction, fn, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=self._limiter)

    async def run_read(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run fn(session, ...) for reading on a worker thread."""
        call = partial(self.reading, fn, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=self._limiter)

    def dispose(self) -> None:
        """Close every pooled connection."""
        for connection in list(self._kept.values()):
            self._give_back(connection)
        self.engine.dispose()
