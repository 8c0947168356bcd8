"""Helpers for sign-in tests: settings per test, sign-in attempts, who a browser is, form errors."""

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from forum.auth.middleware import SESSION_COOKIE
from forum.bootstrap import prepare
from forum.settings import Settings
from tests.conftest import BASE_URL

NEW_PASSWORD = "une phrase toute neuve"


def configured_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The shared fixture's settings, with this test's overrides (see with_settings)."""
    fields: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "base_url": BASE_URL,
        "secret_key": "test-secret",
        **getattr(request, "param", {}),
    }
    value = Settings(**fields)
    prepare(value)
    return value


def with_settings(**overrides: Any) -> pytest.MarkDecorator:
    """Run a test with these Settings fields changed."""
    return pytest.mark.parametrize("settings", [overrides], indirect=True, ids=["settings"])


def soup(text: str) -> BeautifulSoup:
    """Parse a page."""
    return BeautifulSoup(text, "html.parser")


def who(browser: TestClient) -> str | None:
    """The login the browser is signed in as, or None for an anonymous visitor."""
    response = browser.get("/account", follow_redirects=False)
    if response.status_code == 303:
        assert response.headers["location"].startswith("/login")
        return None
    assert response.status_code == 200
    main = soup(response.text).find("main")
    assert main is not None
    strong = main.find("strong")
    assert strong is not None
    return strong.get_text(strip=True)


def attempt(
    browser: TestClient, login: str, password: str, ip: str | None = None, **fields: str
) -> Any:
    """POST the sign-in form once (from `ip`, through the trusted proxy, when given)."""
    headers = {"X-Forwarded-For": ip} if ip else {}
    return browser.post(
        "/login",
        data={"login": login, "password": password, **fields},
        headers=headers,
        follow_redirects=False,
    )


def field_errors(text: str) -> dict[str, str]:
    """Field name -> the error message shown next to that field."""
    page = soup(text)
    errors = {}
    for p in page.select("p.field-error"):
        name = str(p["id"]).removesuffix("-error")
        field = page.find("input", attrs={"name": name})
        assert field is not None and field.get("aria-invalid") == "true", name
        errors[name] = p.get_text(strip=True)
    return errors


def replay(client: TestClient, cookie: str) -> str | None:
    """Who an anonymous browser becomes when it presents this session cookie."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    try:
        return who(client)
    finally:
        client.cookies.clear()
