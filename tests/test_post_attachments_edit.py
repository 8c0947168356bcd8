"""Editing a post's attached files through the edit form, without JavaScript."""

from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from forum.db import Database
from tests.conftest import ClientAs, MakeMember, csrf_token
from tests.discussions import A, B, People, arrange_people, field_error, soup, stored_post
from tests.files import fixtures
from tests.files_helpers import stored_files, uploaded


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def amina(people: People, client_as: ClientAs) -> TestClient:
    return client_as(people.member_a)


def topic_with(browser: TestClient, files: list[str]) -> tuple[int, int]:
    """A topic whose first post carries these files: (topic id, post id)."""
    created = browser.post(
        f"/api/v1/boards/{A}/topics",
        json={"title": "Photos", "body": "Voici.", "files": files},
        headers={"X-CSRF-Token": csrf_token(browser)},
    )
    assert created.status_code == 201, created.text
    topic: dict[str, Any] = created.json()
    return topic["id"], topic["posts"][0]["id"]


def send_edit(
    browser: TestClient,
    post_id: int,
    fields: dict[str, Any],
    uploads: list[tuple[str, bytes]] | None = None,
) -> httpx2.Response:
    """Submit the edit form as a browser without JavaScript (multipart)."""
    data = {"files_field": "1", **fields, "csrf_token": csrf_token(browser, f"/p/{post_id}/edit")}
    files = [("file", (n, c, "application/octet-stream")) for n, c in uploads or []]
    return browser.post(
        f"/p/{post_id}/edit", data=data, files=files or None, follow_redirects=False
    )


def shown_files(browser: TestClient, topic_id: int) -> list[str]:
    page = soup(browser.get(f"/t/{topic_id}").text)
    article = page.select_one("article.post")
    assert article is not None
    images = [str(img["alt"]) for img in article.select(".attachment-images img")]
    others = [a.get_text(strip=True) for a in article.select(".attachment-files a")]
    return images + others


def test_the_edit_form_lists_the_files_ticked(amina: TestClient) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    _topic, post_id = topic_with(amina, [doc["id"]])
    page = soup(amina.get(f"/p/{post_id}/edit").text)
    form = page.find("form", attrs={"action": f"/p/{post_id}/edit"})
    assert form is not None and form["enctype"] == "multipart/form-data"
    box = form.find("input", attrs={"name": "files", "value": doc["id"]})
    assert box is not None and box.has_attr("checked")
    label = page.find("label", attrs={"for": box["id"]})
    assert label is not None and "plan.pdf" in label.get_text()
    assert form.find("input", attrs={"type": "file", "name": "file"}) is not None
    assert form.find("input", attrs={"name": "files_field"}) is not None


def test_untick_a_file_and_add_another(amina: TestClient, db: Database) -> None:
    keep = uploaded(amina, A, "garder.pdf", fixtures.pdf())
    drop = uploaded(amina, A, "retirer.png", fixtures.png())
    topic_id, post_id = topic_with(amina, [keep["id"], drop["id"]])
    assert shown_files(amina, topic_id) == ["retirer.png", "garder.pdf"]
    response = send_edit(
        amina,
        post_id,
        {"body": "Voici.", "files": keep["id"]},
        [("Compte rendu d'été.txt", "Réunion du 3 juin\n".encode())],
    )
    assert response.status_code == 303, response.text
    assert shown_files(amina, topic_id) == ["garder.pdf", "Compte rendu d'été.txt"]
    # The removed file stays in the library; the new one joined it.
    names = sorted(f.name for f in stored_files(db) if f.deleted_at is None)
    assert names == ["Compte rendu d'été.txt", "garder.pdf", "retirer.png"]
    history = soup(amina.get(f"/p/{post_id}/revisions").text)
    assert len(history.select("section.revision")) == 1  # the files' edit is in the history
    assert stored_post(db, post_id).edited_at is not None


def test_text_and_files_change_together(amina: TestClient, db: Database) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    topic_id, post_id = topic_with(amina, [doc["id"]])
    response = send_edit(amina, post_id, {"body": "Plan retiré."})
    assert response.status_code == 303
    assert stored_post(db, post_id).body == "Plan retiré."
    assert shown_files(amina, topic_id) == []


def test_a_form_without_the_files_list_keeps_the_files(amina: TestClient, db: Database) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    topic_id, post_id = topic_with(amina, [doc["id"]])
    response = amina.post(
        f"/p/{post_id}/edit",
        data={"body": "Autre texte", "csrf_token": csrf_token(amina, f"/p/{post_id}/edit")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert shown_files(amina, topic_id) == ["plan.pdf"]


def test_preview_and_errors_keep_the_choice(amina: TestClient, db: Database) -> None:
    keep = uploaded(amina, A, "garder.pdf", fixtures.pdf())
    drop = uploaded(amina, A, "retirer.pdf", fixtures.pdf())
    topic_id, post_id = topic_with(amina, [keep["id"], drop["id"]])
    preview = send_edit(
        amina,
        post_id,
        {"body": "Nouveau", "files": keep["id"], "action": "preview"},
        [("ajout.pdf", fixtures.pdf())],
    )
    assert preview.status_code == 200
    ticked = [
        box["value"]
        for box in soup(preview.text).select('input[name="files"]')
        if box.has_attr("checked")
    ]
    added = [f.public_id for f in stored_files(db) if f.name == "ajout.pdf"]
    assert ticked == [keep["id"], *added]
    assert shown_files(amina, topic_id) == ["garder.pdf", "retirer.pdf"]  # nothing saved yet
    empty = send_edit(amina, post_id, {"body": "  ", "files": keep["id"]})
    assert empty.status_code == 400
    kept = soup(empty.text).select('input[name="files"]')
    assert [box["value"] for box in kept] == [keep["id"]]
    assert shown_files(amina, topic_id) == ["garder.pdf", "retirer.pdf"]


def test_refused_uploads_and_foreign_files_are_explained(
    amina: TestClient, db: Database, client_as: ClientAs, people: People
) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    topic_id, post_id = topic_with(amina, [doc["id"]])
    refused = send_edit(
        amina, post_id, {"body": "Voici.", "files": doc["id"]}, [("x.jpg", fixtures.exe())]
    )
    assert refused.status_code == 400
    assert "n'est pas accepté" in (field_error(soup(refused.text), "files") or "")
    secret = uploaded(client_as(people.member_b), B, "secret.pdf", fixtures.pdf())
    for bad in (secret["id"], "nexistepas", "x" * 40):
        response = send_edit(amina, post_id, {"body": "Voici.", "files": [doc["id"], bad]})
        assert response.status_code == 400, bad
        assert field_error(soup(response.text), "files")
    too_many = send_edit(amina, post_id, {"body": "Voici.", "files": [f"f{n}" for n in range(21)]})
    assert field_error(soup(too_many.text), "files") == "20 fichiers au plus par message."
    assert shown_files(amina, topic_id) == ["plan.pdf"]


def test_only_the_author_edits_and_other_groups_get_404(
    amina: TestClient, db: Database, client_as: ClientAs, people: People
) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    topic_id, post_id = topic_with(amina, [doc["id"]])
    chloe = client_as(people.moderator_a)
    bruno = client_as(people.member_b)
    assert chloe.get(f"/p/{post_id}/edit").status_code == 403
    assert bruno.get(f"/p/{post_id}/edit").status_code == 404
    for browser, status in ((chloe, 403), (bruno, 404)):
        response = browser.post(
            f"/p/{post_id}/edit",
            data={"body": "x", "files_field": "1", "csrf_token": csrf_token(browser)},
            files=[("file", ("intrus.pdf", fixtures.pdf(), "application/pdf"))],
            follow_redirects=False,
        )
        assert response.status_code == status
    assert shown_files(amina, topic_id) == ["plan.pdf"]
    assert [f.name for f in stored_files(db)] == ["plan.pdf"]  # nothing stored for them
