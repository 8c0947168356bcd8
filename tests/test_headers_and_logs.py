"""Security headers on every response, and logs that never carry a token or a one-time key."""

import logging
from collections.abc import Iterator

import httpx2 as httpx
import pytest
from bs4 import BeautifulSoup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from forum.db import Database
from forum.services import setup_links
from forum.services import tokens as token_service
from tests.conftest import BASE_URL, ClientAs, MakeMember


def csp_directives(response: httpx.Response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive -> sources."""
    header = response.headers.get("content-security-policy")
    assert header, f"no CSP on {response.request.url}"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


def assert_secure_headers(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url} ({response.status_code})"
    csp = csp_directives(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None, where
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    assert "*" not in scripts and "data:" not in scripts, where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"], where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") in (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ), where


@pytest.fixture
def member_browser(make_member: MakeMember, client_as: ClientAs) -> TestClient:
    return client_as(make_member("amina", groups={"pole-ess": "member"}))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/login", 200),
        ("/b/espace-commun", 404),
        ("/n-existe-pas", 404),
        ("/static/forum.css", 200),
        ("/static/absent.css", 404),
        ("/api/v1/n-existe-pas", 404),
        ("/healthz", 200),
        ("/welcome/inconnu", 404),
    ],
)
def test_anonymous_responses_carry_the_headers(path: str, status: int, client: TestClient) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == status
    assert_secure_headers(response)


@pytest.mark.parametrize("path", ["/", "/account", "/b/pole-ess", "/b/copil"])
def test_member_pages_carry_the_headers(path: str, member_browser: TestClient) -> None:
    assert_secure_headers(member_browser.get(path))


def test_refusals_carry_the_headers(member_browser: TestClient, client: TestClient) -> None:
    refusals = [
        member_browser.post("/account", data={"display_name": "x"}),  # CSRF
        client.get("/", headers={"Authorization": "Bearer fpat_inconnu"}),  # bad token
        client.put("/login"),  # method not allowed
        client.post("/login", data={"login": "", "password": ""}),  # invalid form
    ]
    assert [r.status_code for r in refusals] == [403, 401, 405, 400]
    for response in refusals:
        assert_secure_headers(response)


def test_server_errors_carry_the_headers(app: Starlette) -> None:
    async def broken(request: Request) -> Response:
        raise RuntimeError("panne simulée")

    app.router.routes.append(Route("/panne", broken))
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as browser:
        response = browser.get("/panne")
    assert response.status_code == 500
    assert "panne simulée" not in response.text
    assert_secure_headers(response)


@pytest.mark.parametrize("path", ["/", "/login", "/account", "/b/pole-ess"])
def test_pages_need_no_inline_script(path: str, member_browser: TestClient) -> None:
    page = BeautifulSoup(member_browser.get(path).text, "html.parser")
    assert page.find("html") is not None
    for script in page.find_all("script"):
        assert script.get("src"), f"inline <script> on {path}"
    for tag in page.find_all(True):
        handlers = [a for a in tag.attrs if a.lower().startswith("on")]
        assert not handlers, f"inline event handler {handlers} on {path}"
        assert not str(tag.get("href", "")).lower().startswith("javascript:")
        assert "style" not in tag.attrs, f"inline style on {path}: {tag.name}"


def test_private_pages_are_not_cached(member_browser: TestClient) -> None:
    assert member_browser.get("/b/pole-ess").headers["cache-control"] == "no-store"


# --- logs ------------------------------------------------------------------------------------


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "forum.access"]


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every server-side record (the test client's own request log left aside)."""
    server = [r for r in caplog.records if r.name.split(".")[0] not in ("httpx", "httpx2")]
    return "\n".join(r.getMessage() + (r.exc_text or "") for r in server)


def test_access_log_keeps_bearer_tokens_out(
    db: Database, make_member: MakeMember, client: TestClient, logs: pytest.LogCaptureFixture
) -> None:
    amina = make_member("amina", groups={"pole-ess": "member"})
    token, _row = db.transaction(token_service.create_token, user_id=amina.id)
    secret = token.removeprefix("fpat_")
    assert (
        client.get("/b/pole-ess", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    assert client.get(f"/b/pole-ess?token={token}&page=2").status_code == 404
    assert client.get(f"/?access_token={token}").status_code == 200
    assert client.get(f"/?TOKEN={token}").status_code == 200
    assert client.get(f"/?%74oken={token}").status_code == 200
    lines = access_lines(logs)
    assert any("/b/pole-ess" in line and " 200 " in line for line in lines), lines
    assert any("page=2" in line for line in lines), lines
    assert secret not in everything_logged(logs)


def test_access_log_keeps_websocket_tokens_out(
    client: TestClient, logs: pytest.LogCaptureFixture
) -> None:
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/collab/1?token=fpat_sEcReT"),
    ):
        pass
    lines = access_lines(logs)
    assert any("/collab/1" in line for line in lines), lines
    assert "sEcReT" not in everything_logged(logs)


def test_access_log_keeps_one_time_keys_out(
    db: Database, make_member: MakeMember, client: TestClient, logs: pytest.LogCaptureFixture
) -> None:
    amina = make_member("amina")
    key = db.transaction(setup_links.create_password_link, user_id=amina.id, days=1)
    assert client.get(f"/welcome/{key}").status_code == 200
    response = client.post(
        f"/welcome/{key}",
        data={"password": "court", "password_confirm": "court"},
    )
    assert response.status_code == 400
    assert client.get(f"/?key={key}").status_code == 200
    lines = access_lines(logs)
    assert sum("/welcome/" in line for line in lines) == 2, lines
    assert key not in everything_logged(logs)


def test_server_error_log_keeps_one_time_keys_out(
    app: Starlette, logs: pytest.LogCaptureFixture
) -> None:
    async def broken(request: Request) -> Response:
        raise RuntimeError("panne simulée")

    app.router.routes.insert(0, Route("/welcome/{key}/panne", broken))
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as browser:
        assert browser.get("/welcome/cle-secrete-123/panne").status_code == 500
    assert "panne simulée" in everything_logged(logs), "the error itself is logged"
    assert any(" 500 " in line for line in access_lines(logs)), access_lines(logs)
    assert "cle-secrete-123" not in everything_logged(logs)


def test_log_filter_blanks_secrets_in_any_logger_line() -> None:
    import logging

    from forum.logs import RedactSecrets

    record = logging.LogRecord(
        "uvicorn.error",
        logging.INFO,
        __file__,
        1,
        '%s - "WebSocket /collab/7?token=%s" [accepted] %s',
        ("127.0.0.1:5000", "fpat_SECRETVALUE", "/welcome/ONE-TIME-KEY Bearer abc.def"),
        None,
    )
    assert RedactSecrets().filter(record)
    line = record.getMessage()
    assert "SECRETVALUE" not in line and "ONE-TIME-KEY" not in line and "abc.def" not in line
    assert "/collab/7?token=***" in line
