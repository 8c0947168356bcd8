"""Files in posts: attached through the forms (no JavaScript) or by id through the API."""

import httpx2
import pytest
from starlette.testclient import TestClient

from forum.db import Database
from tests.conftest import ClientAs, MakeMember, csrf_token
from tests.discussions import A, B, People, arrange_people, new_topic, soup
from tests.files import fixtures
from tests.files_helpers import stored_files, uploaded


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def amina(people: People, client_as: ClientAs) -> TestClient:
    return client_as(people.member_a)


def post_with_files(
    browser: TestClient, path: str, fields: dict[str, str], files: list[tuple[str, bytes]]
) -> httpx2.Response:
    """Submit a post form as a browser without JavaScript: multipart, files in `file`."""
    token_page = path.removesuffix("/reply") if path.endswith("/reply") else path
    data = {**fields, "csrf_token": csrf_token(browser, token_page)}
    return browser.post(
        path,
        data=data,
        files=[("file", (name, content, "application/octet-stream")) for name, content in files],
        follow_redirects=False,
    )


def test_the_forms_carry_a_file_input(amina: TestClient, db: Database, people: People) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    for path in (f"/b/{A}/new", f"/t/{topic_id}"):
        page = soup(amina.get(path).text)
        field = page.find("input", attrs={"type": "file", "name": "file"})
        assert field is not None and field.has_attr("multiple")
        form = field.find_parent("form")
        assert form is not None and form["enctype"] == "multipart/form-data"
        label = page.find("label", attrs={"for": field["id"]})
        assert label is not None


def test_new_topic_with_files_without_javascript(amina: TestClient, db: Database) -> None:
    response = post_with_files(
        amina,
        f"/b/{A}/new",
        {"title": "Photos de l'atelier", "body": "Voici les photos.", "action": "publish"},
        [("atelier.jpg", fixtures.jpeg(800, 600)), ("Compte rendu d'été.pdf", fixtures.pdf())],
    )
    assert response.status_code == 303, response.text
    page = soup(amina.get(response.headers["location"]).text)
    article = page.select_one("article.post")
    assert article is not None
    thumbs = article.select(".attachment-images img")
    assert len(thumbs) == 1 and thumbs[0]["alt"] == "atelier.jpg"
    assert str(thumbs[0]["src"]).endswith("/thumb")
    link = thumbs[0].find_parent("a")
    assert link is not None and str(link["href"]).endswith("/display")
    [item] = article.select(".attachment-files li")
    assert "Compte rendu d'été.pdf" in item.get_text()
    assert "Document PDF" in item.get_text() and "octets" in item.get_text()
    assert len(stored_files(db)) == 2


def test_reply_with_a_file_and_its_size_in_french(
    amina: TestClient, db: Database, people: People
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    big = b"%PDF-1.4\n" + b"0" * (1258291 - 9)
    response = post_with_files(
        amina, f"/t/{topic_id}/reply", {"body": "Le budget.", "reply_to": ""}, [("budget.pdf", big)]
    )
    assert response.status_code == 303, response.text
    page = soup(amina.get(f"/t/{topic_id}").text)
    sizes = [li.get_text(" ", strip=True) for li in page.select(".attachment-files li")]
    assert sizes == ["budget.pdf (Document PDF, 1,2 Mo)"]


def test_a_refused_file_keeps_the_text_and_says_why(
    amina: TestClient, db: Database, people: People
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    response = post_with_files(
        amina,
        f"/t/{topic_id}/reply",
        {"body": "Mon texte précieux", "reply_to": ""},
        [("photo.jpg", fixtures.exe())],
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert "n'est pas accepté" in page.select_one("#files-error").get_text()  # type: ignore[union-attr]
    assert page.find("textarea", attrs={"name": "body"}).get_text() == "Mon texte précieux"  # type: ignore[union-attr]
    assert stored_files(db) == []


def test_a_preview_keeps_the_uploaded_files(amina: TestClient, db: Database) -> None:
    response = post_with_files(
        amina,
        f"/b/{A}/new",
        {"title": "Un titre", "body": "Texte", "action": "preview"},
        [("plan.pdf", fixtures.pdf())],
    )
    assert response.status_code == 200
    [row] = stored_files(db)
    kept = soup(response.text).find("input", attrs={"name": "files", "value": row.public_id})
    assert kept is not None and kept.has_attr("checked")
    # Publishing with the kept id attaches the file without sending it again.
    published = amina.post(
        f"/b/{A}/new",
        data={
            "title": "Un titre",
            "body": "Texte",
            "files": row.public_id,
            "action": "publish",
            "csrf_token": csrf_token(amina, f"/b/{A}/new"),
        },
        follow_redirects=False,
    )
    assert published.status_code == 303
    page = soup(amina.get(published.headers["location"]).text)
    assert "plan.pdf" in page.select_one(".attachment-files").get_text()  # type: ignore[union-attr]


def test_attach_by_id_through_the_api(amina: TestClient, db: Database, people: People) -> None:
    photo = uploaded(amina, A, "photo.png", fixtures.png())
    headers = {"X-CSRF-Token": csrf_token(amina)}
    response = amina.post(
        f"/api/v1/boards/{A}/topics",
        json={"title": "Avec photo", "body": "Regardez.", "files": [photo["id"]]},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    topic_id = response.json()["id"]
    page = soup(amina.get(f"/t/{topic_id}").text)
    assert page.select_one(".attachment-images img")["src"] == photo["thumbnail_url"]  # type: ignore[index]
    reply = amina.post(
        f"/api/v1/topics/{topic_id}/posts",
        json={"body": "Encore", "files": [photo["id"]]},
        headers=headers,
    )
    assert reply.status_code == 201


def test_files_of_another_board_cannot_be_attached(
    people: People, client_as: ClientAs, db: Database
) -> None:
    chloe = client_as(people.moderator_a)
    other = uploaded(client_as(people.member_b), B, "secret.pdf", fixtures.pdf())
    mine_elsewhere = uploaded(chloe, "espace-commun", "commun.pdf", fixtures.pdf())
    headers = {"X-CSRF-Token": csrf_token(chloe)}
    for file_id in (other["id"], mine_elsewhere["id"], "nexistepas"):
        response = chloe.post(
            f"/api/v1/boards/{A}/topics",
            json={"title": "Essai", "body": "Texte", "files": [file_id]},
            headers=headers,
        )
        assert response.status_code == 422
        assert "files" in response.json()["fields"]
    bad = chloe.post(
        f"/api/v1/boards/{A}/topics",
        json={"title": "Essai", "body": "Texte", "files": "abc"},
        headers=headers,
    )
    assert bad.status_code == 422


def test_attachments_of_a_hidden_board_stay_hidden(
    amina: TestClient, people: People, client_as: ClientAs
) -> None:
    photo = uploaded(amina, A, "photo.png", fixtures.png())
    bruno = client_as(people.member_b)
    assert bruno.get(photo["thumbnail_url"]).status_code == 404
