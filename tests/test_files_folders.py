"""Folders of a board's library: rename, move, delete (contents go up), who may, bad input."""

from typing import Any

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from forum.db import Database
from forum.models import Folder
from tests.conftest import ClientAs, MakeMember, csrf_token
from tests.discussions import A, B, People, arrange_people, field_error, send_form, soup
from tests.files import fixtures
from tests.files_helpers import stored_files, upload, uploaded

LIBRARY = f"/b/{A}/fichiers"


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def chloe(people: People, client_as: ClientAs) -> TestClient:
    """Chloé moderates board A."""
    return client_as(people.moderator_a)


def make_folder(browser: TestClient, name: str, parent: int | None = None) -> int:
    data = {"folder_name": name, **({"parent": str(parent)} if parent else {})}
    created = send_form(browser, f"{LIBRARY}/dossiers", data, LIBRARY)
    assert created.status_code == 303, created.text
    return int(created.headers["location"].split("dossier=")[1])


def folders(db: Database) -> dict[int, tuple[str, int | None]]:
    """Every folder: id -> (name, parent id)."""
    rows = db.reading(lambda session: list(session.exec(select(Folder)).all()))
    return {f.id: (f.name, f.parent_id) for f in rows if f.id is not None}


def folder_action(folder_id: int, action: str) -> str:
    return f"{LIBRARY}/dossiers/{folder_id}/{action}"


def names_in_table(html: str) -> list[str]:
    page = soup(html)
    return [
        row.select("td a")[0].get_text(strip=True) for row in page.select(".file-table tbody tr")
    ]


def test_rename_a_folder(chloe: TestClient, db: Database) -> None:
    folder = make_folder(chloe, "Comptes rendus")
    page = f"{LIBRARY}?dossier={folder}"
    form = soup(chloe.get(page).text).select_one(
        f'form[action="{folder_action(folder, "renommer")}"]'
    )
    assert form is not None and form.find("input", attrs={"name": "csrf_token"}) is not None
    renamed = send_form(
        chloe, folder_action(folder, "renommer"), {"folder_rename": " Réunions d'été "}, page
    )
    assert renamed.status_code == 303
    assert renamed.headers["location"] == page
    assert folders(db)[folder] == ("Réunions d'été", None)
    heading = soup(chloe.get(page).text).find("h1")
    assert heading is not None and heading.get_text(strip=True) == "Réunions d'été"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Donnez un nom au dossier."),
        ("   ", "Donnez un nom au dossier."),
        ("x" * 121, "120 caractères au plus pour un nom de dossier."),
        ("photos", "Un dossier porte déjà ce nom ici."),
    ],
)
def test_renaming_refuses_bad_names(
    chloe: TestClient, db: Database, name: str, message: str
) -> None:
    make_folder(chloe, "Photos")
    folder = make_folder(chloe, "Comptes rendus")
    page = f"{LIBRARY}?dossier={folder}"
    response = send_form(chloe, folder_action(folder, "renommer"), {"folder_rename": name}, page)
    assert response.status_code == 400
    assert field_error(soup(response.text), "folder_rename") == message
    assert folders(db)[folder] == ("Comptes rendus", None)


def test_creating_refuses_a_too_long_name(chloe: TestClient, db: Database) -> None:
    response = send_form(chloe, f"{LIBRARY}/dossiers", {"folder_name": "é" * 121}, LIBRARY)
    assert response.status_code == 400
    assert (
        field_error(soup(response.text), "folder_name")
        == "120 caractères au plus pour un nom de dossier."
    )
    assert folders(db) == {}


def test_renaming_to_its_own_name_in_other_case_is_fine(chloe: TestClient, db: Database) -> None:
    folder = make_folder(chloe, "photos")
    page = f"{LIBRARY}?dossier={folder}"
    assert (
        send_form(
            chloe, folder_action(folder, "renommer"), {"folder_rename": "Photos"}, page
        ).status_code
        == 303
    )
    assert folders(db)[folder] == ("Photos", None)


def test_delete_a_folder_moves_its_contents_up(chloe: TestClient, db: Database) -> None:
    outer = make_folder(chloe, "2026")
    inner = make_folder(chloe, "Ateliers", parent=outer)
    deep = make_folder(chloe, "Photos", parent=inner)
    make_folder(chloe, "Photos", parent=outer)  # a neighbour already named like `deep`
    doc = uploaded(chloe, A, "plan.pdf", fixtures.pdf())
    moved = send_form(
        chloe, f"{LIBRARY}/{doc['id']}/deplacer", {"folder": str(inner)}, f"{LIBRARY}/{doc['id']}"
    )
    assert moved.status_code == 303
    page = f"{LIBRARY}?dossier={inner}"
    unconfirmed = send_form(chloe, folder_action(inner, "supprimer"), {}, page)
    assert unconfirmed.status_code == 400
    assert (
        field_error(soup(unconfirmed.text), "folder_confirm")
        == "Cochez la case pour confirmer la suppression."
    )
    assert inner in folders(db)
    deleted = send_form(chloe, folder_action(inner, "supprimer"), {"folder_confirm": "1"}, page)
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"{LIBRARY}?dossier={outer}&dossier_supprime=1"
    after = folders(db)
    assert inner not in after
    assert after[deep] == ("Photos (2)", outer)  # kept, renamed beside its new neighbour
    [row] = stored_files(db)
    assert row.folder_id == outer and row.deleted_at is None
    listing = chloe.get(deleted.headers["location"]).text
    assert names_in_table(listing) == ["plan.pdf"]
    notice = soup(listing).select_one(".notice")
    assert notice is not None and "Dossier supprimé" in notice.get_text()


def test_delete_a_top_folder_puts_files_at_the_root(chloe: TestClient, db: Database) -> None:
    folder = make_folder(chloe, "Divers")
    response = upload(chloe, A, "note.txt", b"bonjour\n", folder=str(folder))
    assert response.status_code == 201
    page = f"{LIBRARY}?dossier={folder}"
    deleted = send_form(chloe, folder_action(folder, "supprimer"), {"folder_confirm": "1"}, page)
    assert deleted.headers["location"] == f"{LIBRARY}?dossier_supprime=1"
    assert folders(db) == {}
    assert names_in_table(chloe.get(LIBRARY).text) == ["note.txt"]


def test_move_a_folder_and_refuse_cycles(chloe: TestClient, db: Database) -> None:
    outer = make_folder(chloe, "2026")
    inner = make_folder(chloe, "Ateliers", parent=outer)
    other = make_folder(chloe, "Archives")
    page = f"{LIBRARY}?dossier={outer}"
    options = soup(chloe.get(page).text).select("#f-folder_parent option")
    offered = [o["value"] for o in options]
    assert offered == ["", str(other)]  # neither itself nor its sub-folder
    for target in (outer, inner):
        refused = send_form(
            chloe, folder_action(outer, "deplacer"), {"folder_parent": str(target)}, page
        )
        assert refused.status_code == 400
        assert "ni dans ses sous-dossiers" in (
            field_error(soup(refused.text), "folder_parent") or ""
        )
    moved = send_form(chloe, folder_action(outer, "deplacer"), {"folder_parent": str(other)}, page)
    assert moved.status_code == 303
    assert folders(db)[outer] == ("2026", other)
    back = send_form(chloe, folder_action(outer, "deplacer"), {"folder_parent": ""}, page)
    assert back.status_code == 303
    assert folders(db)[outer] == ("2026", None)


def test_moving_refuses_unknown_and_foreign_folders(
    chloe: TestClient, db: Database, people: People, client_as: ClientAs
) -> None:
    folder = make_folder(chloe, "2026")
    bruno = client_as(people.member_b)
    made = send_form(
        bruno, f"/b/{B}/fichiers/dossiers", {"folder_name": "Chez B"}, f"/b/{B}/fichiers"
    )
    foreign = int(made.headers["location"].split("dossier=")[1])
    page = f"{LIBRARY}?dossier={folder}"
    for bad in (str(foreign), "999999", "0", "-3", "abc", "9" * 30):
        refused = send_form(chloe, folder_action(folder, "deplacer"), {"folder_parent": bad}, page)
        assert refused.status_code == 400, bad
        assert (
            field_error(soup(refused.text), "folder_parent")
            == "Ce dossier n'existe pas dans ce tableau."
        )
    assert folders(db)[folder] == ("2026", None)


def test_moving_refuses_a_name_taken_at_the_destination(chloe: TestClient, db: Database) -> None:
    target = make_folder(chloe, "Archives")
    make_folder(chloe, "Photos", parent=target)
    folder = make_folder(chloe, "photos")
    page = f"{LIBRARY}?dossier={folder}"
    refused = send_form(
        chloe, folder_action(folder, "deplacer"), {"folder_parent": str(target)}, page
    )
    assert refused.status_code == 400
    assert (
        field_error(soup(refused.text), "folder_parent")
        == "Un dossier porte déjà ce nom à cet endroit."
    )


def test_only_moderators_manage_folders(
    chloe: TestClient, db: Database, people: People, client_as: ClientAs
) -> None:
    folder = make_folder(chloe, "2026")
    page = f"{LIBRARY}?dossier={folder}"
    amina = client_as(people.member_a)
    assert soup(amina.get(page).text).find(id="gerer-dossier") is None
    assert soup(chloe.get(page).text).find(id="gerer-dossier") is not None
    assert soup(chloe.get(LIBRARY).text).find(id="gerer-dossier") is None  # the root is no folder
    for action, data in (
        ("renommer", {"folder_rename": "x"}),
        ("deplacer", {"folder_parent": ""}),
        ("supprimer", {"folder_confirm": "1"}),
        ("supprimer", {}),
    ):
        assert send_form(amina, folder_action(folder, action), data, page).status_code == 403
    admin = client_as(people.admin)
    assert (
        send_form(
            admin, folder_action(folder, "renommer"), {"folder_rename": "Année 2026"}, page
        ).status_code
        == 303
    )
    assert folders(db)[folder] == ("Année 2026", None)


def test_other_groups_and_wrong_ids_get_404(
    chloe: TestClient, db: Database, people: People, client_as: ClientAs, client: TestClient
) -> None:
    folder = make_folder(chloe, "2026")
    bruno = client_as(people.member_b)
    for browser in (bruno, client):
        assert browser.get(f"{LIBRARY}?dossier={folder}").status_code == 404
    for action, data in (
        ("renommer", {"folder_rename": "x"}),
        ("deplacer", {"folder_parent": ""}),
        ("supprimer", {"folder_confirm": "1"}),
        ("supprimer", {}),
    ):
        assert send_form(bruno, folder_action(folder, action), data).status_code == 404
        # Board B is Bruno's: the folder of board A is not found through it either.
        path = f"/b/{B}/fichiers/dossiers/{folder}/{action}"
        assert send_form(bruno, path, data).status_code == 404
    for bad in ("0", "abc", "9" * 30, "99999"):
        assert (
            send_form(
                chloe, f"{LIBRARY}/dossiers/{bad}/renommer", {"folder_rename": "x"}
            ).status_code
            == 404
        )
    assert send_form(chloe, folder_action(folder, "vider"), {}).status_code == 404
    assert folders(db)[folder] == ("2026", None)


def test_folder_forms_need_the_csrf_token(chloe: TestClient, db: Database) -> None:
    folder = make_folder(chloe, "2026")
    response = chloe.post(
        folder_action(folder, "supprimer"), data={"folder_confirm": "1", "csrf_token": "faux"}
    )
    assert response.status_code == 403
    assert folder in folders(db)


# --- the JSON API ------------------------------------------------------------------------------


def api(browser: TestClient, method: str, path: str, payload: object | None = None) -> Any:
    """Call the API as the browser's session (with its CSRF header for writes)."""
    headers = {"X-CSRF-Token": csrf_token(browser)} if method != "GET" else {}
    return browser.request(method, f"/api/v1{path}", json=payload, headers=headers)


FOLDERS = f"/boards/{A}/folders"


def test_api_lists_creates_changes_and_deletes_folders(chloe: TestClient, db: Database) -> None:
    created = api(chloe, "POST", FOLDERS, {"name": "2026"})
    assert created.status_code == 201, created.text
    outer = created.json()
    assert outer["name"] == "2026" and outer["parent"] is None and outer["path"] == "2026"
    inner = api(chloe, "POST", FOLDERS, {"name": "Ateliers", "parent": outer["id"]}).json()
    assert inner["path"] == "2026 / Ateliers"
    listing = api(chloe, "GET", FOLDERS).json()["folders"]
    assert [f["path"] for f in listing] == ["2026", "2026 / Ateliers"]
    doc = upload(chloe, A, "plan.pdf", fixtures.pdf(), folder=str(inner["id"]))
    assert doc.status_code == 201
    changed = api(chloe, "PATCH", f"{FOLDERS}/{inner['id']}", {"name": "Réunions", "parent": None})
    assert changed.status_code == 200, changed.text
    assert changed.json()["path"] == "Réunions" and changed.json()["parent"] is None
    renamed_only = api(chloe, "PATCH", f"{FOLDERS}/{inner['id']}", {"name": "Réunions d'été"})
    assert renamed_only.json()["parent"] is None
    moved_only = api(chloe, "PATCH", f"{FOLDERS}/{inner['id']}", {"parent": outer["id"]})
    assert moved_only.json()["path"] == "2026 / Réunions d'été"
    cycle = api(chloe, "PATCH", f"{FOLDERS}/{outer['id']}", {"parent": inner["id"]})
    assert cycle.status_code == 422 and set(cycle.json()["fields"]) == {"parent"}
    deleted = api(chloe, "DELETE", f"{FOLDERS}/{outer['id']}")
    assert deleted.status_code == 200
    assert deleted.json() == {"parent": None, "files_moved": 0, "folders_moved": 1}
    assert folders(db) == {inner["id"]: ("Réunions d'été", None)}
    again = api(chloe, "DELETE", f"{FOLDERS}/{inner['id']}").json()
    assert again == {"parent": None, "files_moved": 1, "folders_moved": 0}
    files = api(chloe, "GET", f"/boards/{A}/files").json()["files"]
    assert [(f["name"], f["folder"]) for f in files] == [("plan.pdf", None)]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": 3}, "name"),
        ({"parent": "1"}, "parent"),
        ({"parent": True}, "parent"),
        ({"parent": 0}, "parent"),
        ({"parent": 2**70}, "parent"),
        ({"parent": 999999}, "parent"),
    ],
)
def test_api_refuses_bad_folder_input(
    chloe: TestClient, db: Database, payload: dict[str, Any], field: str
) -> None:
    folder = make_folder(chloe, "2026")
    changed = api(chloe, "PATCH", f"{FOLDERS}/{folder}", payload)
    assert changed.status_code == 422, changed.text
    assert set(changed.json()["fields"]) == {field}
    created = api(chloe, "POST", FOLDERS, {"name": "Autre", **payload})
    assert created.status_code == 422, created.text
    assert set(created.json()["fields"]) == {field}
    assert folders(db) == {folder: ("2026", None)}


def test_api_folder_access(
    chloe: TestClient, db: Database, people: People, client_as: ClientAs, client: TestClient
) -> None:
    folder = make_folder(chloe, "2026")
    amina = client_as(people.member_a)
    bruno = client_as(people.member_b)
    assert api(amina, "GET", FOLDERS).status_code == 200
    assert api(amina, "PATCH", f"{FOLDERS}/{folder}", {"name": "x"}).status_code == 403
    assert api(amina, "DELETE", f"{FOLDERS}/{folder}").status_code == 403
    assert api(bruno, "GET", FOLDERS).status_code == 404
    assert api(bruno, "POST", FOLDERS, {"name": "x"}).status_code == 404
    assert api(bruno, "PATCH", f"{FOLDERS}/{folder}", {"name": "x"}).status_code == 404
    assert api(bruno, "DELETE", f"{FOLDERS}/{folder}").status_code == 404
    # Through board B (Bruno's), board A's folder is not found either.
    assert api(bruno, "DELETE", f"/boards/{B}/folders/{folder}").status_code == 404
    assert api(client, "GET", FOLDERS).status_code == 404
    assert client.delete(f"/api/v1{FOLDERS}/{folder}").status_code == 401
    for bad in ("0", "abc", "9" * 30, "999999"):
        assert api(chloe, "DELETE", f"{FOLDERS}/{bad}").status_code == 404
    assert folders(db) == {folder: ("2026", None)}
