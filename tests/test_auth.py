"""Signing in and out: logins with a suffix, throttling, server-side sessions, cookies."""

import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select, update
from starlette.testclient import TestClient

from forum.auth import passwords
from forum.auth.keys import key_hash
from forum.auth.middleware import SESSION_COOKIE, _remembered, cookie_signer, session_key_of
from forum.db import Database
from forum.errors import InvalidInput
from forum.models import AuthSession, utcnow
from forum.services import sessions as session_service
from forum.services import users as user_service
from forum.settings import Settings
from tests.conftest import PASSWORD, ClientAs, MakeMember, csrf_token, password_hash
from tests.signin import (
    NEW_PASSWORD,
    attempt,
    configured_settings,
    field_errors,
    replay,
    soup,
    who,
    with_settings,
)


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Like the shared fixture, with per-test overrides: @with_settings(login_suffix=".copcm")."""
    return configured_settings(request, tmp_path)


# --- logins ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("amina", "amina.copcm"), ("Amina.Benali", "amina.benali.copcm"), ("a-1.copcm", "a-1.copcm")],
)
def test_logins_get_the_suffix(typed: str, stored: str) -> None:
    assert user_service.normalize_login(typed, ".copcm") == stored


@pytest.mark.parametrize("typed", ["amina_b", "amina b", "émilie", "a..b", ".amina", "amina-", ""])
def test_logins_hold_only_letters_digits_dots_and_dashes(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        user_service.normalize_login(typed)
    assert set(caught.value.errors) == {"login"}


@with_settings(login_suffix=".copcm")
@pytest.mark.parametrize("typed", ["amina", "amina.copcm", "AMINA", " Amina.COPCM "])
def test_sign_in_with_or_without_the_suffix(
    typed: str, db: Database, settings: Settings, client: TestClient
) -> None:
    user = db.transaction(
        user_service.create_user,
        login="amina",
        display_name="Amina",
        password_hash=password_hash(),
        login_suffix=settings.login_suffix,
    )
    assert user.login == "amina.copcm"
    response = attempt(client, typed, PASSWORD)
    assert response.status_code == 303, response.text
    assert who(client) == "amina.copcm"


def test_wrong_password_and_unknown_login_look_the_same(
    make_member: MakeMember, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_member("amina")
    verified: list[str] = []
    real = passwords._context

    class Spy:
        def verify(self, secret: str, hashed: str) -> bool:
            verified.append(hashed)
            return bool(real.verify(secret, hashed))

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(passwords, "_context", Spy())
    wrong = attempt(client, "amina", "pas le bon mot de passe")
    wrong_hashes, verified[:] = list(verified), []
    unknown = attempt(client, "personne", "pas le bon mot de passe")
    unknown_hashes = list(verified)

    assert wrong.status_code == unknown.status_code == 400
    assert field_errors(wrong.text) == field_errors(unknown.text)
    assert set(field_errors(wrong.text)) == {"login"}
    # Both paths run one full argon2 verification, so they take about the same time.
    assert len(wrong_hashes) == len(unknown_hashes) == 1
    assert all(h.startswith("$argon2id$") for h in wrong_hashes + unknown_hashes)
    assert wrong_hashes != unknown_hashes
    # The form comes back with the login kept and the password not echoed.
    field = soup(wrong.text).find("input", attrs={"name": "login"})
    assert field is not None and field["value"] == "amina"
    assert "pas le bon mot de passe" not in wrong.text


def test_disabled_account_gets_the_same_answer(
    db: Database, make_member: MakeMember, client: TestClient
) -> None:
    amina = make_member("amina")
    db.transaction(_set_active, user_id=amina.id, active=False)
    refused = attempt(client, "amina", PASSWORD)
    unknown = attempt(client, "personne", PASSWORD)
    assert refused.status_code == unknown.status_code == 400
    assert field_errors(refused.text) == field_errors(unknown.text)


def test_next_parameter_stays_on_site(make_member: MakeMember, client: TestClient) -> None:
    make_member("amina")
    assert attempt(client, "amina", PASSWORD, next="/account").headers["location"] == "/account"
    client.cookies.clear()
    assert attempt(client, "amina", PASSWORD, next="//evil.example/").headers["location"] == "/"


def test_oversize_form_is_refused_even_without_content_length(client: TestClient) -> None:
    def body() -> Iterator[bytes]:
        yield b"login=" + b"a" * 600_000
        yield b"&password=" + b"b" * 600_000

    response = client.post(
        "/login",
        content=body(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code == 413


# --- throttling ------------------------------------------------------------------------------

THROTTLE = {
    "login_attempts_per_account": 3,
    "login_attempts_per_ip": 5,
    "login_window_seconds": 600,
    "trusted_proxies": ("testclient",),
}


def assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    assert response.headers["retry-after"] == "600"
    form = soup(response.text).find("form", action="/login")
    assert form is not None, "the sign-in form is shown again"
    assert set(field_errors(response.text)) == {"login"}


@with_settings(**THROTTLE)
def test_throttled_per_account_whatever_the_ip(make_member: MakeMember, client: TestClient) -> None:
    make_member("amina")
    make_member("karim")
    for n in range(3):
        assert attempt(client, "amina", "mauvais mot de passe", ip=f"10.0.0.{n}").status_code == 400
    # Even the right password, from a new address, waits.
    assert_throttled(attempt(client, "amina", PASSWORD, ip="10.0.0.99"))
    assert_throttled(attempt(client, "AMINA", PASSWORD, ip="10.0.0.98"))
    # Other accounts are not affected.
    assert attempt(client, "karim", PASSWORD, ip="10.0.0.0").status_code == 303


@with_settings(login_suffix=".copcm", **THROTTLE)
def test_both_forms_of_a_login_share_one_counter(
    db: Database, settings: Settings, client: TestClient
) -> None:
    db.transaction(
        user_service.create_user,
        login="amina",
        display_name="Amina",
        password_hash=password_hash(),
        login_suffix=settings.login_suffix,
    )
    for n, typed in enumerate(["amina", "amina.copcm", "Amina"]):
        assert attempt(client, typed, "mauvais mot de passe", ip=f"10.1.0.{n}").status_code == 400
    assert_throttled(attempt(client, "amina.copcm", PASSWORD, ip="10.1.0.9"))


@with_settings(**THROTTLE)
def test_throttled_per_ip_whatever_the_login(make_member: MakeMember, client: TestClient) -> None:
    make_member("amina")
    for n in range(5):
        assert (
            attempt(client, f"inconnu{n}", "mauvais mot de passe", ip="10.2.0.1").status_code == 400
        )
    assert_throttled(attempt(client, "amina", PASSWORD, ip="10.2.0.1"))
    # Another address is still welcome.
    assert attempt(client, "amina", PASSWORD, ip="10.2.0.2").status_code == 303


@with_settings(login_attempts_per_ip=2, login_window_seconds=600)
def test_forwarded_header_is_ignored_from_untrusted_peers(
    make_member: MakeMember, client: TestClient
) -> None:
    make_member("amina")
    for n in range(2):
        assert attempt(client, f"inconnu{n}", "mauvais", ip=f"10.3.0.{n}").status_code == 400
    assert_throttled(attempt(client, "amina", PASSWORD, ip="10.3.0.200"))


@with_settings(**THROTTLE)
def test_successful_sign_in_clears_the_account_counter(
    make_member: MakeMember, client: TestClient
) -> None:
    make_member("amina")
    ips = iter(f"10.4.0.{n}" for n in range(10))
    for _ in range(2):
        assert attempt(client, "amina", "mauvais mot de passe", ip=next(ips)).status_code == 400
    assert attempt(client, "amina", PASSWORD, ip=next(ips)).status_code == 303
    client.cookies.clear()
    for _ in range(2):
        assert attempt(client, "amina", "mauvais mot de passe", ip=next(ips)).status_code == 400
    assert attempt(client, "amina", PASSWORD, ip=next(ips)).status_code == 303


# --- sessions --------------------------------------------------------------------------------


def test_sign_in_rotates_the_session(
    make_member: MakeMember, client_as: ClientAs, client: TestClient
) -> None:
    amina = make_member("amina")
    browser = client_as(amina)
    old = browser.cookies[SESSION_COOKIE]
    response = attempt(browser, "amina", PASSWORD, csrf_token=csrf_token(browser))
    assert response.status_code == 303
    new = browser.cookies[SESSION_COOKIE]
    assert new != old
    assert who(browser) == "amina"
    assert replay(client, new) == "amina"
    assert replay(client, old) is None


def test_logout_revokes_the_session_on_the_server(
    db: Database, make_member: MakeMember, client_as: ClientAs, client: TestClient
) -> None:
    amina = make_member("amina")
    browser = client_as(amina)
    cookie = browser.cookies[SESSION_COOKIE]
    response = browser.post(
        "/logout", data={"csrf_token": csrf_token(browser)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert any(
        h.startswith(f"{SESSION_COOKIE}=") and "max-age=0" in h.lower()
        for h in response.headers.get_list("set-cookie")
    )
    assert who(browser) is None
    assert replay(client, cookie) is None
    revoked = db.reading(
        lambda s: s.exec(
            select(AuthSession.revoked_at).where(AuthSession.user_id == amina.id)
        ).all()
    )
    assert len(revoked) == 1 and revoked[0] is not None


def test_changing_password_signs_out_other_sessions(
    make_member: MakeMember, client_as: ClientAs, client: TestClient
) -> None:
    amina = make_member("amina.benali")
    here, elsewhere = client_as(amina), client_as(amina)
    response = here.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(here),
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert who(here) == "amina.benali"
    assert who(elsewhere) is None
    assert attempt(client, "amina.benali", PASSWORD).status_code == 400
    assert attempt(client, "amina.benali", NEW_PASSWORD).status_code == 303


def _set_active(session: Session, *, user_id: int, active: bool) -> None:
    user = user_service.get_user(session, user_id)
    user.is_active = active
    session.add(user)


def test_disabled_account_is_anonymous_on_next_request(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina")
    browser = client_as(amina)
    assert who(browser) == "amina"
    db.transaction(_set_active, user_id=amina.id, active=False)
    assert who(browser) is None
    assert browser.get("/b/espace-commun").status_code == 404


def test_admin_signs_a_member_out_everywhere(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina")
    karim = make_member("karim")
    browsers = [client_as(amina), client_as(amina)]
    other = client_as(karim)
    assert db.transaction(session_service.revoke_all_sessions, user_id=amina.id) == 2
    assert [who(b) for b in browsers] == [None, None]
    assert who(other) == "karim"


def test_member_signs_out_one_other_browser(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina")
    karim = make_member("karim")
    here, there = client_as(amina), client_as(amina)
    karims = client_as(karim)

    def session_ids(session: Session, user_id: int) -> list[int]:
        return [s.id for s in session_service.active_sessions(session, user_id=user_id) if s.id]

    amina_ids = db.reading(session_ids, amina.id)
    karim_ids = db.reading(session_ids, karim.id)
    token = csrf_token(here)
    # Someone else's session id, or one that does not exist: 404, and nothing happens.
    for other_id in (karim_ids[0], 9999):
        response = here.post(f"/account/sessions/{other_id}/revoke", data={"csrf_token": token})
        assert response.status_code == 404
    assert who(karims) == "karim"
    # The other browser's session: it is signed out, this one stays.
    theirs = [i for i in amina_ids if i != db.reading(_session_id_of, here)]
    assert len(theirs) == 1
    response = here.post(
        f"/account/sessions/{theirs[0]}/revoke", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert who(there) is None
    assert who(here) == "amina"


def test_profile_errors_are_shown_next_to_the_fields(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina", email="amina@example.org")
    browser = client_as(amina)
    form = {"display_name": "  ", "email": "pas-une-adresse", "locale": "en"}
    response = browser.post("/account", data={**form, "csrf_token": csrf_token(browser)})
    assert response.status_code == 400
    assert set(field_errors(response.text)) == {"display_name", "email"}
    email = soup(response.text).find("input", attrs={"name": "email"})
    assert email is not None and email["value"] == "pas-une-adresse"
    user = db.reading(user_service.get_user, amina.id)
    assert (user.display_name, user.email, user.locale) == ("Amina", "amina@example.org", None)


def _session_id_of(session: Session, browser: TestClient) -> int:
    key = cookie_signer("test-secret").loads(browser.cookies[SESSION_COOKIE])
    row = session.exec(select(AuthSession).where(AuthSession.key_hash == key_hash(key))).one()
    assert row.id is not None
    return row.id


def test_expired_session_is_anonymous(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina")
    browser = client_as(amina)

    def expire(session: Session) -> None:
        session.exec(
            update(AuthSession)
            .where(col(AuthSession.user_id) == amina.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

    db.transaction(expire)
    assert who(browser) is None


def test_forged_cookie_is_ignored_and_cleared(
    make_member: MakeMember, client_as: ClientAs, client: TestClient
) -> None:
    browser = client_as(make_member("amina"))
    genuine = browser.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB"))
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 200
    assert any(
        h.startswith(f"{SESSION_COOKIE}=;") and "max-age=0" in h.lower()
        for h in response.headers.get_list("set-cookie")
    )
    assert soup(response.text).find("form", action="/logout") is None


def session_cookie_header(response: Any) -> list[str]:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    assert len(headers) == 1
    return [part.strip().lower() for part in headers[0].split(";")]


def test_cookie_flags_over_http(make_member: MakeMember, client: TestClient) -> None:
    make_member("amina")
    flags = session_cookie_header(attempt(client, "amina", PASSWORD))
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags


@with_settings(base_url="https://forum.example.org")
def test_cookie_is_secure_when_the_site_is_https(
    make_member: MakeMember, client: TestClient
) -> None:
    make_member("amina")
    flags = session_cookie_header(attempt(client, "amina", PASSWORD))
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags


def test_a_session_cookie_is_checked_against_its_own_secret() -> None:
    # Verified cookies are remembered: keyed by the secret as well, a cookie signed with an
    # old secret stays refused after the secret changed, and a tampered one is refused.
    cookie = cookie_signer("secret-one").dumps("the-key")
    assert session_key_of("secret-one", cookie) == "the-key"
    assert session_key_of("secret-one", cookie) == "the-key"
    assert session_key_of("secret-two", cookie) is None
    assert session_key_of("secret-one", cookie[:-2] + "xx") is None
    assert session_key_of("secret-one", "pas-un-cookie") is None


def test_long_cookies_are_checked_but_never_remembered() -> None:
    remembered = _remembered.cache_info().currsize
    for n in range(20):
        assert session_key_of("secret-one", f"{n}." + "x" * 100_000) is None
    long_key = secrets.token_urlsafe(300)  # random: the signer's compression can't shorten it
    signed = cookie_signer("secret-one").dumps(long_key)
    assert session_key_of("secret-one", signed) == long_key  # long but genuine: still works
    assert _remembered.cache_info().currsize == remembered
