"""GET /api/v1/members and /api/v1/organisations: members only, e-mails only when chosen."""

from typing import Any

import pytest
from starlette.testclient import TestClient

from forum.db import Database
from forum.services import tokens as token_service
from tests.conftest import MakeMember, Member
from tests.directory_helpers import add_organisation, set_profile


def bearer(db: Database, member: Member) -> dict[str, str]:
    token, _row = db.transaction(token_service.create_token, user_id=member.id, name="api")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> dict[str, Member]:
    admin = make_member("root", admin=True, name="Root", email="root@example.org")
    add_organisation(
        db,
        admin,
        "oeuvre-fes",
        "Œuvre sociale de Fès",
        territories="Fès-Meknès",
        trades_and_activities="Éducation populaire",
    )
    add_organisation(db, admin, "amappe", "AMAPPE", territories="Taroudant")
    amina = make_member("amina", name="Amina Benali", email="amina@example.org")
    elodie = make_member("elodie", name="Élodie Durand", email="elodie@example.org")
    karim = make_member("karim", name="Karim Alaoui")
    set_profile(
        db,
        amina,
        organisation="amappe",
        role_in_organisation="Animatrice",
        territory="Souss",
        languages="arabe",
        show_email=True,
    )
    set_profile(db, elodie, organisation="oeuvre-fes", show_email=False)
    return {"admin": admin, "amina": amina, "elodie": elodie, "karim": karim}


def members(client: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/members", params=params, headers=headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["members"]
    return found


@pytest.mark.parametrize("path", ["/api/v1/members", "/api/v1/organisations"])
def test_anonymous_callers_get_401(
    people: dict[str, Member], client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"
    bad = client.get(path, headers={"Authorization": "Bearer fpat_nope"})
    assert bad.status_code == 401


def test_members_json_shape_and_emails(
    people: dict[str, Member], db: Database, client: TestClient
) -> None:
    found = {m["login"]: m for m in members(client, bearer(db, people["karim"]))}
    assert list(found) == ["amina", "elodie", "karim", "root"]
    assert found["amina"] == {
        "login": "amina",
        "display_name": "Amina Benali",
        "organisation": {"slug": "amappe", "name": "AMAPPE"},
        "role": "Animatrice",
        "territory": "Souss",
        "languages": "arabe",
        "email": "amina@example.org",
    }
    assert "email" not in found["elodie"]  # she keeps it hidden
    assert "email" not in found["root"]  # no profile: hidden by default
    assert found["karim"]["organisation"] is None


def test_admins_and_owners_get_hidden_emails(
    people: dict[str, Member], db: Database, client: TestClient
) -> None:
    by_admin = {m["login"]: m for m in members(client, bearer(db, people["admin"]))}
    assert by_admin["elodie"]["email"] == "elodie@example.org"
    by_self = {m["login"]: m for m in members(client, bearer(db, people["elodie"]))}
    assert by_self["elodie"]["email"] == "elodie@example.org"
    assert "email" not in by_self["root"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "elodie"}, ["elodie"]),
        ({"q": "ÉLODIE"}, ["elodie"]),
        ({"q": "oeuvre"}, ["elodie"]),
        ({"q": "œuvre"}, ["elodie"]),
        ({"territory": "fes"}, ["elodie"]),
        ({"territory": "taroudant"}, ["amina"]),
        ({"activity": "education"}, ["elodie"]),
        ({"organisation": "amappe"}, ["amina"]),
        ({"organisation": "amappe", "q": "elodie"}, []),
    ],
)
def test_members_filters(
    people: dict[str, Member],
    db: Database,
    client: TestClient,
    params: dict[str, str],
    expected: list[str],
) -> None:
    found = members(client, bearer(db, people["karim"]), **params)
    assert [m["login"] for m in found] == expected


def test_organisations_json(people: dict[str, Member], db: Database, client: TestClient) -> None:
    headers = bearer(db, people["karim"])
    response = client.get("/api/v1/organisations", headers=headers)
    assert response.status_code == 200
    found = {org["slug"]: org for org in response.json()["organisations"]}
    assert list(found) == ["amappe", "oeuvre-fes"]
    fes = found["oeuvre-fes"]
    assert fes["name"] == "Œuvre sociale de Fès"
    assert fes["territories"] == "Fès-Meknès"
    assert fes["kind"] == "association"
    assert fes["members"] == 1
    assert fes["url"] == "/organisations/oeuvre-fes"
    filtered = client.get("/api/v1/organisations", params={"territory": "Fes"}, headers=headers)
    assert [org["slug"] for org in filtered.json()["organisations"]] == ["oeuvre-fes"]
