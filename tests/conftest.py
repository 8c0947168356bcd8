"""Shared fixtures: an app on a fresh SQLite file, members, and clients acting as them."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from forum.app import create_app
from forum.auth.passwords import hash_password_sync
from forum.bootstrap import prepare
from forum.db import Database, make_engine
from forum.services import groups as group_service
from forum.services import users as user_service
from forum.settings import Settings

PASSWORD = "correct horse battery"
BASE_URL = "http://testserver"


@cache
def password_hash() -> str:
    """One hash of PASSWORD for the whole run (argon2 is slow on purpose)."""
    return hash_password_sync(PASSWORD)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: its own data directory, the preset applied."""
    value = Settings(data_dir=tmp_path / "data", base_url=BASE_URL, secret_key="test-secret")
    prepare(value)
    return value


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """Direct database access for arranging a test."""
    engine = make_engine(settings.resolved_database_url)
    yield Database(engine)
    engine.dispose()


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
