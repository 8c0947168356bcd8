"""CSV exports for administrators: readable back, Excel-friendly, and safe from formulas."""

import csv
import io

import pytest
from starlette.testclient import TestClient

from forum.db import Database
from forum.services import accounts as account_service
from forum.services.directory_export import BOM, neutralise, to_csv
from tests.conftest import ClientAs, MakeMember
from tests.directory_helpers import add_organisation, set_profile, soup

MEMBERS = "/admin/export/members.csv"
ORGANISATIONS = "/admin/export/organisations.csv"


def rows(body: bytes) -> list[dict[str, str]]:
    """Parse a downloaded file as a spreadsheet would: BOM, semicolons, quoted fields."""
    assert body.startswith(BOM.encode("utf-8"))
    text = body.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.fixture
def admin_browser(db: Database, make_member: MakeMember, client_as: ClientAs) -> TestClient:
    admin = make_member("root", admin=True, name="Root")
    add_organisation(
        db,
        admin,
        "oeuvre-fes",
        "Œuvre sociale de Fès",
        acronym="OSF",
        phone="+212 5 35 00 00 00",
        territories="Fès; Meknès\n« Moyen Atlas »",
        trades_and_activities='=HYPERLINK("http://evil.example","clic")',
        pooling="-1+2",
        expectations="@SUM(A1)",
    )
    amina = make_member(
        "amina", name="Amina Benali", email="amina@example.org", groups={"pole-ess": "member"}
    )
    set_profile(
        db,
        amina,
        organisation="oeuvre-fes",
        role_in_organisation="=1+1",
        territory="Taroudant",
        presentation='Ligne 1\nLigne "2"; fin',
        show_email=False,
    )
    make_member("karim", name="Karim Alaoui")
    former = make_member("ancien", name="Ancien Membre")
    set_profile(db, former, organisation="oeuvre-fes")
    db.transaction(account_service.set_account_active, user_id=former.id, is_active=False)
    return client_as(admin)


def test_members_csv(admin_browser: TestClient) -> None:
    response = admin_browser.get(MEMBERS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="membres-')
    table = {row["Identifiant"]: row for row in rows(response.content)}
    assert set(table) == {"root", "amina", "karim", "ancien"}
    assert table["ancien"]["Compte actif"] == "non"
    assert table["amina"]["Compte actif"] == "oui"
    amina = table["amina"]
    assert amina["Nom"] == "Amina Benali"
    assert amina["Adresse électronique"] == "amina@example.org"  # admins always get it
    assert amina["Adresse visible des membres"] == "non"
    assert amina["Organisation"] == "Œuvre sociale de Fès"
    assert amina["Fonction dans l'organisation"] == "'=1+1"
    assert amina["Présentation"] == 'Ligne 1\nLigne "2"; fin'
    assert amina["Groupes"] == "Pôle ESS"
    assert table["karim"]["Organisation"] == ""


def test_organisations_csv(admin_browser: TestClient) -> None:
    response = admin_browser.get(ORGANISATIONS)
    assert response.status_code == 200
    [org] = rows(response.content)
    assert org["Nom"] == "Œuvre sociale de Fès"
    assert org["Sigle"] == "OSF"
    assert org["Type"] == "Association"
    assert org["Territoires"] == "Fès; Meknès\n« Moyen Atlas »"
    assert org["Métiers et activités"] == '\'=HYPERLINK("http://evil.example","clic")'
    assert org["Mutualisation possible"] == "'-1+2"
    assert org["Attentes vis-à-vis du réseau"] == "'@SUM(A1)"
    assert org["Téléphone"] == "'+212 5 35 00 00 00"
    assert org["Membres inscrits"] == "1", "the disabled account is not counted"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=cmd", "'=cmd"),
        ("+33", "'+33"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (3, "3"),
    ],
)
def test_formula_cells_are_neutralised(value: object, cell: str) -> None:
    assert neutralise(value) == cell


def test_to_csv_round_trips_awkward_text() -> None:
    awkward = ["a;b", 'say "hi"', "two\nlines", "é œ ال"]
    text = to_csv(["h1", "h2", "h3", "h4"], [awkward])
    assert text.startswith(BOM) and "\r\n" in text
    parsed = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline=""), delimiter=";"))
    assert parsed == [["h1", "h2", "h3", "h4"], awkward]


@pytest.mark.parametrize("path", [MEMBERS, ORGANISATIONS])
def test_exports_are_404_for_everyone_but_admins(
    path: str, make_member: MakeMember, client_as: ClientAs, client: TestClient
) -> None:
    moderator = make_member("salma", groups={"bureau": "moderator"})
    assert client_as(moderator).get(path).status_code == 404
    assert client.get(path, follow_redirects=False).status_code == 404


def test_dashboard_links_to_the_exports(admin_browser: TestClient) -> None:
    page = soup(admin_browser.get("/admin").text)
    links = {str(a["href"]) for a in page.select("main a")}
    assert {MEMBERS, ORGANISATIONS} <= links
