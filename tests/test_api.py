"""The JSON API: who sees which board and may do what there, tokens, CSRF, and 404s."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx2
import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session
from starlette.testclient import TestClient

from forum.db import Database
from forum.services import accounts as account_service
from forum.services import boards as board_service
from forum.services import tokens as token_service
from tests.conftest import ClientAs, MakeMember, Member, csrf_token

A, B = "pole-ess", "copil"  # two groups of the preset

# Each visibility for each group, and without a group; the test creates those not in the preset.
BOARDS: dict[str, tuple[str, str | None]] = {
    "pole-ess": ("group", A),  # preset
    "copil": ("group", B),  # preset
    "ess-membres": ("members", A),
    "copil-membres": ("members", B),
    "espace-commun": ("members", None),  # preset
    "ess-public": ("public", A),
    "copil-public": ("public", B),
    "vitrine": ("public", None),
}
PRESET = {"pole-ess", "copil", "espace-commun"}

# The authorization matrix. "" = hidden (404); r = read, p = post, m = moderate, a = administer.
ACTORS = ("anonymous", "member_a", "member_b", "moderator_a", "admin")
MATRIX: dict[str, tuple[str, str, str, str, str]] = {
    #                  anonymous  member_a  member_b  moderator_a  admin
    "pole-ess":       ("",        "rp",     "",       "rpm",       "rpma"),
    "copil":          ("",        "",       "rp",     "",          "rpma"),
    "ess-membres":    ("",        "rp",     "rp",     "rpm",       "rpma"),
    "copil-membres":  ("",        "rp",     "rp",     "rp",        "rpma"),
    "espace-commun":  ("",        "rp",     "rp",     "rp",        "rpma"),
    "ess-public":     ("r",       "rp",     "rp",     "rpm",       "rpma"),
    "copil-public":   ("r",       "rp",     "rp",     "rp",        "rpma"),
    "vitrine":        ("r",       "rp",     "rp",     "rp",        "rpma"),
}  # fmt: skip

Get = Callable[[str], httpx2.Response]


def expected_column(actor: str) -> dict[str, str]:
    """What the matrix says one actor may do on each board."""
    column = ACTORS.index(actor)
    return {slug: row[column] for slug, row in MATRIX.items()}


def flags(board: dict[str, Any]) -> str:
    """A board's permissions in the matrix's notation."""
    permissions = board["permissions"]
    assert permissions["read"] is True
    letters = [("p", "post"), ("m", "moderate"), ("a", "administer")]
    return "r" + "".join(letter for letter, name in letters if permissions[name])


def bearer(token: str) -> dict[str, str]:
    """The header that authenticates a request with a personal access token."""
    return {"Authorization": f"Bearer {token}"}


def create_token(db: Database, member: Member) -> str:
    """A new personal access token of the member."""
    token, _row = db.transaction(token_service.create_token, user_id=member.id, name="test")
    return token


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> dict[str, Member]:
    """The boards of BOARDS, and a member of A, a member of B, a moderator of A, an admin."""

    def create(session: Session) -> None:
        for slug, (visibility, group) in BOARDS.items():
            if slug in PRESET:
                board = board_service.get_board(session, slug)
                assert board.visibility == visibility, f"the preset changed {slug}"
            else:
                board_service.create_board(
                    session, slug=slug, name=slug.title(), visibility=visibility, group_slug=group
                )

    db.transaction(create)
    return {
        "member_a": make_member("amina", groups={A: "member"}),
        "member_b": make_member("bruno", groups={B: "member"}),
        "moderator_a": make_member("chloe", groups={A: "moderator"}),
        "admin": make_member("admin", admin=True),
    }


@pytest.fixture
def get_as(
    people: dict[str, Member], db: Database, client: TestClient, client_as: ClientAs
) -> Callable[[str, str], Get]:
    """get_as(actor, via) -> GET as anonymous, or as a member by session or by token."""

    def make(actor: str, via: str) -> Get:
        if actor == "anonymous":
            return client.get
        member = people[actor]
        if via == "session":
            return client_as(member).get
        headers = bearer(create_token(db, member))
        return lambda path: client.get(path, headers=headers)

    return make


CALLERS = [("anonymous", "nothing")] + [
    (actor, via) for actor in ACTORS[1:] for via in ("session", "token")
]


@pytest.mark.parametrize(("actor", "via"), CALLERS)
def test_authorization_matrix_on_the_api(
    actor: str, via: str, get_as: Callable[[str, str], Get], db: Database
) -> None:
    get = get_as(actor, via)
    expected = expected_column(actor)

    listing = get("/api/v1/boards")
    assert listing.status_code == 200
    listed = {board["slug"]: flags(board) for board in listing.json()}
    assert {s: f for s, f in listed.items() if s in BOARDS} == {
        s: f for s, f in expected.items() if f
    }
    # Outside the matrix are the preset's other group boards: only administrators see them.
    every_board = {board.slug for board, _group in db.reading(board_service.list_all_boards)}
    outside = every_board - set(BOARDS)
    assert set(listed) - set(BOARDS) == (outside if actor == "admin" else set())

    one_by_one = {}
    for slug in BOARDS:
        response = get(f"/api/v1/boards/{slug}")
        assert response.status_code in (200, 404), slug
        one_by_one[slug] = flags(response.json()) if response.status_code == 200 else ""
    assert one_by_one == expected


@pytest.mark.parametrize(("actor", "via"), CALLERS)
def test_authorization_matrix_on_the_pages(
    actor: str, via: str, get_as: Callable[[str, str], Get]
) -> None:
    get = get_as(actor, via)
    seen = {}
    for slug in BOARDS:
        response = get(f"/b/{slug}")
        assert response.status_code in (200, 404), slug
        if response.status_code == 404:
            seen[slug] = ""
            continue
        page = BeautifulSoup(response.text, "html.parser")
        post = page.find("a", href=f"/b/{slug}/new") is not None
        administer = page.find("a", href=f"/admin/boards/{slug}") is not None
        seen[slug] = "r" + ("p" if post else "") + ("a" if administer else "")
    # Board pages don't offer moderation yet: compare reading, posting and administering.
    expected = expected_column(actor)
    assert seen == {slug: "".join(c for c in f if c in "rpa") for slug, f in expected.items()}


def test_a_board_has_its_fields_and_group(
    people: dict[str, Member], client: TestClient, db: Database
) -> None:
    headers = bearer(create_token(db, people["member_a"]))
    board = client.get("/api/v1/boards/pole-ess", headers=headers).json()
    created_at = board.pop("created_at")
    assert board == {
        "slug": "pole-ess",
        "name": "Pôle ESS",
        "description": "Espace privé du Pôle Économie sociale et solidaire.",
        "visibility": "group",
        "group": {"slug": "pole-ess", "name": "Pôle ESS"},
        "url": "/b/pole-ess",
        "permissions": {"read": True, "post": True, "moderate": False, "administer": False},
    }
    assert created_at.endswith("Z")
    assert datetime.fromisoformat(created_at).utcoffset() == timedelta(0)
    common = client.get("/api/v1/boards/espace-commun", headers=headers).json()
    assert common["group"] is None


def test_the_listing_is_in_display_order(
    people: dict[str, Member], client: TestClient, db: Database
) -> None:
    def reorder(session: Session) -> None:
        board = board_service.get_board(session, "vitrine")
        board.position = -1
        session.add(board)

    slugs = [board["slug"] for board in client.get("/api/v1/boards").json()]
    assert slugs == ["ess-public", "copil-public", "vitrine"]  # created in this order
    db.transaction(reorder)
    slugs = [board["slug"] for board in client.get("/api/v1/boards").json()]
    assert slugs == ["vitrine", "ess-public", "copil-public"]


def test_me_needs_a_member(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["error"] == "unauthenticated"
    assert body["message"]


def test_me_by_session_and_by_token(
    make_member: MakeMember, client: TestClient, client_as: ClientAs, db: Database
) -> None:
    chloe = make_member(
        "chloe", groups={A: "moderator", B: "member"}, name="Chloé Martin", email="c@example.org"
    )
    by_session = client_as(chloe).get("/api/v1/me")
    by_token = client.get("/api/v1/me", headers=bearer(create_token(db, chloe)))
    assert by_session.status_code == by_token.status_code == 200
    assert by_session.json() == by_token.json()
    me = by_token.json()
    assert me.pop("created_at").endswith("Z")
    assert me == {
        "id": chloe.id,
        "login": "chloe",
        "display_name": "Chloé Martin",
        "email": "c@example.org",
        "is_admin": False,
        "locale": None,
        "groups": [
            {"slug": "copil", "name": "COPIL", "role": "member"},
            {"slug": "pole-ess", "name": "Pôle ESS", "role": "moderator"},
        ],
    }


def test_a_token_opens_pages_too(
    people: dict[str, Member], client: TestClient, db: Database
) -> None:
    headers = bearer(create_token(db, people["member_a"]))
    assert client.get("/b/pole-ess").status_code == 404
    assert client.get("/b/pole-ess", headers=headers).status_code == 200
    assert client.get("/b/copil", headers=headers).status_code == 404


def test_a_used_token_records_its_last_use(
    make_member: MakeMember, client: TestClient, db: Database
) -> None:
    amina = make_member("amina")
    token = create_token(db, amina)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    [row] = db.reading(token_service.list_tokens, user_id=amina.id)
    assert row.last_used_at is not None


def _refused_token(response: httpx2.Response, json: bool) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    if json:
        assert response.json()["error"] == "invalid_token"


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/boards", "/api/v1/openapi.json", "/"])
def test_revoked_unknown_and_disabled_tokens_are_refused(
    path: str, make_member: MakeMember, client: TestClient, db: Database
) -> None:
    amina = make_member("amina")
    revoked = create_token(db, amina)
    [row] = db.reading(token_service.list_tokens, user_id=amina.id)
    assert row.id is not None
    db.transaction(token_service.revoke_token, token_id=row.id)
    bruno = make_member("bruno")
    disabled = create_token(db, bruno)
    db.transaction(account_service.set_account_active, user_id=bruno.id, is_active=False)
    unknown = "fpat_" + "x" * 43
    for token in (revoked, unknown, "not-a-token", disabled):
        # Refused even where an anonymous visitor is welcome: a broken script should know.
        _refused_token(client.get(path, headers=bearer(token)), json=path.startswith("/api/"))


def test_token_requests_skip_csrf_but_cookie_sessions_do_not(
    make_member: MakeMember, client: TestClient, client_as: ClientAs, db: Database
) -> None:
    amina = make_member("amina")
    headers = bearer(create_token(db, amina))
    assert not client.cookies
    # A token alone proves the request was not forged by a browser: no CSRF token needed.
    response = client.post(
        "/language", data={"locale": "en"}, headers=headers, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/api/v1/me", headers=headers).json()["locale"] == "en"
    client.cookies.clear()
    assert client.post("/logout", headers=headers, follow_redirects=False).status_code == 303

    browser = client_as(make_member("bruno"))
    refused = browser.post("/language", data={"locale": "en"}, follow_redirects=False)
    assert refused.status_code == 403
    assert browser.post("/logout", follow_redirects=False).status_code == 403
    form = {"locale": "en", "csrf_token": csrf_token(browser)}
    assert browser.post("/language", data=form, follow_redirects=False).status_code == 303


def test_hidden_and_missing_boards_answer_the_same_404(
    people: dict[str, Member], client: TestClient, db: Database
) -> None:
    def answer(
        path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        response = client.get(path, headers=headers)
        return response.status_code, dict(response.headers), response.content

    hidden = answer("/api/v1/boards/copil")
    missing = answer("/api/v1/boards/no-such-board")
    assert hidden[0] == 404
    assert hidden[1]["content-type"] == "application/json"
    assert hidden == missing
    assert answer("/api/v1/no-such-route") == missing

    headers = bearer(create_token(db, people["member_b"]))
    assert answer("/api/v1/boards/pole-ess", headers) == answer("/api/v1/boards/nope", headers)
    assert answer("/api/v1/boards/pole-ess", headers) == missing


def test_a_wrong_method_is_a_json_405(client: TestClient) -> None:
    response = client.post("/api/v1/boards")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/json"
    assert response.json()["message"]


def test_a_405_names_the_allowed_methods(client: TestClient) -> None:
    allow = client.post("/api/v1/boards").headers.get("allow", "")
    assert {method.strip() for method in allow.split(",")} == {"GET", "HEAD"}
