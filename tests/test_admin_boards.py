"""Administration of boards: create, change visibility and group, delete; effects on readers."""

import httpx2
import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from forum.db import Database
from forum.errors import NotFound
from forum.services import boards as board_service
from tests.conftest import ClientAs, MakeMember, Member, csrf_token


def html(response: httpx2.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def post(browser: TestClient, path: str, data: dict[str, str]) -> httpx2.Response:
    """Submit a form as a signed-in browser would: with the session's CSRF token."""
    token = csrf_token(browser, "/account")
    return browser.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def field_error(response: httpx2.Response, field: str) -> str:
    message = html(response).find(id=f"{field}-error")
    assert message is not None, f"no error next to {field}"
    return message.get_text(strip=True)


def board_slugs(db: Database) -> set[str]:
    return {board.slug for board, _group in db.reading(board_service.list_all_boards)}


def settings_of(board: str, **changes: str) -> dict[str, str]:
    """The copil board's form as the admin page fills it, with some fields changed."""
    base = {"name": "COPIL", "description": "", "visibility": "group", "group": "copil"}
    return {**base, "position": "20", **changes} if board == "copil" else changes


@pytest.fixture
def admin(make_member: MakeMember) -> Member:
    return make_member("admin", admin=True)


@pytest.fixture
def amina(make_member: MakeMember) -> Member:
    return make_member("amina", groups={"pole-ess": "member"})


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_board_admin_pages_do_not_exist_for_non_admins(
    who: str, client: TestClient, client_as: ClientAs, amina: Member, db: Database
) -> None:
    browser = client if who == "anonymous" else client_as(amina)
    for path in ("/admin/boards", "/admin/boards/copil", "/admin/boards/espace-commun"):
        assert browser.get(path).status_code == 404, path
    data = {"slug": "fuite", "name": "Fuite", "visibility": "public", "confirm": "1"}
    for path in ("/admin/boards", "/admin/boards/copil", "/admin/boards/copil/delete"):
        response = (
            browser.post(path, data=data) if who == "anonymous" else post(browser, path, data)
        )
        assert response.status_code == 404, path
    assert "fuite" not in board_slugs(db) and "copil" in board_slugs(db)
    assert db.reading(board_service.get_board, "copil").visibility == "group"


def test_admin_sees_every_board_private_ones_included(client_as: ClientAs, admin: Member) -> None:
    rows = html(client_as(admin).get("/admin/boards")).select("tbody tr")
    names = {row.th.get_text(strip=True) for row in rows}  # type: ignore[union-attr]
    assert {"COPIL", "Bureau du PCM", "Espace commun"} <= names
    copil = next(r for r in rows if r.th is not None and r.th.get_text(strip=True) == "COPIL")
    assert [td.get_text(strip=True) for td in copil.find_all("td")][1:3] == ["Groupe", "COPIL"]


def test_create_a_group_board_only_its_group_sees(
    client_as: ClientAs, admin: Member, amina: Member, make_member: MakeMember
) -> None:
    bruno = make_member("bruno", groups={"copil": "member"})
    browser = client_as(admin)
    data = {
        "slug": "ess-projets",
        "name": "Projets ESS",
        "visibility": "group",
        "group": "pole-ess",
    }
    response = post(browser, "/admin/boards", {**data, "description": "", "position": ""})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/boards/ess-projets?saved=created"
    assert client_as(amina).get("/b/ess-projets").status_code == 200
    assert client_as(bruno).get("/b/ess-projets").status_code == 404


def test_board_creation_errors_are_all_reported_and_nothing_is_created(
    client_as: ClientAs, admin: Member, db: Database
) -> None:
    browser = client_as(admin)
    before = board_slugs(db)
    response = post(
        browser,
        "/admin/boards",
        {"slug": "nouveau", "name": "", "visibility": "group", "group": "", "position": "deux"},
    )
    assert response.status_code == 400
    assert field_error(response, "name") == "Indiquez un nom."
    assert field_error(response, "group") == "Un tableau privé doit appartenir à un groupe."
    assert field_error(response, "position") == "Indiquez un nombre entier."
    checked = html(response).select_one("input[name=visibility][checked]")
    assert checked is not None and checked["value"] == "group"
    only_position = post(
        browser,
        "/admin/boards",
        {"slug": "nouveau", "name": "Nouveau", "visibility": "members", "position": "1,5"},
    )
    assert only_position.status_code == 400
    taken = post(browser, "/admin/boards", {"slug": "copil", "name": "X", "visibility": "members"})
    assert taken.status_code == 409
    assert field_error(taken, "slug") == "Ce nom court est déjà pris."
    assert board_slugs(db) == before


def test_visibility_changes_take_effect_at_once(
    client_as: ClientAs, client: TestClient, admin: Member, amina: Member
) -> None:
    admin_browser, member_browser = client_as(admin), client_as(amina)
    assert member_browser.get("/b/copil").status_code == 404
    opened = post(admin_browser, "/admin/boards/copil", settings_of("copil", visibility="members"))
    assert opened.status_code == 303
    assert member_browser.get("/b/copil").status_code == 200
    assert client.get("/b/copil").status_code == 404
    post(admin_browser, "/admin/boards/copil", settings_of("copil", visibility="public"))
    assert client.get("/b/copil").status_code == 200
    post(admin_browser, "/admin/boards/copil", settings_of("copil"))
    assert member_browser.get("/b/copil").status_code == 404
    assert client.get("/b/copil").status_code == 404
    moved = post(admin_browser, "/admin/boards/copil", settings_of("copil", group="pole-ess"))
    assert moved.status_code == 303
    assert member_browser.get("/b/copil").status_code == 200


def test_the_edit_form_shows_the_current_settings(client_as: ClientAs, admin: Member) -> None:
    page = html(client_as(admin).get("/admin/boards/copil"))
    checked = page.select_one("input[name=visibility][checked]")
    assert checked is not None and checked["value"] == "group"
    group = page.select_one("#f-group option[selected]")
    assert group is not None and group["value"] == "copil"
    for radio in page.select("input[name=visibility]"):
        assert page.find("label", attrs={"for": radio["id"]}) is not None


def test_rejected_edit_changes_nothing(client_as: ClientAs, admin: Member, db: Database) -> None:
    response = post(
        client_as(admin),
        "/admin/boards/copil",
        settings_of("copil", visibility="public", position="haut", name=""),
    )
    assert response.status_code == 400
    assert field_error(response, "position") == "Indiquez un nombre entier."
    board = db.reading(board_service.get_board, "copil")
    assert (board.visibility, board.name) == ("group", "COPIL")


def test_deleting_a_board_needs_confirmation(
    client_as: ClientAs, admin: Member, db: Database
) -> None:
    browser = client_as(admin)
    unconfirmed = post(browser, "/admin/boards/pole-ess/delete", {})
    assert unconfirmed.status_code == 400
    assert field_error(unconfirmed, "confirm").startswith("Cochez la case")
    assert "pole-ess" in board_slugs(db)
    deleted = post(browser, "/admin/boards/pole-ess/delete", {"confirm": "1"})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/admin/boards?saved=deleted"
    with pytest.raises(NotFound):
        db.reading(board_service.get_board, "pole-ess")
    assert browser.get("/b/pole-ess").status_code == 404
    assert post(browser, "/admin/boards/pole-ess/delete", {"confirm": "1"}).status_code == 404
