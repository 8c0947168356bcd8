"""The access matrix through the pages: who gets which board page, and what the home page lists."""

from collections.abc import Callable, Iterator

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session
from starlette.testclient import TestClient

from forum.db import Database
from forum.services import boards as board_service
from forum.services import groups as group_service
from forum.services import tokens as token_service
from forum.services import users as user_service
from tests.conftest import ClientAs, MakeMember

PRESET_BOARDS = {
    "bureau",
    "copil",
    "pole-ess",
    "pole-insertion",
    "pole-education",
    "pole-citoyennete",
    "espace-commun",
}

# Group A is pole-ess, group B is copil; partenaires is a third group's private board,
# espace-commun is for members, annonces is public.
BOARDS = ["pole-ess", "copil", "partenaires", "espace-commun", "annonces", "n-existe-pas"]

# Actor -> the board pages that answer 200; every other board of BOARDS is a 404.
READABLE: dict[str, set[str]] = {
    "anonymous": {"annonces"},
    "member_a": {"pole-ess", "espace-commun", "annonces"},
    "member_b": {"copil", "espace-commun", "annonces"},
    "moderator_a": {"pole-ess", "espace-commun", "annonces"},
    "admin": {"pole-ess", "copil", "partenaires", "espace-commun", "annonces"},
}

# Actor -> every board the home page links to.
HOME: dict[str, set[str]] = {
    "anonymous": {"annonces"},
    "member_a": {"pole-ess", "espace-commun", "annonces"},
    "member_b": {"copil", "espace-commun", "annonces"},
    "moderator_a": {"pole-ess", "espace-commun", "annonces"},
    "admin": PRESET_BOARDS | {"partenaires", "annonces"},
}


@pytest.fixture
def extra_boards(db: Database) -> None:
    """A public board, and a group with its own private board that no actor belongs to."""

    def arrange(session: Session) -> None:
        group_service.create_group(session, slug="partenaires", name="Partenaires")
        board_service.create_board(
            session, slug="partenaires", name="Partenaires", group_slug="partenaires"
        )
        board_service.create_board(session, slug="annonces", name="Annonces", visibility="public")

    db.transaction(arrange)


Browsers = Callable[[str], TestClient]


@pytest.fixture
def browser_for(
    extra_boards: None, client: TestClient, make_member: MakeMember, client_as: ClientAs
) -> Iterator[Browsers]:
    """browser_for("member_a") -> a browser acting as that actor of the matrix."""
    members = {
        "member_a": lambda: make_member("amina", groups={"pole-ess": "member"}),
        "member_b": lambda: make_member("karim", groups={"copil": "member"}),
        "moderator_a": lambda: make_member("salma", groups={"pole-ess": "moderator"}),
        "admin": lambda: make_member("root", admin=True),
    }

    def make(actor: str) -> TestClient:
        if actor == "anonymous":
            return client
        return client_as(members[actor]())

    yield make


def page(response_text: str) -> BeautifulSoup:
    return BeautifulSoup(response_text, "html.parser")


def main_text(response_text: str) -> str:
    main = page(response_text).find("main")
    assert main is not None
    return " ".join(main.get_text(" ").split())


@pytest.mark.parametrize("actor", sorted(READABLE))
def test_board_pages(actor: str, browser_for: Browsers) -> None:
    browser = browser_for(actor)
    statuses = {
        slug: browser.get(f"/b/{slug}", follow_redirects=False).status_code for slug in BOARDS
    }
    expected = {slug: 200 if slug in READABLE[actor] else 404 for slug in BOARDS}
    assert statuses == expected


@pytest.mark.parametrize("actor", ["anonymous", "member_a"])
def test_hidden_board_looks_exactly_like_a_missing_one(actor: str, browser_for: Browsers) -> None:
    browser = browser_for(actor)
    hidden = browser.get("/b/copil")
    missing = browser.get("/b/n-existe-pas")
    assert hidden.status_code == missing.status_code == 404
    assert main_text(hidden.text) == main_text(missing.text)
    assert "COPIL" not in hidden.text


@pytest.mark.parametrize("actor", sorted(HOME))
def test_home_lists_exactly_the_visible_boards(actor: str, browser_for: Browsers) -> None:
    response = browser_for(actor).get("/", follow_redirects=False)
    assert response.status_code == 200
    main = page(response.text).find("main")
    assert main is not None
    links = {str(a["href"]).removeprefix("/b/") for a in main.select('a[href^="/b/"]')}
    assert links == HOME[actor]


def test_anonymous_home_is_a_page_with_a_sign_in_link(browser_for: Browsers) -> None:
    response = browser_for("anonymous").get("/", follow_redirects=False)
    assert response.status_code == 200
    soup = page(response.text)
    assert soup.find("a", href=lambda h: bool(h) and str(h).startswith("/login"))
    assert not soup.find("form", action="/logout")


def test_member_home_puts_own_groups_first(browser_for: Browsers) -> None:
    soup = page(browser_for("member_a").get("/").text)
    mine = soup.find("section", attrs={"aria-labelledby": "mes-groupes"})
    assert mine is not None
    assert [a["href"] for a in mine.select('a[href^="/b/"]')] == ["/b/pole-ess"]
    assert soup.find("section", attrs={"aria-labelledby": "autres-groupes"}) is None


def test_admin_home_shows_other_groups_apart(browser_for: Browsers) -> None:
    soup = page(browser_for("admin").get("/").text)
    others = soup.find("section", attrs={"aria-labelledby": "autres-groupes"})
    assert others is not None
    listed = {str(a["href"]) for a in others.select('a[href^="/b/"]')}
    assert "/b/partenaires" in listed and "/b/copil" in listed
    assert "/b/espace-commun" not in listed


@pytest.mark.parametrize("actor", sorted(READABLE))
def test_only_admins_are_offered_to_administer_a_board(actor: str, browser_for: Browsers) -> None:
    browser = browser_for(actor)
    offered = set()
    for slug in READABLE[actor]:
        soup = page(browser.get(f"/b/{slug}").text)
        if soup.find("a", href=f"/admin/boards/{slug}"):
            offered.add(slug)
    assert offered == (READABLE[actor] if actor == "admin" else set())


@pytest.mark.parametrize("actor", sorted(READABLE))
def test_board_administration_pages_are_for_admins_only(actor: str, browser_for: Browsers) -> None:
    browser = browser_for(actor)
    statuses = {
        slug: browser.get(f"/admin/boards/{slug}", follow_redirects=False).status_code
        for slug in BOARDS
    }
    existing = set(BOARDS) - {"n-existe-pas"}
    expected = {slug: 200 if actor == "admin" and slug in existing else 404 for slug in BOARDS}
    assert statuses == expected


@pytest.mark.usefixtures("extra_boards")
def test_disabled_member_loses_access_at_once(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina2", groups={"pole-ess": "member"})
    browser = client_as(amina)
    assert browser.get("/b/pole-ess").status_code == 200

    def disable(session: Session) -> None:
        user = user_service.get_user(session, amina.id)
        user.is_active = False
        session.add(user)

    db.transaction(disable)
    assert browser.get("/b/pole-ess").status_code == 404
    assert browser.get("/b/annonces").status_code == 200


@pytest.mark.usefixtures("extra_boards")
def test_removed_from_group_loses_the_board(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina2", groups={"pole-ess": "member"})
    browser = client_as(amina)
    assert browser.get("/b/pole-ess").status_code == 200
    db.transaction(group_service.remove_membership, group_slug="pole-ess", user_id=amina.id)
    assert browser.get("/b/pole-ess").status_code == 404


# --- personal access tokens on pages ----------------------------------------------------------


@pytest.mark.usefixtures("extra_boards")
def test_bearer_token_reads_pages_as_its_member(
    db: Database, make_member: MakeMember, client: TestClient
) -> None:
    amina = make_member("amina2", groups={"pole-ess": "member"})
    token, row = db.transaction(token_service.create_token, user_id=amina.id, name="script")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/b/pole-ess", headers=auth).status_code == 200
    assert client.get("/b/copil", headers=auth).status_code == 404
    home = page(client.get("/", headers=auth).text)
    assert {a["href"] for a in home.select('main a[href^="/b/"]')} == {
        "/b/pole-ess",
        "/b/espace-commun",
        "/b/annonces",
    }
    # Without the header, the same client is an anonymous visitor.
    assert client.get("/b/pole-ess").status_code == 404

    assert row.id is not None
    db.transaction(token_service.revoke_token, token_id=row.id)
    refused = client.get("/b/annonces", headers=auth)
    assert refused.status_code == 401
    assert "invalid_token" in refused.headers["www-authenticate"]


@pytest.mark.parametrize("token", ["fpat_nope", "pas-un-jeton", "fpat_" + "x" * 300])
def test_unknown_bearer_token_is_refused(token: str, client: TestClient) -> None:
    response = client.get("/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_token_of_a_disabled_member_is_refused(
    db: Database, make_member: MakeMember, client: TestClient
) -> None:
    amina = make_member("amina", groups={"pole-ess": "member"})
    token, _row = db.transaction(token_service.create_token, user_id=amina.id)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/b/pole-ess", headers=auth).status_code == 200
    db.transaction(
        user_service.update_account,
        user_id=amina.id,
        display_name="Amina",
        email=None,
        is_admin=False,
        is_active=False,
    )
    assert client.get("/b/pole-ess", headers=auth).status_code == 401
