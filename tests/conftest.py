"""Shared fixtures: an app on a fresh database, members, and clients acting as them.

The database is a fresh SQLite file in the test's data directory, or, when
FORUM_TEST_POSTGRES_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1/postgres), a
fresh PostgreSQL database created for the test and dropped after it.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from forum.app import create_app
from forum.auth.passwords import hash_password_sync
from forum.bootstrap import prepare
from forum.db import Database, make_engine, migrate
from forum.services import groups as group_service
from forum.services import users as user_service
from forum.settings import Settings

PASSWORD = "correct horse battery"
BASE_URL = "http://testserver"


@cache
def password_hash() -> str:
    """One hash of PASSWORD for the whole run (argon2 is slow on purpose)."""
    return hash_password_sync(PASSWORD)


POSTGRES_URL = os.environ.get("FORUM_TEST_POSTGRES_URL", "")


def on_postgres() -> bool:
    """True when this run puts each test on PostgreSQL instead of SQLite."""
    return bool(POSTGRES_URL)


def _postgres_admin() -> Engine:
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def _postgres_url(name: str) -> str:
    """The URL of a test database; its sessions don't wait for the disk at each commit."""
    url = make_url(POSTGRES_URL).set(database=name)
    url = url.update_query_dict({"options": "-c synchronous_commit=off"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """This worker's migrated PostgreSQL database, emptied before each test that uses it.

    Creating and dropping a database takes seconds; emptying forty tables takes a few ms.
    """
    if not POSTGRES_URL:
        yield ""
        return
    name = f"forum_test_{uuid.uuid4().hex[:16]}"
    admin = _postgres_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_postgres_url(name))
    migrate(engine)
    engine.dispose()
    try:
        yield _postgres_url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# DELETE is ten times faster than TRUNCATE on tables this small; foreign keys are not
# checked (replica role) since every table is emptied; sequences restart at 1 as on SQLite.
EMPTY_TABLES = """
SET session_replication_role = replica;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT schemaname, tablename FROM pg_tables
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
               AND tablename <> 'alembic_version' LOOP
        EXECUTE format('DELETE FROM %I.%I', r.schemaname, r.tablename);
    END LOOP;
    FOR r IN SELECT sequence_schema, sequence_name FROM information_schema.sequences LOOP
        EXECUTE format('ALTER SEQUENCE %I.%I RESTART', r.sequence_schema, r.sequence_name);
    END LOOP;
END $$;
SET session_replication_role = DEFAULT;
"""


@pytest.fixture
def database_url(postgres_database: str) -> str:
    """The test's empty database: "" for SQLite in the data directory."""
    if not postgres_database:
        return ""
    engine = create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        # Connections an earlier test left behind must not hold locks on the tables.
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        connection.execute(text(EMPTY_TABLES))
    engine.dispose()
    return postgres_database


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for one test: its own data directory and database, the preset applied."""
    value = Settings(
        data_dir=tmp_path / "data",
        base_url=BASE_URL,
        secret_key="test-secret",
        database_url=database_url,
    )
    prepare(value)
    return value


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """Direct database access for arranging a test."""
    database = Database(make_engine(settings.resolved_database_url))
    yield database
    database.dispose()


@dataclass(frozen=True)
class Member:
    """A member created for a test."""

    id: int
    login: str


MakeMember = Callable[..., Member]


@pytest.fixture
def make_member(db: Database) -> MakeMember:
    """Create a member: make_member("amina", groups={"pole-ess": "member"}, admin=False)."""

    def make(
        login: str,
        *,
        groups: dict[str, str] | None = None,
        admin: bool = False,
        name: str | None = None,
        email: str | None = None,
    ) -> Member:
        def create(session):  # type: ignore[no-untyped-def]
            user = user_service.create_user(
                session,
                login=login,
                display_name=name or login.capitalize(),
                email=email,
                is_admin=admin,
                password_hash=password_hash(),
            )
            assert user.id is not None
            for slug, role in (groups or {}).items():
                group_service.set_membership(session, group_slug=slug, user_id=user.id, role=role)
            return Member(id=user.id, login=user.login)

        member: Member = db.transaction(create)
        return member

    return make


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    """The application under test."""
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """An anonymous browser."""
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def sign_in(test_client: TestClient, login: str, password: str = PASSWORD) -> None:
    """Sign a TestClient in through the real form."""
    response = test_client.post(
        "/login", data={"login": login, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


ClientAs = Callable[[Member], TestClient]


@pytest.fixture
def client_as(app) -> Iterator[ClientAs]:  # type: ignore[no-untyped-def]
    """client_as(member) -> a browser signed in as that member (one per member)."""
    opened: list[TestClient] = []

    def make(member: Member) -> TestClient:
        test_client = TestClient(app, base_url=BASE_URL)
        test_client.__enter__()
        opened.append(test_client)
        sign_in(test_client, member.login)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


def csrf_token(test_client: TestClient, path: str = "/account") -> str:
    """The CSRF token a signed-in page carries in its forms."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(test_client.get(path).text, "html.parser")
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None, f"no csrf_token on {path}"
    return str(field["value"])
