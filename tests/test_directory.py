"""The member directory: who sees it, whose e-mail is shown, search, profile pages, /account."""

from dataclasses import dataclass

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from forum.access import ANONYMOUS, Actor, can_see_email
from forum.db import Database
from forum.errors import NotFound
from forum.models import MemberProfile, User
from forum.services import accounts as account_service
from forum.services import directory as directory_service
from tests.conftest import ClientAs, MakeMember, Member, csrf_token
from tests.directory_helpers import (
    actor_of,
    add_organisation,
    field_errors,
    main_text,
    member_links,
    one,
    set_profile,
    soup,
    value_of,
)


@dataclass(frozen=True)
class Network:
    """The members and organisations every test of this module starts with."""

    admin: Member
    amina: Member  # AMAPPE, shows her address, Pôle ESS
    elodie: Member  # Œuvre sociale de Fès, hides her address, COPIL
    karim: Member  # no profile, Pôle ESS
    former: Member  # disabled account


@pytest.fixture
def network(db: Database, make_member: MakeMember) -> Network:
    admin = make_member("root", admin=True)
    amina = make_member(
        "amina", name="Amina Benali", email="amina@example.org", groups={"pole-ess": "member"}
    )
    elodie = make_member(
        "elodie", name="Élodie Durand", email="elodie@example.org", groups={"copil": "member"}
    )
    karim = make_member("karim", name="Karim Alaoui", groups={"pole-ess": "member"})
    former = make_member("ancien", name="Ancien Membre", email="ancien@example.org")
    add_organisation(
        db,
        admin,
        "amappe",
        "Association Marocaine d'Appui à la Promotion de la Petite Entreprise",
        acronym="AMAPPE",
        city="Rabat",
        territories="Rabat-Salé\nTaroudant",
        trades_and_activities="Microcrédit, accompagnement des coopératives",
    )
    add_organisation(
        db,
        admin,
        "oeuvre-fes",
        "Œuvre sociale de Fès",
        city="Fès",
        territories="Fès-Meknès",
        trades_and_activities="Éducation populaire, animation socio-culturelle",
    )
    set_profile(
        db,
        amina,
        organisation="amappe",
        role_in_organisation="Chargée de projets",
        territory="Région Souss-Massa",
        languages="français, arabe",
        presentation="J'accompagne les coopératives.\nDeuxième ligne.",
        show_email=True,
    )
    set_profile(db, elodie, organisation="oeuvre-fes", territory="Fès", show_email=False)
    set_profile(db, former, organisation="amappe", show_email=True)
    db.transaction(account_service.set_account_active, user_id=former.id, is_active=False)
    return Network(admin=admin, amina=amina, elodie=elodie, karim=karim, former=former)


DIRECTORY_PAGES = [
    "/membres",
    "/membres/amina",
    "/membres?q=amina",
    "/organisations",
    "/organisations/amappe",
    "/organisations/new",
    "/organisations/amappe/edit",
]


@pytest.mark.parametrize("path", DIRECTORY_PAGES)
def test_anonymous_visitors_get_404(network: Network, client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 404
    text = main_text(response.text)
    assert "Amina" not in text and "AMAPPE" not in text


@pytest.mark.parametrize("path", DIRECTORY_PAGES[:5])
def test_members_read_the_directory(network: Network, client_as: ClientAs, path: str) -> None:
    assert client_as(network.karim).get(path).status_code == 200


def test_the_header_links_to_the_directory_for_members_only(
    network: Network, client: TestClient, client_as: ClientAs
) -> None:
    def nav_links(browser: TestClient) -> list[str]:
        nav = soup(browser.get("/").text).select_one("header nav")
        assert nav is not None
        return [str(a["href"]) for a in nav.find_all("a")]

    assert "/membres" not in nav_links(client)
    assert "/membres" in nav_links(client_as(network.karim))


def test_missing_and_disabled_members_are_404_but_admins_see_the_disabled(
    network: Network, client_as: ClientAs
) -> None:
    karim = client_as(network.karim)
    assert karim.get("/membres/personne").status_code == 404
    assert karim.get("/membres/ancien").status_code == 404
    assert main_text(karim.get("/membres/ancien").text) == main_text(
        karim.get("/membres/personne").text
    )
    admin_view = client_as(network.admin).get("/membres/ancien")
    assert admin_view.status_code == 200
    assert "désactivé" in main_text(admin_view.text)


# --- e-mail addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "profile", "shown"),
    [
        ("karim", "amina", True),  # she chose to show it
        ("karim", "elodie", False),  # she did not
        ("elodie", "elodie", True),  # one's own
        ("admin", "elodie", True),  # administrators always
        ("amina", "karim", False),  # he gave none
    ],
)
def test_email_is_shown_only_when_chosen(
    network: Network, client_as: ClientAs, viewer: str, profile: str, shown: bool
) -> None:
    page = client_as(getattr(network, viewer)).get(f"/membres/{profile}")
    assert page.status_code == 200
    mailto = [a for a in soup(page.text).select("main a") if str(a["href"]).startswith("mailto:")]
    address = f"{profile}@example.org"
    assert bool(mailto) is shown
    if not shown:
        assert address not in page.text


def test_hidden_email_is_marked_as_hidden_for_its_owner(
    network: Network, client_as: ClientAs
) -> None:
    assert "masquée aux autres membres" in main_text(
        client_as(network.elodie).get("/membres/elodie").text
    )
    assert "masquée" not in main_text(client_as(network.amina).get("/membres/amina").text)


def test_email_rule() -> None:
    user = User(id=7, login="x", display_name="X", email="x@example.org")
    shown = MemberProfile(user_id=7, show_email=True)
    hidden = MemberProfile(user_id=7, show_email=False)
    member = Actor(user_id=8, login="y")
    assert can_see_email(member, user, shown)
    assert not can_see_email(member, user, hidden)
    assert not can_see_email(member, user, None)
    assert not can_see_email(ANONYMOUS, user, shown)
    assert can_see_email(Actor(user_id=9, login="a", is_admin=True), user, hidden)
    assert can_see_email(Actor(user_id=7, login="x"), user, hidden)
    no_address = User(id=7, login="x", display_name="X", email=None)
    assert not can_see_email(member, no_address, shown)


# --- profile page ----------------------------------------------------------------------------


def test_profile_page_shows_the_fields_as_a_definition_list(
    network: Network, client_as: ClientAs
) -> None:
    page = soup(client_as(network.karim).get("/membres/amina").text)
    h1 = page.find("h1")
    assert h1 is not None and h1.get_text(strip=True) == "Amina Benali"
    assert h1.get("dir") == "auto"
    terms = [dt.get_text(strip=True) for dt in page.select("main dl.profile-fields dt")]
    values = page.select("main dl.profile-fields dd")
    fields = dict(zip(terms, values, strict=True))
    assert one(fields["Organisation"], "a")["href"] == "/organisations/amappe"
    assert fields["Fonction"].get_text(strip=True) == "Chargée de projets"
    assert fields["Territoire"].get_text(strip=True) == "Région Souss-Massa"
    assert fields["Langues"].get_text(strip=True) == "français, arabe"
    assert fields["Adresse électronique"].get_text(strip=True) == "amina@example.org"
    presentation = page.select_one("main .text-block")
    assert presentation is not None and presentation.get("dir") == "auto"
    assert "Deuxième ligne" in presentation.get_text()


def test_profile_shows_only_the_groups_the_viewer_shares(
    network: Network, client_as: ClientAs
) -> None:
    assert "Pôle ESS" in main_text(client_as(network.karim).get("/membres/amina").text)
    # Élodie is in the COPIL, which Karim is not part of: to him it doesn't exist.
    assert "COPIL" not in main_text(client_as(network.karim).get("/membres/elodie").text)
    assert "COPIL" in main_text(client_as(network.admin).get("/membres/elodie").text)


def test_an_empty_profile_still_has_a_page(network: Network, client_as: ClientAs) -> None:
    page = client_as(network.amina).get("/membres/karim")
    assert page.status_code == 200
    assert "Non renseigné" in main_text(page.text)


# --- search ----------------------------------------------------------------------------------


def find(db: Database, viewer: Member, **filters: str) -> list[str]:
    def run(session: Session) -> list[str]:
        cards = directory_service.find_members(
            session,
            actor=actor_of(session, viewer),
            filters=directory_service.MemberFilters(**filters),
        )
        return [card.user.login for card in cards]

    result: list[str] = db.reading(run)
    return result


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["amina", "elodie", "karim", "root"]),
        ({"q": "elodie"}, ["elodie"]),
        ({"q": "Élodie"}, ["elodie"]),
        ({"q": "ÉLODIE durand"}, ["elodie"]),
        ({"q": "oeuvre"}, ["elodie"]),  # the organisation's name, "Œuvre"
        ({"q": "Œuvre"}, ["elodie"]),
        ({"q": "œuvre sociale"}, ["elodie"]),
        ({"q": "amappe"}, ["amina"]),  # the acronym
        ({"q": "amina rabat"}, ["amina"]),  # words may match different fields
        ({"q": "amina fes"}, []),
        ({"territory": "fes"}, ["elodie"]),
        ({"territory": "Fès"}, ["elodie"]),
        ({"territory": "souss"}, ["amina"]),  # her own territory
        ({"territory": "taroudant"}, ["amina"]),  # her organisation's
        ({"activity": "cooperatives"}, ["amina"]),
        ({"activity": "éducation"}, ["elodie"]),
        ({"activity": "EDUCATION POPULAIRE"}, ["elodie"]),
        ({"organisation": "amappe"}, ["amina"]),  # the disabled member is left out
        ({"organisation": "n-existe-pas"}, []),
        ({"q": "personne"}, []),
    ],
)
def test_search_ignores_accents_case_and_ligatures(
    network: Network, db: Database, filters: dict[str, str], expected: list[str]
) -> None:
    assert find(db, network.karim, **filters) == expected


def test_search_is_for_members_only(network: Network, db: Database) -> None:
    def run(session: Session) -> object:
        return directory_service.find_members(
            session, actor=ANONYMOUS, filters=directory_service.MemberFilters()
        )

    with pytest.raises(NotFound):
        db.reading(run)


def test_search_form_finds_and_keeps_the_query(network: Network, client_as: ClientAs) -> None:
    browser = client_as(network.karim)
    response = browser.get("/membres", params={"q": "Elodie", "territory": "fes"})
    assert member_links(response.text) == ["elodie"]
    page = soup(response.text)
    assert value_of(one(page, "main"), "q") == "Elodie"
    assert "1 membre trouvé" in main_text(response.text)
    by_org = browser.get("/membres", params={"organisation": "oeuvre-fes"})
    assert member_links(by_org.text) == ["elodie"]
    selected = soup(by_org.text).select_one("select[name=organisation] option[selected]")
    assert selected is not None and selected["value"] == "oeuvre-fes"
    none = browser.get("/membres", params={"q": "zzz"})
    assert member_links(none.text) == []
    assert "Aucun membre ne correspond" in main_text(none.text)


def test_directory_is_paginated(
    network: Network, make_member: MakeMember, client_as: ClientAs
) -> None:
    for number in range(30):
        make_member(f"benevole-{number:02d}", name=f"Bénévole {number:02d}")
    browser = client_as(network.karim)
    first = browser.get("/membres", params={"q": "benevole"})
    assert len(member_links(first.text)) == directory_service.PER_PAGE
    next_link = soup(first.text).select_one("nav.pagination a[rel=next]")
    assert next_link is not None
    assert "q=benevole" in str(next_link["href"]) and "page=2" in str(next_link["href"])
    second = browser.get(str(next_link["href"]))
    assert len(member_links(second.text)) == 30 - directory_service.PER_PAGE
    assert set(member_links(first.text)).isdisjoint(member_links(second.text))
    assert member_links(browser.get("/membres?q=benevole&page=99").text) == member_links(
        second.text
    )
    for bad in ("abc", "-1", "%C2%B2", "9" * 30):  # ² is a digit to str.isdigit()
        response = browser.get(f"/membres?q=benevole&page={bad}")
        assert member_links(response.text) == member_links(first.text), bad


# --- the member's own profile on /account ----------------------------------------------------


def profile_of(db: Database, member: Member) -> MemberProfile | None:
    def run(session: Session) -> MemberProfile | None:
        return session.get(MemberProfile, member.id)

    result: MemberProfile | None = db.reading(run)
    return result


def test_account_page_saves_the_public_profile(
    network: Network, db: Database, client_as: ClientAs
) -> None:
    browser = client_as(network.karim)
    account = soup(browser.get("/account").text)
    section = one(account, "section[aria-labelledby='profil-public']")
    assert one(section, "h2").get_text(strip=True) == "Profil public"
    form = one(section, "form[action='/account/public-profile']")
    for name in ("organisation", "role_in_organisation", "territory", "languages"):
        one(form, f"[name='{name}']")
        one(form, f"label[for='f-{name}']")
    response = browser.post(
        "/account/public-profile",
        data={
            "csrf_token": csrf_token(browser),
            "organisation": "amappe",
            "role_in_organisation": "  Trésorier  ",
            "territory": "Agadir",
            "languages": "arabe, amazighe",
            "presentation": "Bonjour\r\nà tous",
            "show_email": "1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    profile = profile_of(db, network.karim)
    assert profile is not None
    assert profile.role_in_organisation == "Trésorier"
    assert profile.presentation == "Bonjour\nà tous"
    assert profile.show_email is True
    page = browser.get("/membres/karim")
    assert "Trésorier" in main_text(page.text) and "Agadir" in main_text(page.text)
    again = soup(browser.get("/account").text)
    chosen = again.select_one("select[name=organisation] option[selected]")
    assert chosen is not None and chosen["value"] == "amappe"
    assert one(again, "input[name='show_email']").has_attr("checked")


def test_bad_public_profile_is_refused_with_messages_next_to_fields(
    network: Network, db: Database, client_as: ClientAs
) -> None:
    browser = client_as(network.amina)
    before = profile_of(db, network.amina)
    response = browser.post(
        "/account/public-profile",
        data={
            "csrf_token": csrf_token(browser),
            "organisation": "n-existe-pas",
            "role_in_organisation": "x" * 121,
            "territory": "Tiznit",
            "presentation": "y" * 2001,
        },
    )
    assert response.status_code == 400
    errors = field_errors(response.text)
    assert set(errors) == {"organisation", "role_in_organisation", "presentation"}
    assert "120" in errors["role_in_organisation"]
    assert value_of(one(soup(response.text), "main"), "territory") == "Tiznit"
    assert profile_of(db, network.amina) == before


def test_public_profile_needs_the_form_token(network: Network, client_as: ClientAs) -> None:
    browser = client_as(network.karim)
    response = browser.post("/account/public-profile", data={"territory": "Agadir"})
    assert response.status_code == 403


def test_the_account_profile_form_still_works(
    network: Network, db: Database, client_as: ClientAs
) -> None:
    browser = client_as(network.karim)
    response = browser.post(
        "/account",
        data={"csrf_token": csrf_token(browser), "display_name": "Karim A.", "email": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert member_links(browser.get("/membres?q=karim").text) == ["karim"]
    assert "Karim A." in main_text(browser.get("/membres/karim").text)
