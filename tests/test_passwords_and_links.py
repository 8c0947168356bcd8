"""Passwords: strength rules on every form that sets one, and the one-time links."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select, update
from starlette.testclient import TestClient

from forum.auth import passwords
from forum.db import Database
from forum.models import SetupLink, User, utcnow
from forum.services import setup_links
from forum.services import users as user_service
from forum.settings import Settings
from tests.conftest import PASSWORD, ClientAs, MakeMember, csrf_token
from tests.signin import (
    NEW_PASSWORD,
    attempt,
    configured_settings,
    field_errors,
    soup,
    who,
    with_settings,
)


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Like the shared fixture, with per-test overrides: @with_settings(login_suffix=".copcm")."""
    return configured_settings(request, tmp_path)


# --- password rules --------------------------------------------------------------------------

WEAK = [
    pytest.param("court1234", id="too-short"),
    pytest.param("motdepasse123", id="common"),
    pytest.param("AzertyUiop", id="common-any-case"),
    pytest.param("amina.benali", id="equals-login"),
    pytest.param("Amina.Benali", id="equals-login-any-case"),
]


@pytest.mark.parametrize("weak", WEAK)
def test_password_rules_on_account_page(
    weak: str, make_member: MakeMember, client_as: ClientAs, client: TestClient
) -> None:
    amina = make_member("amina.benali")
    browser, other = client_as(amina), client_as(amina)
    response = browser.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(browser),
            "current_password": PASSWORD,
            "new_password": weak,
            "new_password_confirm": weak,
        },
    )
    assert response.status_code == 400
    assert set(field_errors(response.text)) == {"new_password"}
    assert who(other) == "amina.benali", "a refused change signs nobody out"
    assert attempt(client, "amina.benali", PASSWORD).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field"),
    [
        ("pas le mot de passe", NEW_PASSWORD, NEW_PASSWORD, "current_password"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "new_password_confirm"),
    ],
)
def test_account_password_form_errors(
    current: str, new: str, confirm: str, field: str, make_member: MakeMember, client_as: ClientAs
) -> None:
    browser = client_as(make_member("amina"))
    response = browser.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(browser),
            "current_password": current,
            "new_password": new,
            "new_password_confirm": confirm,
        },
    )
    assert response.status_code == 400
    assert set(field_errors(response.text)) == {field}
    assert NEW_PASSWORD not in response.text


@pytest.mark.parametrize("common", ["motdepasse2025", "zxcvbnm,./", "0000000000", "Azertyuiop"])
def test_common_passwords_are_refused_as_listed(common: str) -> None:
    assert passwords.password_problem(common) is not None
    assert passwords.password_problem(common + "-et-un-peu-plus") is None


@pytest.mark.parametrize(
    ("password", "login", "refused"),
    [
        ("amina.aime.les.phrases", "amina.copcm", False),
        ("amina.copcm", "amina.copcm", True),
        ("jean.dupont", "jean.dupont.copcm", True),
        ("Mot-de-passe-Jean", "jean.dupont", False),
    ],
)
def test_password_equal_to_the_login(password: str, login: str, refused: bool) -> None:
    assert (passwords.password_problem(password, login=login) is not None) is refused


def password_link(db: Database, user_id: int, days: int = 7) -> str:
    key: str = db.transaction(setup_links.create_password_link, user_id=user_id, days=days)
    return key


def choose(client: TestClient, key: str, password: str, confirm: str | None = None) -> Any:
    return client.post(
        f"/welcome/{key}",
        data={"password": password, "password_confirm": password if confirm is None else confirm},
        follow_redirects=False,
    )


@pytest.mark.parametrize("weak", WEAK)
def test_password_rules_on_welcome_link(
    weak: str, db: Database, make_member: MakeMember, client: TestClient
) -> None:
    amina = make_member("amina.benali")
    key = password_link(db, amina.id)
    response = choose(client, key, weak)
    assert response.status_code == 400
    assert set(field_errors(response.text)) == {"password"}
    # Nothing was spent or changed: the link still works, the old password too.
    assert client.get(f"/welcome/{key}").status_code == 200
    assert attempt(client, "amina.benali", PASSWORD).status_code == 303


def test_welcome_link_is_single_use(
    db: Database, make_member: MakeMember, client: TestClient, client_as: ClientAs
) -> None:
    amina = make_member("amina")
    old_browser = client_as(amina)
    key = password_link(db, amina.id)
    page = soup(client.get(f"/welcome/{key}").text)
    assert page.find("form", action=f"/welcome/{key}") is not None
    assert choose(client, key, NEW_PASSWORD, NEW_PASSWORD + "x").status_code == 400
    response = choose(client, key, NEW_PASSWORD)
    assert response.status_code == 303
    assert who(client) == "amina"
    client.cookies.clear()
    assert client.get(f"/welcome/{key}").status_code == 404
    assert choose(client, key, "encore une autre phrase").status_code == 404
    assert attempt(client, "amina", NEW_PASSWORD).status_code == 303
    # Choosing a new password through a link signs out the browsers that knew the old one.
    assert who(old_browser) is None


def test_newer_link_replaces_older_one(
    db: Database, make_member: MakeMember, client: TestClient
) -> None:
    amina = make_member("amina")
    first = password_link(db, amina.id)
    second = password_link(db, amina.id)
    assert client.get(f"/welcome/{first}").status_code == 404
    assert client.get(f"/welcome/{second}").status_code == 200


def test_welcome_link_expires(db: Database, make_member: MakeMember, client: TestClient) -> None:
    amina = make_member("amina")
    key = password_link(db, amina.id)
    assert client.get(f"/welcome/{key}").status_code == 200

    def age(session: Session) -> None:
        session.exec(update(SetupLink).values(expires_at=utcnow() - timedelta(seconds=1)))

    db.transaction(age)
    assert client.get(f"/welcome/{key}").status_code == 404
    assert choose(client, key, NEW_PASSWORD).status_code == 404
    assert attempt(client, "amina", PASSWORD).status_code == 303


def first_admin_form(login: str, password: str = NEW_PASSWORD, **extra: str) -> dict[str, str]:
    return {
        "login": login,
        "display_name": "Présidente",
        "email": "",
        "password": password,
        "password_confirm": password,
        **extra,
    }


def test_first_admin_link(db: Database, client: TestClient) -> None:
    key = db.transaction(setup_links.create_first_admin_link, days=1)
    assert key is not None
    page = soup(client.get(f"/welcome/{key}").text)
    assert page.find("input", attrs={"name": "login"}) is not None
    # A broken form leaves nothing behind and keeps the link alive.
    bad = client.post(f"/welcome/{key}", data=first_admin_form("Présidente!"))
    assert bad.status_code == 400
    assert set(field_errors(bad.text)) == {"login"}
    assert not db.reading(user_service.admin_exists)
    response = client.post(
        f"/welcome/{key}", data=first_admin_form("Presidente"), follow_redirects=False
    )
    assert response.status_code == 303
    assert who(client) == "presidente"
    assert db.reading(user_service.get_user_by_login, "presidente").is_admin
    assert client.get(f"/welcome/{key}").status_code == 404
    assert db.transaction(setup_links.create_first_admin_link, days=1) is None


def test_first_admin_link_dies_once_an_admin_exists(
    db: Database, make_member: MakeMember, client: TestClient
) -> None:
    key = db.transaction(setup_links.create_first_admin_link, days=1)
    assert key is not None
    make_member("root", admin=True)
    assert client.get(f"/welcome/{key}").status_code == 404
    response = client.post(f"/welcome/{key}", data=first_admin_form("intrus"))
    assert response.status_code == 404
    assert db.reading(lambda s: s.exec(select(User.login).where(User.is_admin)).all()) == ["root"]


def test_first_admin_password_rules(db: Database, client: TestClient) -> None:
    key = db.transaction(setup_links.create_first_admin_link, days=1)
    assert key is not None
    response = client.post(f"/welcome/{key}", data=first_admin_form("presidente", "presidente"))
    assert response.status_code == 400
    assert set(field_errors(response.text)) == {"password"}
    assert not db.reading(user_service.admin_exists)


@with_settings(login_suffix=".copcm")
def test_first_admin_gets_the_suffix(db: Database, client: TestClient) -> None:
    key = db.transaction(setup_links.create_first_admin_link, days=1)
    assert key is not None
    refused = client.post(f"/welcome/{key}", data=first_admin_form("admin", "admin.copcm"))
    assert set(field_errors(refused.text)) == {"password"}
    response = client.post(
        f"/welcome/{key}", data=first_admin_form("admin"), follow_redirects=False
    )
    assert response.status_code == 303
    assert who(client) == "admin.copcm"


@with_settings(login_attempts_per_account=2)
def test_guessing_the_current_password_is_throttled(
    make_member: MakeMember, client_as: ClientAs
) -> None:
    browser = client_as(make_member("amina"))

    def change(current: str) -> int:
        response = browser.post(
            "/account/password",
            data={
                "csrf_token": csrf_token(browser),
                "current_password": current,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            },
            follow_redirects=False,
        )
        return response.status_code

    assert [change("devinette-1"), change("devinette-2")] == [400, 400]
    assert change(PASSWORD) == 429  # even the right password waits for the window
