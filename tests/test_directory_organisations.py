"""Organisation pages: the survey's sections, search, who may add and change them, bad input."""

from dataclasses import dataclass

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from forum.access import ANONYMOUS, Actor, can_create_organisation, can_edit_organisation
from forum.db import Database
from forum.models import MemberProfile, Organisation
from forum.services import organisations as organisation_service
from tests.conftest import ClientAs, MakeMember, Member, csrf_token
from tests.directory_helpers import (
    add_organisation,
    field_errors,
    main_text,
    one,
    set_profile,
    soup,
    value_of,
)


@dataclass(frozen=True)
class Cast:
    admin: Member
    insider: Member  # names AMAPPE in their profile
    outsider: Member  # names another organisation
    newcomer: Member  # names none


@pytest.fixture
def cast(db: Database, make_member: MakeMember) -> Cast:
    admin = make_member("root", admin=True)
    add_organisation(
        db,
        admin,
        "amappe",
        "AMAPPE",
        kind="association",
        country="Maroc",
        city="Rabat",
        website="https://amappe.example.ma",
        phone="+212 5 37 00 00 00",
        territories="Rabat-Salé\nTaroudant",
        trades_and_activities="Microcrédit\nAccompagnement des coopératives",
        resources="Une équipe de 12 salariés",
        pooling="Salle de formation",
        expectations="Des échanges Sud-Sud",
        description="<script>alert(1)</script> Appui aux petites entreprises.",
    )
    add_organisation(db, admin, "cefir", "CEFIR", city="Dunkerque", country="France")
    insider = make_member("amina", name="Amina Benali")
    outsider = make_member("annie", name="Annie Becquet")
    newcomer = make_member("karim", name="Karim Alaoui")
    set_profile(db, insider, organisation="amappe", role_in_organisation="Animatrice")
    set_profile(db, outsider, organisation="cefir")
    return Cast(admin=admin, insider=insider, outsider=outsider, newcomer=newcomer)


def organisations(db: Database) -> dict[str, Organisation]:
    def run(session: Session) -> dict[str, Organisation]:
        return {org.slug: org for org in session.exec(select(Organisation)).all()}

    result: dict[str, Organisation] = db.reading(run)
    return result


def form_data(browser: TestClient, path: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(browser, path), "kind": "association", **fields}


# --- the page --------------------------------------------------------------------------------


def test_organisation_page_has_every_section_of_the_survey(cast: Cast, client_as: ClientAs) -> None:
    response = client_as(cast.newcomer).get("/organisations/amappe")
    page = soup(response.text)
    headings = [h2.get_text(strip=True) for h2 in page.select("main h2")]
    assert headings == [
        "Informations générales et contacts",
        "Territoires",
        "Métiers et activités",
        "Ressources",
        "Ce qui pourrait être mutualisé",
        "Attentes vis-à-vis du réseau et des pôles",
        "Membres inscrits",
    ]
    for section in page.select("main section"):
        assert section.get("aria-labelledby") == one(section, "h2")["id"]
    terms = [dt.get_text(strip=True) for dt in page.select("main dl dt")]
    values = [dd.get_text(strip=True) for dd in page.select("main dl dd")]
    details = dict(zip(terms, values, strict=True))
    assert details["Type"] == "Association"
    assert details["Ville"] == "Rabat"
    assert details["Site web"] == "https://amappe.example.ma"
    territories = page.select_one("#territoires ~ .text-block")
    assert territories is not None and territories["dir"] == "auto"
    assert territories.get_text() == "Rabat-Salé\nTaroudant"
    members = [a.get_text(strip=True) for a in page.select("main a.member-name")]
    assert members == ["Amina Benali"]
    # Text is escaped, never markup: the only scripts are our own static files.
    scripts = page.find_all("script")
    assert all(str(s.get("src", "")).startswith("/static/") for s in scripts)
    assert all(not s.get_text().strip() for s in scripts)
    assert "<script>alert(1)</script>" in main_text(response.text)


def test_organisations_list_filters_by_territory_and_activity(
    cast: Cast, client_as: ClientAs
) -> None:
    browser = client_as(cast.newcomer)

    def listed(**params: str) -> list[str]:
        page = soup(browser.get("/organisations", params=params).text)
        return [str(a["href"]) for a in page.select("main a.member-name")]

    assert listed() == ["/organisations/amappe", "/organisations/cefir"]
    assert listed(territory="taroudant") == ["/organisations/amappe"]
    assert listed(territory="FRANCE") == ["/organisations/cefir"]
    assert listed(activity="cooperatives") == ["/organisations/amappe"]
    assert listed(activity="coopératives", territory="dunkerque") == []
    assert listed(q="cefir") == ["/organisations/cefir"]


# --- who may add and change ------------------------------------------------------------------


def test_edit_rule() -> None:
    org = Organisation(id=3, slug="x", name="X")
    member = Actor(user_id=1, login="m")
    assert can_edit_organisation(member, org, actor_organisation_id=3)
    assert not can_edit_organisation(member, org, actor_organisation_id=4)
    assert not can_edit_organisation(member, org, actor_organisation_id=None)
    assert can_edit_organisation(
        Actor(user_id=2, login="a", is_admin=True), org, actor_organisation_id=None
    )
    assert not can_edit_organisation(ANONYMOUS, org, actor_organisation_id=3)
    assert can_create_organisation(member, actor_organisation_id=None)
    assert not can_create_organisation(member, actor_organisation_id=3)
    assert not can_create_organisation(ANONYMOUS, actor_organisation_id=None)


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("insider", 200), ("outsider", 403), ("newcomer", 403)]
)
def test_who_may_change_an_organisation(
    cast: Cast, db: Database, client_as: ClientAs, who: str, status: int
) -> None:
    browser = client_as(getattr(cast, who))
    assert browser.get("/organisations/amappe/edit").status_code == status
    page = soup(browser.get("/organisations/amappe").text)
    edit_links = page.select("main a[href='/organisations/amappe/edit']")
    assert bool(edit_links) is (status == 200)
    response = browser.post(
        "/organisations/amappe/edit",
        data=form_data(browser, "/organisations", name="AMAPPE", city="Salé"),
        follow_redirects=False,
    )
    assert response.status_code == (303 if status == 200 else 403)
    assert organisations(db)["amappe"].city == ("Salé" if status == 200 else "Rabat")


def test_a_change_records_who_made_it(cast: Cast, db: Database, client_as: ClientAs) -> None:
    browser = client_as(cast.insider)
    response = browser.post(
        "/organisations/amappe/edit",
        data=form_data(browser, "/organisations/amappe/edit", name="AMAPPE", pooling="Un bus"),
    )
    assert response.status_code == 200
    assert organisations(db)["amappe"].updated_by_id == cast.insider.id
    text = main_text(response.text)
    assert "Modifications enregistrées" in text and "par Amina Benali" in text
    assert "Un bus" in text
    assert organisations(db)["amappe"].territories == "", "a field left empty is emptied"


def test_an_admin_adds_an_organisation_with_a_slug_made_from_its_name(
    cast: Cast, db: Database, client_as: ClientAs
) -> None:
    browser = client_as(cast.admin)
    response = browser.post(
        "/organisations/new",
        data=form_data(
            browser, "/organisations/new", name="Réseau Marocain de l'Économie Sociale", slug=""
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303
    slug = "reseau-marocain-de-l-economie-sociale"
    assert response.headers["location"] == f"/organisations/{slug}?saved=created"
    assert slug in organisations(db)

    def admin_profile(session: Session) -> MemberProfile | None:
        return session.get(MemberProfile, cast.admin.id)

    assert db.reading(admin_profile) is None, "an admin is not attached to what they add"


def test_a_member_without_organisation_adds_theirs_and_belongs_to_it(
    cast: Cast, db: Database, client_as: ClientAs
) -> None:
    browser = client_as(cast.newcomer)
    assert "/organisations/new" in browser.get("/organisations").text
    response = browser.post(
        "/organisations/new",
        data=form_data(browser, "/organisations/new", name="Tazeoult", kind="cooperative"),
        follow_redirects=False,
    )
    assert response.status_code == 303
    created = organisations(db)["tazeoult"]
    assert created.kind == "cooperative"

    def profile(session: Session) -> MemberProfile | None:
        return session.get(MemberProfile, cast.newcomer.id)

    saved = db.reading(profile)
    assert saved is not None and saved.organisation_id == created.id
    assert browser.get("/organisations/tazeoult/edit").status_code == 200
    # Now that they have one, they may not add another.
    assert browser.get("/organisations/new").status_code == 403


def test_a_member_with_an_organisation_may_not_add_another(
    cast: Cast, db: Database, client_as: ClientAs
) -> None:
    browser = client_as(cast.insider)
    assert "/organisations/new" not in browser.get("/organisations").text
    assert browser.get("/organisations/new").status_code == 403
    response = browser.post(
        "/organisations/new", data=form_data(browser, "/organisations", name="Autre")
    )
    assert response.status_code == 403
    assert set(organisations(db)) == {"amappe", "cefir"}


def test_anonymous_posts_change_nothing(cast: Cast, db: Database, client: TestClient) -> None:
    for path in ("/organisations/new", "/organisations/amappe/edit"):
        response = client.post(path, data={"name": "Pirate"}, follow_redirects=False)
        assert response.status_code in (403, 404)
    assert organisations(db)["amappe"].name == "AMAPPE"
    assert "pirate" not in organisations(db)


# --- bad input -------------------------------------------------------------------------------


def test_bad_input_is_refused_next_to_each_field_and_nothing_is_written(
    cast: Cast, db: Database, client_as: ClientAs
) -> None:
    browser = client_as(cast.admin)
    response = browser.post(
        "/organisations/new",
        data=form_data(
            browser,
            "/organisations/new",
            name="",
            kind="secte",
            website="pas un site",
            email="contact@",
            phone="appelez-nous",
            city="Casablanca",
            territories="t" * 2001,
        ),
    )
    assert response.status_code == 400
    errors = field_errors(response.text)
    assert set(errors) == {"name", "kind", "website", "email", "phone", "territories"}
    summary = soup(response.text).select(".error-summary a")
    assert {str(a["href"]) for a in summary} == {f"#f-{name}" for name in errors}
    assert value_of(one(soup(response.text), "main"), "city") == "Casablanca"
    assert set(organisations(db)) == {"amappe", "cefir"}


def test_bad_edit_keeps_the_old_values(cast: Cast, db: Database, client_as: ClientAs) -> None:
    browser = client_as(cast.insider)
    response = browser.post(
        "/organisations/amappe/edit",
        data=form_data(browser, "/organisations", name="AMAPPE", website="ftp://x.ma", city="Fès"),
    )
    assert response.status_code == 400
    assert set(field_errors(response.text)) == {"website"}
    assert organisations(db)["amappe"].city == "Rabat"


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"name": "amappe"}, 409, "name"),  # the same name, whatever the case
        ({"name": "Cefír"}, 409, "name"),  # or the accents
        ({"name": "Un autre nom", "slug": "cefir"}, 409, "slug"),
        ({"name": "Nouvelle", "slug": "new"}, 400, "slug"),
        ({"name": "Nouvelle", "slug": "Pas Bon!"}, 400, "slug"),
        ({"name": "جمعية"}, 400, "slug"),  # no letters for a slug: ask for one
    ],
)
def test_duplicates_are_409_and_bad_slugs_400(
    cast: Cast,
    db: Database,
    client_as: ClientAs,
    fields: dict[str, str],
    status: int,
    field: str,
) -> None:
    browser = client_as(cast.admin)
    response = browser.post(
        "/organisations/new", data=form_data(browser, "/organisations/new", **fields)
    )
    assert response.status_code == status
    assert set(field_errors(response.text)) == {field}
    assert set(organisations(db)) == {"amappe", "cefir"}


def test_arabic_names_are_fine_with_a_slug(cast: Cast, db: Database, client_as: ClientAs) -> None:
    browser = client_as(cast.admin)
    response = browser.post(
        "/organisations/new",
        data=form_data(browser, "/organisations/new", name="جمعية التنمية", slug="tanmia"),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert organisations(db)["tanmia"].name == "جمعية التنمية"


def test_renaming_to_another_organisations_name_is_a_409(
    cast: Cast, db: Database, client_as: ClientAs
) -> None:
    browser = client_as(cast.insider)
    response = browser.post(
        "/organisations/amappe/edit", data=form_data(browser, "/organisations", name="Cefir")
    )
    assert response.status_code == 409
    assert set(field_errors(response.text)) == {"name"}
    assert organisations(db)["amappe"].name == "AMAPPE"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("www.exemple.ma", "https://www.exemple.ma"),
        ("http://exemple.org/page", "http://exemple.org/page"),
        ("", ""),
    ],
)
def test_websites_are_normalised(raw: str, clean: str) -> None:
    assert organisation_service.clean_website(raw) == clean


def test_slug_from_name() -> None:
    assert organisation_service.slug_from_name("Cœur d’Atlas — Fès") == "coeur-d-atlas-fes"
