"""CSRF: every unsafe request carrying a session cookie proves it comes from our own pages."""

import re
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.testclient import TestClient

from forum.db import Database
from forum.models import User
from forum.services import tokens as token_service
from forum.services import users as user_service
from tests.conftest import BASE_URL, ClientAs, MakeMember, Member, csrf_token

PROFILE = {"display_name": "Amina B.", "email": "", "locale": ""}


@pytest.fixture
def amina(make_member: MakeMember) -> Member:
    return make_member("amina", groups={"pole-ess": "member"})


@pytest.fixture
def browser(amina: Member, client_as: ClientAs) -> TestClient:
    return client_as(amina)


def display_name(db: Database, member: Member) -> str:
    user: User = db.reading(user_service.get_user, member.id)
    return user.display_name


def post_profile(browser: TestClient, **kwargs: object) -> int:
    response = browser.post("/account", follow_redirects=False, **kwargs)  # type: ignore[arg-type]
    return response.status_code


def test_form_without_token_is_refused(db: Database, amina: Member, browser: TestClient) -> None:
    assert post_profile(browser, data=PROFILE) == 403
    assert display_name(db, amina) == "Amina"


def test_wrong_token_is_refused(db: Database, amina: Member, browser: TestClient) -> None:
    token = csrf_token(browser)
    assert post_profile(browser, data={**PROFILE, "csrf_token": token[::-1]}) == 403
    assert post_profile(browser, data={**PROFILE, "csrf_token": ""}) == 403
    assert display_name(db, amina) == "Amina"


def test_token_is_bound_to_its_session(
    db: Database, amina: Member, browser: TestClient, client_as: ClientAs
) -> None:
    other_session = client_as(amina)
    token = csrf_token(other_session)
    assert token != csrf_token(browser)
    assert post_profile(browser, data={**PROFILE, "csrf_token": token}) == 403
    assert display_name(db, amina) == "Amina"


def test_token_and_same_origin_pass(db: Database, amina: Member, browser: TestClient) -> None:
    token = csrf_token(browser)
    headers = {"Origin": BASE_URL, "Sec-Fetch-Site": "same-origin"}
    data = {**PROFILE, "csrf_token": token}
    assert post_profile(browser, data=data, headers=headers) == 303
    assert display_name(db, amina) == "Amina B."


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Sec-Fetch-Site": "cross-site"}, id="cross-site"),
        pytest.param({"Sec-Fetch-Site": "same-site"}, id="same-site"),
        pytest.param({"Origin": "https://evil.example"}, id="foreign-origin"),
        pytest.param({"Origin": "http://testserver.evil.example"}, id="look-alike-origin"),
        pytest.param({"Origin": "null"}, id="null-origin"),
        pytest.param(
            {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"}, id="mixed"
        ),
    ],
)
def test_foreign_requests_are_refused_even_with_the_token(
    headers: dict[str, str], db: Database, amina: Member, browser: TestClient
) -> None:
    data = {**PROFILE, "csrf_token": csrf_token(browser)}
    assert post_profile(browser, data=data, headers=headers) == 403
    assert display_name(db, amina) == "Amina"


def test_header_token_for_scripts_in_our_pages(
    db: Database, amina: Member, browser: TestClient
) -> None:
    token = csrf_token(browser)
    assert post_profile(browser, data=PROFILE, headers={"X-CSRF-Token": token[::-1]}) == 403
    assert post_profile(browser, data=PROFILE, headers={"X-CSRF-Token": token}) == 303
    assert display_name(db, amina) == "Amina B."


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"json": PROFILE}, id="json"),
        pytest.param({"content": b"display_name=X", "headers": {"Content-Type": "text/plain"}}),
        pytest.param({}, id="no-body"),
    ],
)
def test_non_form_bodies_need_the_header(
    kwargs: dict[str, object], db: Database, amina: Member, browser: TestClient
) -> None:
    assert post_profile(browser, **kwargs) == 403
    assert display_name(db, amina) == "Amina"


def test_stale_cookie_cannot_carry_a_cross_site_post(
    amina: Member, browser: TestClient, client: TestClient
) -> None:
    cookie = browser.cookies["forum_session"]
    browser.post("/logout", data={"csrf_token": csrf_token(browser)})
    client.cookies.set("forum_session", cookie)
    response = client.post("/login", data={}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}],
)
def test_cross_site_sign_in_is_refused(
    headers: dict[str, str], amina: Member, client: TestClient
) -> None:
    # Login CSRF: a foreign page must not sign the visitor's browser into another account.
    data = {"login": "amina", "password": "correct horse battery"}
    response = client.post("/login", data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 403
    assert "forum_session" not in response.headers.get("set-cookie", "")
    same_site = client.post(
        "/login", data=data, headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False
    )
    assert same_site.status_code == 303


def test_bearer_token_alone_is_not_csrf_checked(
    db: Database, amina: Member, client: TestClient
) -> None:
    token, _row = db.transaction(token_service.create_token, user_id=amina.id)
    headers = {
        "Authorization": f"Bearer {token}",
        "Origin": "https://script.example",
        "Sec-Fetch-Site": "cross-site",
    }
    assert post_profile(client, data=PROFILE, headers=headers) == 303
    assert display_name(db, amina) == "Amina B."


def test_bearer_token_does_not_excuse_a_session_cookie(
    db: Database, amina: Member, browser: TestClient
) -> None:
    token, _row = db.transaction(token_service.create_token, user_id=amina.id)
    headers = {"Authorization": f"Bearer {token}", "Sec-Fetch-Site": "cross-site"}
    assert post_profile(browser, data=PROFILE, headers=headers) == 403
    assert display_name(db, amina) == "Amina"


# --- every POST route of the app reads its form through forms.read_form ---------------------

PARAM = re.compile(r"{(\w+)(?::(\w+))?}")


def post_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[str]:
    """Every path (with its parameters) that accepts POST, Mounts included."""
    for route in routes:
        if isinstance(route, Mount):
            yield from post_routes(list(route.routes), prefix + route.path)
        elif isinstance(route, Route) and route.methods and "POST" in route.methods:
            yield prefix + route.path


def concrete(path: str) -> str:
    """A path template with plausible values: id 1 (the admin, their session) and real slugs."""

    def value(match: re.Match[str]) -> str:
        name, convertor = match.group(1), match.group(2)
        if convertor in ("int", "float"):
            return "1"
        return {"slug": "pole-ess", "group": "pole-ess", "board": "pole-ess"}.get(name, "x1")

    return PARAM.sub(value, path)


def unguarded_posts(app: Starlette, browser: TestClient) -> dict[str, int]:
    """POST routes that answer something other than 403 to a signed-in form without csrf_token."""
    found = {}
    for template in sorted(set(post_routes(list(app.routes)))):
        path = concrete(template)
        response = browser.post(path, data={"name": "x"}, follow_redirects=False)
        if response.status_code != 403:
            found[template] = response.status_code
    return found


@pytest.fixture
def admin_browser(make_member: MakeMember, client_as: ClientAs) -> TestClient:
    admin = make_member("root", admin=True, groups={"pole-ess": "moderator"})
    assert admin.id == 1
    return client_as(admin)


def test_every_post_route_refuses_a_form_without_token(
    app: Starlette, admin_browser: TestClient
) -> None:
    templates = set(post_routes(list(app.routes)))
    assert {"/login", "/logout", "/account", "/account/password", "/language"} <= templates
    assert unguarded_posts(app, admin_browser) == {}
    assert admin_browser.get("/account").status_code == 200, "still signed in"


def test_the_route_guard_catches_a_forgetful_handler(
    app: Starlette, admin_browser: TestClient
) -> None:
    async def forgetful(request: Request) -> Response:
        return RedirectResponse("/", status_code=303)

    app.router.routes.append(
        Mount("/extra", routes=[Route("/{n:int}/go", forgetful, methods=["POST"])])
    )
    assert unguarded_posts(app, admin_browser) == {"/extra/{n:int}/go": 303}
