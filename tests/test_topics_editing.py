"""Editing keeps every revision and shows what changed; authors delete their own posts softly."""

import pytest
from bs4 import Tag
from sqlmodel import Session
from starlette.testclient import TestClient

from forum.db import Database
from forum.services import boards as board_service
from forum.services.revisions import ADDED, GAP, REMOVED, SAME, diff_lines
from forum.services.topics import BODY_MAX
from tests.conftest import ClientAs, MakeMember
from tests.discussions import (
    A,
    People,
    add_reply,
    arrange_people,
    counts,
    field_error,
    new_topic,
    send_form,
    soup,
    stored_post,
    stored_topic,
)


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def amina(people: People, client_as: ClientAs) -> TestClient:
    return client_as(people.member_a)


def diff_of(section: Tag) -> list[tuple[str, str]]:
    """(kind, text) of each line of a diff list, from the classes and the visible text."""
    found = []
    for li in section.select("ul.diff li"):
        kind = str(li["class"][0]).removeprefix("diff-")
        text = li.find(["ins", "del"]) or li.find("span", dir="auto")
        found.append((kind, text.get_text() if text else ""))
    return found


def test_editing_keeps_every_revision_and_shows_the_changes(
    people: People, amina: TestClient, client: TestClient, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, "vitrine", body="Bonjour\nà demain\nAmina")
    edit_page = soup(amina.get(f"/p/{first}/edit").text)
    textarea = edit_page.find("textarea", id="f-body")
    assert textarea is not None and textarea.get_text() == "Bonjour\nà demain\nAmina"

    response = send_form(amina, f"/p/{first}/edit", {"body": "Bonjour\nà jeudi\nAmina"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{topic_id}?page=1#p{first}"
    send_form(amina, f"/p/{first}/edit", {"body": "Bonjour\nà jeudi\nAmina\nPS : apportez du café"})
    post = stored_post(db, first)
    assert post.body.endswith("café") and "café" in post.html and post.edited_at is not None
    assert counts(db)[2] == 2

    topic_page = soup(client.get(f"/t/{topic_id}").text)  # anonymous: a public board
    edited = topic_page.select_one(f"#p{first} a[href='/p/{first}/revisions']")
    assert edited is not None and "modifié" in edited.get_text()

    history = soup(client.get(f"/p/{first}/revisions").text)
    sections = history.select("section.revision")
    assert [s.find("h2").get_text() for s in sections] == [  # type: ignore[union-attr]
        "Modification n°2",
        "Modification n°1",
    ]
    assert diff_of(sections[1]) == [
        ("same", "Bonjour"),
        ("removed", "à demain"),
        ("added", "à jeudi"),
        ("same", "Amina"),
    ]
    assert ("added", "PS : apportez du café") in diff_of(sections[0])
    assert all("Amina Benali" in s.get_text() for s in sections)
    # Screen readers hear what each line is, not just a colour.
    hidden = sections[1].select_one("li.diff-removed .visually-hidden")
    assert hidden is not None and "Retiré" in hidden.get_text()


def test_an_unchanged_edit_adds_no_revision(
    people: People, amina: TestClient, db: Database
) -> None:
    _topic_id, first = new_topic(db, people.member_a, A, body="Pareil")
    assert send_form(amina, f"/p/{first}/edit", {"body": "Pareil\r\n"}).status_code == 303
    assert counts(db)[2] == 0
    assert stored_post(db, first).edited_at is None


def test_edit_preview_and_bad_edits_write_nothing(
    people: People, amina: TestClient, db: Database
) -> None:
    _topic_id, first = new_topic(db, people.member_a, A, body="Avant")
    preview = send_form(amina, f"/p/{first}/edit", {"body": "*Après*", "action": "preview"})
    assert preview.status_code == 200
    assert soup(preview.text).select_one(".preview em") is not None
    for body in ("", "x" * (BODY_MAX + 1)):
        response = send_form(amina, f"/p/{first}/edit", {"body": body})
        assert response.status_code == 400
        assert field_error(soup(response.text), "body")
    assert stored_post(db, first).body == "Avant"
    assert counts(db)[2] == 0


def test_an_author_deletes_a_post_softly(people: People, amina: TestClient, db: Database) -> None:
    topic_id, first = new_topic(db, people.member_a, A, body="Premier message")
    reply = add_reply(db, people.member_a, topic_id, body="Réponse", reply_to=first)

    unconfirmed = send_form(amina, f"/p/{first}/delete", {})
    assert unconfirmed.status_code == 400
    assert field_error(soup(unconfirmed.text), "confirm")
    assert stored_post(db, first).deleted_at is None

    response = send_form(amina, f"/p/{first}/delete", {"confirm": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{topic_id}?page=1#p{first}"
    page = soup(amina.get(f"/t/{topic_id}").text)
    placeholder = page.find("article", id=f"p{first}")
    assert placeholder is not None
    assert "Message supprimé" in placeholder.get_text()
    assert "Premier message" not in placeholder.get_text()
    assert placeholder.select(".post-actions") == []
    answer = page.find("article", id=f"p{reply}")
    assert answer is not None and "Réponse" in answer.get_text()
    assert answer.select_one(f"a[href='/p/{first}']") is None
    assert "supprimé" in answer.select_one(".post-meta").get_text()  # type: ignore[union-attr]
    topic = stored_topic(db, topic_id)
    assert topic.deleted_at is None and topic.post_count == 2
    assert stored_post(db, first).body == "Premier message"  # soft: kept in the database


def test_diff_lines_show_context_and_gaps() -> None:
    before = "\n".join(f"ligne {n}" for n in range(1, 21))
    after = before.replace("ligne 10", "ligne dix")
    lines = diff_lines(before, after, context=2)
    assert [(line.kind, line.text) for line in lines] == [
        (GAP, ""),
        (SAME, "ligne 8"),
        (SAME, "ligne 9"),
        (REMOVED, "ligne 10"),
        (ADDED, "ligne dix"),
        (SAME, "ligne 11"),
        (SAME, "ligne 12"),
        (GAP, ""),
    ]
    assert diff_lines("a", "a") == []
    assert [(line.kind, line.text) for line in diff_lines("", "neuf")] == [(ADDED, "neuf")]


def test_a_board_with_topics_cannot_be_deleted(
    people: People, client_as: ClientAs, db: Database
) -> None:
    new_topic(db, people.member_a, A)
    admin = client_as(people.admin)
    response = send_form(admin, f"/admin/boards/{A}/delete", {"confirm": "1"})
    assert response.status_code == 400
    assert "contient des sujets" in response.text

    def still_there(session: Session) -> bool:
        return board_service.get_board(session, A).id is not None

    assert db.reading(still_there)
