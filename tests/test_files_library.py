"""A board's file library: listing, sorting, gallery, folders, upload form, rename, move, delete."""

import pytest
from starlette.testclient import TestClient

from forum.db import Database
from tests.conftest import ClientAs, MakeMember, csrf_token
from tests.discussions import A, People, arrange_people, send_form, soup
from tests.files import fixtures
from tests.files_helpers import stored_files, uploaded

LIBRARY = f"/b/{A}/fichiers"


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def amina(people: People, client_as: ClientAs) -> TestClient:
    return client_as(people.member_a)


def names_in_table(html: str) -> list[str]:
    page = soup(html)
    return [
        row.select("td a")[0].get_text(strip=True) for row in page.select(".file-table tbody tr")
    ]


def test_upload_form_without_javascript(amina: TestClient, db: Database) -> None:
    page = soup(amina.get(LIBRARY).text)
    field = page.find("input", attrs={"type": "file", "name": "file"})
    assert field is not None and field.has_attr("multiple")
    response = amina.post(
        LIBRARY,
        data={"csrf_token": csrf_token(amina, LIBRARY)},
        files=[
            ("file", ("b-réunion.pdf", fixtures.pdf(), "application/pdf")),
            ("file", ("a-photo.jpg", fixtures.jpeg(), "image/jpeg")),
        ],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    listing = amina.get(response.headers["location"])
    assert "2 fichiers ajoutés." in soup(listing.text).select_one(".notice").get_text()  # type: ignore[union-attr]
    assert names_in_table(listing.text) == ["a-photo.jpg", "b-réunion.pdf"]


def test_upload_form_refusal_is_explained(amina: TestClient, db: Database) -> None:
    response = amina.post(
        LIBRARY,
        data={"csrf_token": csrf_token(amina, LIBRARY)},
        files=[("file", ("x.jpg", fixtures.exe(), "image/jpeg"))],
    )
    assert response.status_code == 400
    assert "n'est pas accepté" in soup(response.text).select_one("#file-error").get_text()  # type: ignore[union-attr]
    assert stored_files(db) == []


def test_upload_form_needs_the_csrf_token(amina: TestClient, db: Database) -> None:
    response = amina.post(
        LIBRARY, data={"csrf_token": "faux"}, files=[("file", ("a.pdf", fixtures.pdf()))]
    )
    assert response.status_code == 403
    assert stored_files(db) == []


def test_sorting_by_name_size_date_and_uploader(
    amina: TestClient, people: People, client_as: ClientAs
) -> None:
    uploaded(amina, A, "zèbre.pdf", fixtures.pdf())
    uploaded(client_as(people.moderator_a), A, "Abricot.txt", b"un texte assez long\n" * 50)
    uploaded(amina, A, "moyen.png", fixtures.png())
    assert names_in_table(amina.get(LIBRARY).text) == ["Abricot.txt", "moyen.png", "zèbre.pdf"]
    by_size = names_in_table(amina.get(LIBRARY + "?tri=taille&ordre=desc").text)
    assert by_size[0] == "Abricot.txt"
    by_date = names_in_table(amina.get(LIBRARY + "?tri=date&ordre=desc").text)
    assert by_date == ["moyen.png", "Abricot.txt", "zèbre.pdf"]
    by_uploader = names_in_table(amina.get(LIBRARY + "?tri=auteur").text)
    assert by_uploader == ["moyen.png", "zèbre.pdf", "Abricot.txt"]  # Amina before Chloé
    header = soup(amina.get(LIBRARY + "?tri=taille").text).find("th", attrs={"aria-sort": True})
    assert header is not None and "Taille" in header.get_text()


def test_gallery_shows_images_only(amina: TestClient) -> None:
    photo = uploaded(amina, A, "photo.jpg", fixtures.jpeg())
    uploaded(amina, A, "doc.pdf", fixtures.pdf())
    page = soup(amina.get(LIBRARY + "?vue=galerie").text)
    images = page.select(".gallery img")
    assert [img["src"] for img in images] == [photo["thumbnail_url"]]
    assert images[0]["alt"] == "photo.jpg"


def test_files_link_to_the_posts_carrying_them(amina: TestClient) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    created = amina.post(
        f"/api/v1/boards/{A}/topics",
        json={"title": "Le plan", "body": "Voici.", "files": [doc["id"]]},
        headers={"X-CSRF-Token": csrf_token(amina)},
    )
    assert created.status_code == 201
    post_id = created.json()["posts"][0]["id"]
    row = soup(amina.get(LIBRARY).text).select_one(".file-table tbody tr")
    assert row is not None
    assert row.find("a", attrs={"href": f"/p/{post_id}"}) is not None
    detail = soup(amina.get(f"{LIBRARY}/{doc['id']}").text)
    assert detail.find("a", attrs={"href": f"/p/{post_id}"}) is not None


def test_folders_move_rename_delete(amina: TestClient, db: Database) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    created = send_form(amina, f"{LIBRARY}/dossiers", {"folder_name": "Comptes rendus"}, LIBRARY)
    assert created.status_code == 303
    folder_url = created.headers["location"]
    folder_id = folder_url.split("dossier=")[1]
    duplicate = send_form(amina, f"{LIBRARY}/dossiers", {"folder_name": "comptes rendus"}, LIBRARY)
    assert duplicate.status_code == 400
    detail = f"{LIBRARY}/{doc['id']}"
    moved = send_form(amina, f"{detail}/deplacer", {"folder": folder_id}, detail)
    assert moved.status_code == 303
    assert names_in_table(amina.get(LIBRARY).text) == []
    assert names_in_table(amina.get(folder_url).text) == ["plan.pdf"]
    renamed = send_form(amina, f"{detail}/renommer", {"name": "Plan d'action 2027.pdf"}, detail)
    assert renamed.status_code == 303
    assert names_in_table(amina.get(folder_url).text) == ["Plan d'action 2027.pdf"]
    download = amina.get(doc["url"])
    assert "Plan%20d%27action%202027.pdf" in download.headers["content-disposition"]
    unconfirmed = send_form(amina, f"{detail}/supprimer", {}, detail)
    assert unconfirmed.status_code == 400
    deleted = send_form(amina, f"{detail}/supprimer", {"confirm": "1"}, detail)
    assert deleted.status_code == 303
    assert names_in_table(amina.get(folder_url).text) == []
    assert amina.get(doc["url"]).status_code == 404
    [row] = stored_files(db)
    assert row.deleted_at is not None  # soft: the row stays


def test_only_uploaders_and_moderators_manage(
    amina: TestClient, people: People, client_as: ClientAs
) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    detail = f"{LIBRARY}/{doc['id']}"
    other = client_as(people.moderator_a)
    assert soup(amina.get(detail).text).find(id="gerer") is not None
    yasmine_page = soup(other.get(detail).text)
    assert yasmine_page.find(id="gerer") is not None  # Chloé moderates A
    admin = client_as(people.admin)
    assert send_form(admin, f"{detail}/renommer", {"name": "x.pdf"}, detail).status_code == 303


def test_a_plain_member_cannot_manage_others_files(
    amina: TestClient, make_member: MakeMember, client_as: ClientAs
) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    detail = f"{LIBRARY}/{doc['id']}"
    yasmine = client_as(make_member("yasmine", groups={A: "member"}))
    assert soup(yasmine.get(detail).text).find(id="gerer") is None
    assert send_form(yasmine, f"{detail}/supprimer", {"confirm": "1"}, detail).status_code == 403


def test_the_library_of_a_private_board_is_hidden(
    amina: TestClient, people: People, client_as: ClientAs, client: TestClient
) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    bruno = client_as(people.member_b)
    for path in (LIBRARY, f"{LIBRARY}/{doc['id']}"):
        assert bruno.get(path).status_code == 404
        assert client.get(path).status_code == 404
    # The file exists in board A only: through another board's library it is not found.
    assert amina.get(f"/b/espace-commun/fichiers/{doc['id']}").status_code == 404
