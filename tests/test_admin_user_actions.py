"""Administration of one account: its groups, sessions, one-time links and access tokens."""

import pytest
from starlette.testclient import TestClient

from forum.db import Database
from forum.services import users as user_service
from tests.conftest import BASE_URL, ClientAs, MakeMember, Member
from tests.test_admin_users import field_error, html, post, secret_of


@pytest.fixture
def admin(make_member: MakeMember) -> Member:
    return make_member("admin", admin=True, name="Awa Admin")


@pytest.fixture
def amina(make_member: MakeMember) -> Member:
    return make_member("amina", groups={"pole-ess": "member"}, name="Amina Benali")


def test_group_changes_on_the_account_page_change_what_the_member_sees(
    client_as: ClientAs, admin: Member, amina: Member, db: Database
) -> None:
    admin_browser, member_browser = client_as(admin), client_as(amina)
    assert member_browser.get("/b/copil").status_code == 404
    added = post(
        admin_browser, f"/admin/users/{amina.id}/groups", {"group": "copil", "role": "member"}
    )
    assert added.status_code == 303
    assert member_browser.get("/b/copil").status_code == 200
    post(admin_browser, f"/admin/users/{amina.id}/groups", {"group": "copil", "role": "moderator"})
    page = html(admin_browser.get(f"/admin/users/{amina.id}"))
    selected = page.select_one("#role-copil option[selected]")
    assert selected is not None and selected["value"] == "moderator"
    removed = post(admin_browser, f"/admin/users/{amina.id}/groups/copil/remove", {})
    assert removed.status_code == 303
    assert member_browser.get("/b/copil").status_code == 404
    missing_group = post(
        admin_browser, f"/admin/users/{amina.id}/groups", {"group": "", "role": "member"}
    )
    assert missing_group.status_code == 400
    assert field_error(missing_group, "group") == "Choisissez un groupe."


def test_sign_out_everywhere_makes_the_member_anonymous(
    client_as: ClientAs, admin: Member, amina: Member
) -> None:
    admin_browser, phone, laptop = client_as(admin), client_as(amina), client_as(amina)
    assert phone.get("/account").status_code == 200
    response = post(admin_browser, f"/admin/users/{amina.id}/sign-out", {})
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/users/{amina.id}?saved=signed-out"
    for browser in (phone, laptop):
        assert browser.get("/account", follow_redirects=False).status_code == 303
        assert browser.get("/b/pole-ess").status_code == 404
    assert admin_browser.get("/admin").status_code == 200


def test_a_token_is_shown_once_works_and_can_be_revoked(
    client_as: ClientAs, client: TestClient, admin: Member, amina: Member
) -> None:
    browser = client_as(admin)
    response = post(browser, f"/admin/users/{amina.id}/tokens", {"token_name": "export"})
    assert response.status_code == 200
    token = secret_of(response)
    assert token.startswith("fpat_")
    bearer = {"Authorization": f"Bearer {token}"}
    home = html(client.get("/", headers=bearer))
    assert home.find("a", href="/b/pole-ess") is not None
    assert client.get("/b/pole-ess", headers=bearer).status_code == 200

    account_page = browser.get(f"/admin/users/{amina.id}").text
    assert token not in account_page  # shown once, at creation only
    revoke = html(browser.get(f"/admin/users/{amina.id}")).select_one(
        "form[action$='/revoke'][action*='/tokens/']"
    )
    assert revoke is not None
    assert post(browser, str(revoke["action"]), {}).status_code == 303
    assert client.get("/", headers=bearer).status_code == 401


def test_a_new_password_link_kills_the_previous_one(
    client_as: ClientAs, client: TestClient, admin: Member, amina: Member
) -> None:
    browser = client_as(admin)
    first = secret_of(post(browser, f"/admin/users/{amina.id}/password-link", {}))
    second = secret_of(post(browser, f"/admin/users/{amina.id}/password-link", {}))
    assert client.get(first.removeprefix(BASE_URL)).status_code == 404
    assert client.get(second.removeprefix(BASE_URL)).status_code == 200


def test_disabling_an_account_signs_it_out_for_good(
    client_as: ClientAs, admin: Member, amina: Member, db: Database
) -> None:
    admin_browser, member_browser = client_as(admin), client_as(amina)
    profile = {"display_name": "Amina Benali", "email": ""}
    assert post(admin_browser, f"/admin/users/{amina.id}", profile).status_code == 303
    assert member_browser.get("/account", follow_redirects=False).status_code == 303
    refused = post(admin_browser, f"/admin/users/{amina.id}/password-link", {})
    assert refused.status_code == 409
    assert "désactivé" in field_error(refused, "password_link")
    post(admin_browser, f"/admin/users/{amina.id}", {**profile, "is_active": "1"})
    assert db.reading(user_service.get_user, amina.id).is_active
    # Re-enabling does not bring the old sessions back.
    assert member_browser.get("/account", follow_redirects=False).status_code == 303


def test_unknown_account_is_a_404(client_as: ClientAs, admin: Member) -> None:
    browser = client_as(admin)
    assert browser.get("/admin/users/9999").status_code == 404
    assert post(browser, "/admin/users/9999/sign-out", {}).status_code == 404
    assert post(browser, "/admin/users/9999/tokens", {"token_name": "x"}).status_code == 404
