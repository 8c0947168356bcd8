"""Which language a page is in: member's choice, then cookie, then Accept-Language, then default.

Only the `lang` attribute is checked here; the translations themselves have their own tests.
"""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from forum import i18n
from forum.app import create_app
from forum.auth.middleware import LANGUAGE_COOKIE
from forum.bootstrap import prepare
from forum.db import Database
from forum.services import users as user_service
from forum.settings import Settings
from tests.conftest import BASE_URL, ClientAs, MakeMember, csrf_token


def lang(browser: TestClient, path: str = "/", accept: str | None = None) -> str:
    headers = {"Accept-Language": accept} if accept is not None else {}
    response = browser.get(path, headers=headers)
    html = BeautifulSoup(response.text, "html.parser").find("html")
    assert html is not None, f"{path} is not a page"
    return str(html["lang"])


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "fr"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,en;q=0.5,fr;q=0.4", "en"),
        ("de,es", "fr"),
        ("en;q=0, fr;q=0.1", "fr"),
        ("fr;q=0.2, en;q=0.7", "en"),
        ("en;q=abc, ar", "fr"),
        ("*", "fr"),
    ],
)
def test_accept_language(accept: str | None, expected: str, client: TestClient) -> None:
    assert lang(client, accept=accept) == expected


@pytest.mark.parametrize("path", ["/", "/login", "/b/n-existe-pas", "/welcome/inconnu"])
def test_every_page_follows_the_browser(path: str, client: TestClient) -> None:
    assert lang(client, path, accept="en-US") == "en"
    assert lang(client, path, accept="fr") == "fr"


def test_default_locale_setting(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", base_url=BASE_URL, secret_key="s", default_locale="en"
    )
    prepare(settings)
    with TestClient(create_app(settings), base_url=BASE_URL) as browser:
        assert lang(browser) == "en"
        assert lang(browser, accept="fr") == "fr"
        assert lang(browser, accept="de") == "en"


def test_cookie_beats_accept_language(client: TestClient) -> None:
    response = client.post(
        "/language", data={"locale": "en", "next": "/login"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert client.cookies.get(LANGUAGE_COOKIE) == "en"
    assert lang(client, accept="fr") == "en"
    client.post("/language", data={"locale": "fr"})
    assert lang(client, accept="en") == "fr"


def test_unknown_cookie_value_is_ignored(client: TestClient) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "xx")
    assert lang(client, accept="en") == "en"
    assert lang(client, accept="fr") == "fr"


def test_unknown_language_choice_changes_nothing(client: TestClient) -> None:
    client.post("/language", data={"locale": "de"})
    assert LANGUAGE_COOKIE not in client.cookies
    assert lang(client, accept="fr") == "fr"


def test_member_choice_beats_cookie_and_browser(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina")
    db.transaction(user_service.set_locale, user_id=amina.id, locale="en")
    browser = client_as(amina)
    browser.cookies.set(LANGUAGE_COOKIE, "fr")
    assert lang(browser, accept="fr") == "en"
    assert lang(browser, "/account", accept="fr") == "en"


def test_member_without_choice_follows_cookie_then_browser(
    make_member: MakeMember, client_as: ClientAs
) -> None:
    browser = client_as(make_member("amina"))
    assert lang(browser, accept="en") == "en"
    browser.cookies.set(LANGUAGE_COOKIE, "fr")
    assert lang(browser, accept="en") == "fr"


def test_language_switch_is_remembered_in_the_profile(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina")
    browser = client_as(amina)
    response = browser.post(
        "/language",
        data={"locale": "en", "next": "/account", "csrf_token": csrf_token(browser)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert db.reading(user_service.get_user, amina.id).locale == "en"
    # Another browser, with French everywhere, still gets the member's choice.
    other = client_as(amina)
    other.cookies.set(LANGUAGE_COOKIE, "fr")
    assert lang(other, accept="fr") == "en"


def test_profile_language_choice(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina")
    browser = client_as(amina)
    token = csrf_token(browser)
    form = {"display_name": "Amina", "email": "", "csrf_token": token}
    saved = browser.post("/account", data={**form, "locale": "en"}, follow_redirects=False)
    assert saved.status_code == 303
    assert lang(browser, accept="fr") == "en"
    # "Follow the browser" clears the choice.
    browser.post("/account", data={**form, "locale": ""})
    assert db.reading(user_service.get_user, amina.id).locale is None
    assert lang(browser, accept="fr") == "fr"
    refused = browser.post("/account", data={**form, "locale": "klingon"})
    assert refused.status_code == 400
    assert db.reading(user_service.get_user, amina.id).locale is None


def test_negotiate_default() -> None:
    assert i18n.negotiate(None, "en") == "en"
    assert i18n.negotiate("", "fr") == "fr"
