"""Document pages: the board lists them, create (with the discussion topic, linked both
ways), read without JavaScript (server-rendered from the CRDT), the editor's contract,
rename, move, archive, and who may do what."""

from pathlib import Path

import pytest
from bs4 import Tag
from starlette.testclient import TestClient

from forum.db import Database
from forum.models import Topic
from forum.routes import documents as document_routes
from tests.conftest import ClientAs, MakeMember
from tests.discussions import (
    MEMBERS_BOARD,
    PUBLIC_BOARD,
    A,
    B,
    People,
    arrange_people,
    field_error,
    send_form,
    soup,
    stored_topic,
)
from tests.document_helpers import new_document, rich_state, store_state, stored_document


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


def editor_of(text: str) -> Tag:
    editor = soup(text).find(id="editor")
    assert isinstance(editor, Tag)
    return editor


def test_create_from_the_board_page_with_its_discussion_topic(
    client_as: ClientAs, db: Database, people: People
) -> None:
    amina = client_as(people.member_a)
    board = soup(amina.get(f"/b/{A}").text)
    link = board.find("a", href=f"/b/{A}/documents/new")
    assert isinstance(link, Tag)
    form = soup(amina.get(f"/b/{A}/documents/new").text).find(
        "form", action=f"/b/{A}/documents/new"
    )
    assert isinstance(form, Tag) and form.find("label", attrs={"for": "f-title"})
    response = send_form(amina, f"/b/{A}/documents/new", {"title": "  Plan   d'action été "})
    assert response.status_code == 303
    document_id = int(response.headers["location"].removeprefix("/d/"))
    document = stored_document(db, document_id)
    assert document.title == "Plan d'action été" and document.created_by_id == people.member_a.id
    assert document.topic_id is not None
    topic = stored_topic(db, document.topic_id)
    assert topic.title == document.title and topic.board_id == document.board_id
    # Linked both ways: the page links the topic, the topic's first post links the page.
    page = soup(amina.get(f"/d/{document_id}").text)
    assert page.find("a", href=f"/t/{topic.id}")
    discussion = soup(amina.get(f"/t/{topic.id}").text)
    assert discussion.find("a", href=f"/d/{document_id}")
    listed = soup(amina.get(f"/b/{A}").text).find("a", href=f"/d/{document_id}")
    assert isinstance(listed, Tag) and listed.get_text(strip=True) == "Plan d'action été"


def test_a_bad_title_is_explained_and_kept(client_as: ClientAs, people: People) -> None:
    amina = client_as(people.member_a)
    response = send_form(amina, f"/b/{A}/documents/new", {"title": "é"})
    assert response.status_code == 400
    page = soup(response.text)
    assert "3" in (field_error(page, "title") or "")
    value = page.find(id="f-title")
    assert isinstance(value, Tag) and value["value"] == "é"


def test_who_may_create(client: TestClient, client_as: ClientAs, people: People) -> None:
    bruno = client_as(people.member_b)
    assert bruno.get(f"/b/{A}/documents/new").status_code == 404  # a hidden board
    response = send_form(bruno, f"/b/{A}/documents/new", {"title": "Intrusion"})
    assert response.status_code == 404
    reader = client.get(f"/b/{PUBLIC_BOARD}/documents/new", follow_redirects=False)
    assert reader.status_code == 303 and reader.headers["location"].startswith("/login")
    assert (
        soup(client.get(f"/b/{PUBLIC_BOARD}").text).find(
            "a", href=f"/b/{PUBLIC_BOARD}/documents/new"
        )
        is None
    )


def test_the_page_renders_the_crdt_without_javascript(
    client_as: ClientAs, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, A)
    store_state(db, document_id, rich_state())
    editor = editor_of(client_as(people.member_a).get(f"/d/{document_id}").text)
    headings = [h.get_text() for h in editor.find_all("h2")]
    assert headings == ["Objectifs de l'été"]  # h1 is the page title: content starts at h2
    paragraph = editor.find("p")
    assert isinstance(paragraph, Tag)
    assert paragraph.find("strong").get_text() == "ensemble"  # type: ignore[union-attr]
    assert paragraph.find("em").get_text() == "vite"  # type: ignore[union-attr]
    links = [a["href"] for a in editor.find_all("a")]
    assert links == ["https://pcm.example.org/é"]  # the javascript: link lost its href
    assert "piégé" in editor.get_text()
    assert [li.get_text() for li in editor.find_all("li")] == ["Réunir", "Décider"]
    assert [th.get_text() for th in editor.find_all("th")] == ["Qui", "Quoi"]
    assert [td.get_text() for td in editor.find_all("td")] == ["Amina", "Écrire"]
    image = editor.find("img")
    assert isinstance(image, Tag) and image["alt"] == "Logo"
    assert editor.find("script") is None


def test_the_editor_contract(
    client_as: ClientAs,
    db: Database,
    people: People,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document_id = new_document(db, people.member_a, A)
    amina = client_as(people.member_a)
    monkeypatch.setattr(document_routes, "STATIC_DIR", tmp_path)
    page = soup(amina.get(f"/d/{document_id}").text)
    assert page.find("script", src=lambda s: bool(s and "editor/editor.js" in s)) is None
    editor = page.find(id="editor")
    assert isinstance(editor, Tag)
    assert editor["data-document-id"] == str(document_id)
    assert editor["data-ws-url"] == "ws://testserver/collab"
    assert editor["data-readonly"] == "false"
    assert editor["data-user-name"] == "Amina Benali"
    assert (
        str(editor["data-user-color"]).startswith("#") and len(str(editor["data-user-color"])) == 7
    )
    assert editor["data-files-url"] == f"/api/v1/boards/{A}/files"
    status = page.find(id="editor-status")
    assert isinstance(status, Tag) and status.name == "p"
    assert status["role"] == "status" and status["aria-live"] == "polite"
    (tmp_path / "editor").mkdir()
    (tmp_path / "editor" / "editor.js").write_text("export {};\n")
    monkeypatch.setattr(document_routes, "static_url", lambda name: f"/static/{name}?v=1")
    page = soup(amina.get(f"/d/{document_id}").text)
    script = page.find("script", src="/static/editor/editor.js?v=1")
    assert isinstance(script, Tag) and script["type"] == "module"
    assert page.find("link", rel="stylesheet", href="/static/editor/editor.css?v=1")


def test_colours_differ_between_members_and_stay_the_same() -> None:
    colours = {document_routes.user_color(n) for n in range(1, 30)}
    assert len(colours) > 20
    assert document_routes.user_color(7) == document_routes.user_color(7)


def test_reading_rights(
    client: TestClient, client_as: ClientAs, db: Database, people: People
) -> None:
    private = new_document(db, people.member_a, A)
    public = new_document(db, people.member_a, PUBLIC_BOARD)
    assert client.get(f"/d/{private}").status_code == 404
    assert client_as(people.member_b).get(f"/d/{private}").status_code == 404
    assert client.get("/d/999999").status_code == 404
    assert client.get("/d/abc").status_code == 404
    assert client.get("/d/0").status_code == 404
    editor = editor_of(client.get(f"/d/{public}").text)
    assert editor["data-readonly"] == "true"
    bruno = editor_of(client_as(people.member_b).get(f"/d/{public}").text)
    assert bruno["data-readonly"] == "false"  # members may post on the public board


def test_rename_moves_the_topic_title_too(
    client_as: ClientAs, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, A)
    amina = client_as(people.member_a)
    response = send_form(amina, f"/d/{document_id}/rename", {"title": "Feuille de route"})
    assert response.status_code == 303
    document = stored_document(db, document_id)
    assert document.title == "Feuille de route"
    assert document.topic_id is not None
    assert stored_topic(db, document.topic_id).title == "Feuille de route"
    bad = send_form(amina, f"/d/{document_id}/rename", {"title": ""})
    assert bad.status_code == 400 and field_error(soup(bad.text), "title")
    bruno = client_as(people.member_b)
    assert send_form(bruno, f"/d/{document_id}/rename", {"title": "Piraté"}).status_code == 404


def test_move_needs_write_access_to_both_boards(
    client_as: ClientAs, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, A)
    amina = client_as(people.member_a)
    page = soup(amina.get(f"/d/{document_id}").text)
    options = [str(o["value"]) for o in page.select("#f-board option")]
    assert MEMBERS_BOARD in options and B not in options and A not in options
    assert send_form(amina, f"/d/{document_id}/move", {"board": B}).status_code == 404
    assert send_form(amina, f"/d/{document_id}/move", {"board": A}).status_code == 400
    assert send_form(amina, f"/d/{document_id}/move", {"board": MEMBERS_BOARD}).status_code == 303
    document = stored_document(db, document_id)
    assert document.topic_id is not None
    topic: Topic = stored_topic(db, document.topic_id)
    assert document.board_id == topic.board_id != 0
    assert client_as(people.member_b).get(f"/d/{document_id}").status_code == 200


def test_archive_makes_it_read_only_then_back(
    client_as: ClientAs, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, A)
    amina = client_as(people.member_a)
    assert send_form(amina, f"/d/{document_id}/archive", {"archived": "1"}).status_code == 303
    assert stored_document(db, document_id).archived_at is not None
    page = amina.get(f"/d/{document_id}").text
    assert editor_of(page)["data-readonly"] == "true"
    board = soup(amina.get(f"/b/{A}").text)
    assert board.select(f".document-list a[href='/d/{document_id}']") == board.select(
        f"details.archived-documents a[href='/d/{document_id}']"
    )  # listed among the archived ones only
    assert len(board.select(f"a[href='/d/{document_id}']")) == 1
    assert send_form(amina, f"/d/{document_id}/archive", {"archived": "0"}).status_code == 303
    assert stored_document(db, document_id).archived_at is None
    assert editor_of(amina.get(f"/d/{document_id}").text)["data-readonly"] == "false"
