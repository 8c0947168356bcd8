"""Administration of accounts: creation with a one-time link, rights, groups, sessions, tokens."""

from collections.abc import Mapping
from pathlib import Path

import httpx2
import pytest
from bs4 import BeautifulSoup
from sqlmodel import select
from starlette.testclient import TestClient

from forum.access import Actor
from forum.bootstrap import prepare
from forum.db import Database
from forum.errors import NotFound
from forum.models import Membership, User
from forum.services import admin as admin_service
from forum.services import groups as group_service
from forum.services import users as user_service
from forum.settings import Settings
from tests.conftest import BASE_URL, ClientAs, MakeMember, Member, csrf_token


def html(response: httpx2.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def post(browser: TestClient, path: str, data: Mapping[str, str | list[str]]) -> httpx2.Response:
    """Submit a form as a signed-in browser would: with the session's CSRF token."""
    token = csrf_token(browser, "/account")
    return browser.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def logins(db: Database) -> set[str]:
    return {user.login for user in db.reading(user_service.list_users)}


def membership_count(db: Database) -> int:
    return len(db.reading(lambda session: session.exec(select(Membership)).all()))


def secret_of(response: httpx2.Response) -> str:
    box = html(response).select_one(".secret")
    assert box is not None, response.text
    return box.get_text(strip=True)


def field_error(response: httpx2.Response, field: str) -> str:
    """The message shown next to a field (the element the field's aria-describedby names)."""
    message = html(response).find(id=f"{field}-error")
    assert message is not None, f"no error next to {field}"
    return message.get_text(strip=True)


@pytest.fixture
def admin(make_member: MakeMember) -> Member:
    return make_member("admin", admin=True, name="Awa Admin")


@pytest.fixture
def amina(make_member: MakeMember) -> Member:
    return make_member("amina", groups={"pole-ess": "member"}, name="Amina Benali")


ADMIN_GETS = ["/admin", "/admin/users", "/admin/users/new", "/admin/users/{id}"]
ADMIN_POSTS = [
    "/admin/users/new",
    "/admin/users/{id}",
    "/admin/users/{id}/groups",
    "/admin/users/{id}/groups/copil/remove",
    "/admin/users/{id}/password-link",
    "/admin/users/{id}/sign-out",
    "/admin/users/{id}/tokens",
    "/admin/users/{id}/tokens/1/revoke",
]


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_account_admin_pages_do_not_exist_for_non_admins(
    who: str, client: TestClient, client_as: ClientAs, amina: Member, db: Database
) -> None:
    browser = client if who == "anonymous" else client_as(amina)
    for path in ADMIN_GETS:
        assert browser.get(path.format(id=amina.id)).status_code == 404, path
    data: dict[str, str | list[str]] = {
        "login": "intrus",
        "display_name": "Intrus",
        "is_admin": "1",
        "is_active": "1",
        "group": "copil",
        "role": "moderator",
    }
    for path in ADMIN_POSTS:
        target = path.format(id=amina.id)
        response = (
            browser.post(target, data=data) if who == "anonymous" else post(browser, target, data)
        )
        assert response.status_code == 404, target
    assert "intrus" not in logins(db)
    assert not db.reading(user_service.get_user, amina.id).is_admin
    assert [g.slug for g, _ in db.reading(group_service.user_groups, user_id=amina.id)] == [
        "pole-ess"
    ]


def test_services_refuse_non_admins_on_their_own(db: Database, amina: Member) -> None:
    member = Actor(user_id=amina.id, login="amina", is_admin=False)
    with pytest.raises(NotFound):
        db.transaction(admin_service.dashboard, actor=member)
    with pytest.raises(NotFound):
        db.transaction(admin_service.new_password_link, actor=member, user_id=amina.id, days=1)


def test_a_form_without_its_csrf_token_is_refused(
    client_as: ClientAs, admin: Member, db: Database
) -> None:
    browser = client_as(admin)
    response = browser.post("/admin/users/new", data={"login": "zoe", "display_name": "Zoé"})
    assert response.status_code == 403
    assert "zoe" not in logins(db)


def test_creating_an_account_shows_a_working_one_time_link(
    client_as: ClientAs, client: TestClient, admin: Member, db: Database
) -> None:
    browser = client_as(admin)
    response = post(
        browser,
        "/admin/users/new",
        {
            "login": "Zoe.Martin",
            "display_name": "Zoé Martin",
            "email": "zoe@example.org",
            "groups": ["copil", "pole-ess"],
            "role-copil": "moderator",
            "role-pole-ess": "member",
        },
    )
    assert response.status_code == 200  # rendered, never redirected: the link is a secret
    link = secret_of(response)
    assert link.startswith(f"{BASE_URL}/welcome/")
    assert "zoe.martin" in html(response).select_one("main").get_text()  # type: ignore[union-attr]
    zoe = db.reading(user_service.get_user_by_login, "zoe.martin")
    assert zoe.id is not None and zoe.password_hash is None and zoe.email == "zoe@example.org"
    roles = {g.slug: role for g, role in db.reading(group_service.user_groups, user_id=zoe.id)}
    assert roles == {"copil": "moderator", "pole-ess": "member"}

    key_path = link.removeprefix(BASE_URL)
    assert client.get(key_path).status_code == 200
    chosen = {"password": "une phrase assez longue", "password_confirm": "une phrase assez longue"}
    welcomed = client.post(key_path, data=chosen, follow_redirects=False)
    assert welcomed.status_code == 303
    assert client.get("/account").status_code == 200  # signed in as Zoé
    assert client.get("/b/copil").status_code == 200
    assert client.get(key_path).status_code == 404  # the link is spent


class TestLoginSuffix:
    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        value = Settings(
            data_dir=tmp_path / "data",
            base_url=BASE_URL,
            secret_key="test-secret",
            login_suffix=".pcm",
        )
        prepare(value)
        return value

    def test_the_site_suffix_is_added_to_new_logins(
        self, client_as: ClientAs, admin: Member, db: Database
    ) -> None:
        browser = client_as(admin)
        form = html(browser.get("/admin/users/new"))
        assert ".pcm" in form.find(id="login-help").get_text()  # type: ignore[union-attr]
        response = post(browser, "/admin/users/new", {"login": "zoe", "display_name": "Zoé"})
        assert response.status_code == 200
        assert "zoe.pcm" in logins(db)


def test_a_taken_login_is_a_conflict_shown_next_to_the_field(
    client_as: ClientAs, admin: Member, amina: Member, db: Database
) -> None:
    before = (logins(db), membership_count(db))
    response = post(
        client_as(admin),
        "/admin/users/new",
        {"login": "AMINA", "display_name": "Autre Amina", "groups": ["copil"]},
    )
    assert response.status_code == 409
    assert field_error(response, "login") == "Cet identifiant est déjà pris."
    page = html(response)
    assert page.find(id="f-login")["aria-invalid"] == "true"  # type: ignore[index]
    assert page.find(id="f-display_name")["value"] == "Autre Amina"  # type: ignore[index]
    assert (logins(db), membership_count(db)) == before


def test_bad_input_re_renders_the_form_and_writes_nothing(
    client_as: ClientAs, admin: Member, db: Database
) -> None:
    before = (logins(db), membership_count(db))
    response = post(
        client_as(admin),
        "/admin/users/new",
        {
            "login": "zoe",
            "display_name": "",
            "email": "pas-une-adresse",
            "groups": ["copil"],
            "role-copil": "moderator",
        },
    )
    assert response.status_code == 400
    assert field_error(response, "email") == "Cette adresse électronique n'est pas valide."
    assert field_error(response, "display_name") == "Indiquez un nom."
    page = html(response)
    assert page.select_one(".error-summary") is not None
    assert page.find(id="g-copil").has_attr("checked")  # type: ignore[union-attr]
    moderator = page.select_one("#role-copil option[selected]")
    assert moderator is not None and moderator["value"] == "moderator"
    assert (logins(db), membership_count(db)) == before


def test_an_unknown_group_rolls_the_whole_account_back(
    client_as: ClientAs, admin: Member, db: Database
) -> None:
    before = (logins(db), membership_count(db))
    response = post(
        client_as(admin),
        "/admin/users/new",
        {"login": "zoe", "display_name": "Zoé", "groups": ["copil", "disparu"]},
    )
    assert response.status_code == 400
    assert field_error(response, "groups")
    assert (logins(db), membership_count(db)) == before


def test_accounts_table_and_search(
    client_as: ClientAs, admin: Member, make_member: MakeMember
) -> None:
    make_member("elodie", name="Élodie Durand", groups={"copil": "moderator"})
    make_member("bruno", name="Bruno Petit")
    browser = client_as(admin)
    rows = html(browser.get("/admin/users")).select("table tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == ["admin", "bruno", "elodie"]  # type: ignore[union-attr]
    found = html(browser.get("/admin/users", params={"q": "elo"})).select("table tbody tr")
    assert len(found) == 1
    cells = [cell.get_text(strip=True) for cell in found[0].find_all(["th", "td"])]
    assert cells[:3] == ["elodie", "Élodie Durand", "COPIL (modération)"]
    assert not html(browser.get("/admin/users", params={"q": "zzz"})).select("table")


def test_admin_cannot_demote_or_disable_themself(
    client_as: ClientAs, admin: Member, db: Database
) -> None:
    browser = client_as(admin)
    for data, field, message in (
        ({"is_active": "1"}, "is_admin", "vos propres droits"),
        ({"is_admin": "1"}, "is_active", "désactiver votre propre compte"),
    ):
        response = post(browser, f"/admin/users/{admin.id}", {"display_name": "Awa", **data})
        assert response.status_code == 400
        assert message in field_error(response, field)
    user = db.reading(user_service.get_user, admin.id)
    assert user.is_admin and user.is_active and user.display_name == "Awa Admin"
    assert browser.get("/admin").status_code == 200


def test_user_model_is_untouched_by_a_rejected_update(
    client_as: ClientAs, admin: Member, amina: Member, db: Database
) -> None:
    response = post(
        client_as(admin),
        f"/admin/users/{amina.id}",
        {"display_name": "Nouveau nom", "email": "faux", "is_active": "1", "is_admin": "1"},
    )
    assert response.status_code == 400
    user: User = db.reading(user_service.get_user, amina.id)
    assert (user.display_name, user.is_admin) == ("Amina Benali", False)
