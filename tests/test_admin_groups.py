"""Administration of groups: create, rename, members and roles, deletion rules."""

import httpx2
import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from forum.db import Database
from forum.errors import NotFound
from forum.services import groups as group_service
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


def group_slugs(db: Database) -> set[str]:
    return {group.slug for group in db.reading(group_service.list_groups)}


@pytest.fixture
def admin(make_member: MakeMember) -> Member:
    return make_member("admin", admin=True)


@pytest.fixture
def amina(make_member: MakeMember) -> Member:
    return make_member("amina", groups={"pole-ess": "member"}, name="Amina Benali")


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_group_admin_pages_do_not_exist_for_non_admins(
    who: str, client: TestClient, client_as: ClientAs, amina: Member, db: Database
) -> None:
    browser = client if who == "anonymous" else client_as(amina)
    for path in ("/admin/groups", "/admin/groups/copil", "/admin/groups/pole-ess"):
        assert browser.get(path).status_code == 404, path
    data = {"slug": "pirates", "name": "Pirates", "user": str(amina.id), "confirm": "1"}
    for path in (
        "/admin/groups",
        "/admin/groups/copil",
        "/admin/groups/copil/members",
        f"/admin/groups/pole-ess/members/{amina.id}/remove",
        "/admin/groups/copil/delete",
    ):
        response = (
            browser.post(path, data=data) if who == "anonymous" else post(browser, path, data)
        )
        assert response.status_code == 404, path
    assert "pirates" not in group_slugs(db) and "copil" in group_slugs(db)
    assert db.reading(group_service.get_group, "copil").name == "COPIL"
    roles = [g.slug for g, _ in db.reading(group_service.user_groups, user_id=amina.id)]
    assert roles == ["pole-ess"]


def test_create_a_group_then_find_it_in_the_list(client_as: ClientAs, admin: Member) -> None:
    browser = client_as(admin)
    data = {"slug": "pole-culture", "name": "Pôle Culture", "description": "Arts et patrimoine."}
    response = post(browser, "/admin/groups", data)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/groups/pole-culture?saved=created"
    page = html(browser.get(response.headers["location"]))
    assert page.h1 is not None and page.h1.get_text(strip=True) == "Pôle Culture"
    assert page.select_one("[role=status]") is not None
    rows = html(browser.get("/admin/groups")).select("tbody tr")
    line = next(r for r in rows if r.th is not None and r.th.get_text(strip=True) == "Pôle Culture")
    assert [td.get_text(strip=True) for td in line.find_all("td")] == ["pole-culture", "0", "0"]


def test_group_creation_errors_are_shown_next_to_the_fields(
    client_as: ClientAs, admin: Member, db: Database
) -> None:
    browser = client_as(admin)
    before = group_slugs(db)
    taken = post(browser, "/admin/groups", {"slug": "copil", "name": "Autre COPIL"})
    assert taken.status_code == 409
    assert field_error(taken, "slug") == "Ce nom court est déjà pris."
    invalid = post(browser, "/admin/groups", {"slug": "Pôle Été", "name": ""})
    assert invalid.status_code == 400
    assert field_error(invalid, "slug").startswith("Le nom court ne peut contenir")
    assert field_error(invalid, "name") == "Indiquez un nom."
    assert html(invalid).find(id="f-slug")["value"] == "Pôle Été"  # type: ignore[index]
    assert group_slugs(db) == before


def test_rename_a_group(client_as: ClientAs, admin: Member, db: Database) -> None:
    browser = client_as(admin)
    saved = post(browser, "/admin/groups/copil", {"name": "Comité de pilotage", "description": ""})
    assert saved.status_code == 303
    assert db.reading(group_service.get_group, "copil").name == "Comité de pilotage"
    refused = post(browser, "/admin/groups/copil", {"name": " ", "description": "x" * 2001})
    assert refused.status_code == 400
    assert field_error(refused, "name") == "Indiquez un nom."
    assert field_error(refused, "description") == "La description est trop longue."
    assert db.reading(group_service.get_group, "copil").name == "Comité de pilotage"


def test_members_added_changed_and_removed_from_the_group_page(
    client_as: ClientAs, admin: Member, amina: Member
) -> None:
    admin_browser, member_browser = client_as(admin), client_as(amina)
    candidates = html(admin_browser.get("/admin/groups/copil")).select("#f-user option")
    assert str(amina.id) in [o["value"] for o in candidates]
    assert member_browser.get("/b/copil").status_code == 404

    added = post(
        admin_browser, "/admin/groups/copil/members", {"user": str(amina.id), "role": "member"}
    )
    assert added.status_code == 303
    assert member_browser.get("/b/copil").status_code == 200
    page = html(admin_browser.get("/admin/groups/copil"))
    assert str(amina.id) not in [o["value"] for o in page.select("#f-user option")]
    members = [row.th.get_text(strip=True) for row in page.select("tbody tr")]  # type: ignore[union-attr]
    assert members == ["Amina Benali"]

    post(admin_browser, "/admin/groups/copil/members", {"user": str(amina.id), "role": "moderator"})
    role = html(admin_browser.get("/admin/groups/copil")).select_one(
        f"#role-{amina.id} option[selected]"
    )
    assert role is not None and role["value"] == "moderator"

    removed = post(admin_browser, f"/admin/groups/copil/members/{amina.id}/remove", {})
    assert removed.status_code == 303
    assert member_browser.get("/b/copil").status_code == 404


def test_adding_without_choosing_an_account_says_so(client_as: ClientAs, admin: Member) -> None:
    response = post(client_as(admin), "/admin/groups/copil/members", {"user": "", "role": "member"})
    assert response.status_code == 400
    assert field_error(response, "user") == "Choisissez un compte."
    bad_role = post(client_as(admin), "/admin/groups/copil/members", {"user": "1", "role": "chef"})
    assert bad_role.status_code == 400
    assert field_error(bad_role, "role") == "Rôle inconnu."


def test_a_group_with_boards_cannot_be_deleted(
    client_as: ClientAs, admin: Member, db: Database
) -> None:
    browser = client_as(admin)
    unconfirmed = post(browser, "/admin/groups/copil/delete", {})
    assert unconfirmed.status_code == 400
    assert field_error(unconfirmed, "confirm").startswith("Cochez la case")
    refused = post(browser, "/admin/groups/copil/delete", {"confirm": "1"})
    assert refused.status_code == 409
    assert "encore des tableaux" in field_error(refused, "confirm")
    assert "copil" in group_slugs(db)


def test_an_empty_group_is_deleted_and_its_members_freed(
    client_as: ClientAs, admin: Member, make_member: MakeMember, db: Database
) -> None:
    browser = client_as(admin)
    post(browser, "/admin/groups", {"slug": "ephemere", "name": "Éphémère"})
    zoe = make_member("zoe", groups={"ephemere": "moderator"})
    deleted = post(browser, "/admin/groups/ephemere/delete", {"confirm": "1"})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/admin/groups?saved=deleted"
    assert browser.get("/admin/groups/ephemere").status_code == 404
    with pytest.raises(NotFound):
        db.reading(group_service.get_group, "ephemere")
    assert db.reading(group_service.user_groups, user_id=zoe.id) == []


def test_unknown_group_is_a_404(client_as: ClientAs, admin: Member) -> None:
    browser = client_as(admin)
    assert browser.get("/admin/groups/inconnu").status_code == 404
    assert post(browser, "/admin/groups/inconnu", {"name": "X"}).status_code == 404
    assert post(browser, "/admin/groups/inconnu/delete", {"confirm": "1"}).status_code == 404
    assert post(browser, "/admin/groups/copil/members/9999/remove", {}).status_code == 404
