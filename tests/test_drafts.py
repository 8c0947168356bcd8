"""Drafts kept on the server: saved with the button or by drafts.js, restored, discarded."""

import pytest
from bs4 import BeautifulSoup, Tag
from sqlalchemy import update
from sqlmodel import select
from starlette.testclient import TestClient

from forum.db import Database
from forum.errors import NotFound
from forum.models import Board, Draft
from forum.services import drafts
from tests.conftest import ClientAs, MakeMember
from tests.discussions import (
    MEMBERS_BOARD,
    actor,
    arrange_people,
    new_topic,
    send_form,
    soup,
)


def board_id(db: Database, slug: str) -> int:
    """The id of a board."""
    found = db.reading(
        lambda session: session.exec(select(Board.id).where(Board.slug == slug)).one()
    )
    assert found is not None
    return found


def stored_drafts(db: Database) -> list[tuple[int, str, str, str]]:
    """Every draft: (user id, key, title, body)."""
    rows = db.reading(lambda session: list(session.exec(select(Draft)).all()))
    return [(row.user_id, row.key, row.title, row.body) for row in rows]


def field_value(page: BeautifulSoup, name: str) -> str:
    """The value of a form field on the page (a textarea's text, an input's value)."""
    field = page.find(id=f"f-{name}")
    assert isinstance(field, Tag), name
    if field.name == "textarea":
        return field.get_text()
    return str(field.get("value", ""))


def status(page: BeautifulSoup) -> str:
    """The drafts' live status region."""
    region = page.select_one(".draft-status")
    assert region is not None and region.get("aria-live") == "polite"
    return region.get_text(strip=True)


def test_reply_draft_saved_without_js_and_restored_on_another_device(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, MEMBERS_BOARD)
    phone = client_as(people.member_a)
    data = {"body": "Je réponds bientôt", "reply_to": "", "action": "draft"}
    response = send_form(phone, f"/t/{topic_id}/reply", data)
    assert response.status_code == 200
    page = soup(response.text)
    assert status(page) == "Brouillon enregistré."
    assert field_value(page, "body") == "Je réponds bientôt"
    laptop = client_as(people.member_a)  # another session of the same member
    page = soup(laptop.get(f"/t/{topic_id}").text)
    assert field_value(page, "body") == "Je réponds bientôt"
    form = page.find("form", id="reply-form")
    assert isinstance(form, Tag)
    assert form["data-draft-url"] == "/drafts"
    assert form["data-draft-key"] == f"reply:{topic_id}"
    # Other members see nothing of it.
    assert field_value(soup(client_as(people.moderator_a).get(f"/t/{topic_id}").text), "body") == ""


def test_autosave_endpoint_and_discard_after_posting(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, MEMBERS_BOARD)
    amina = client_as(people.member_a)
    key = f"reply:{topic_id}"
    response = send_form(amina, "/drafts", {"key": key, "body": "Brouillon auto"})
    assert response.status_code == 204
    assert stored_drafts(db) == [(people.member_a.id, key, "", "Brouillon auto")]
    response = send_form(amina, "/drafts", {"key": key, "body": "Brouillon auto, suite"})
    assert response.status_code == 204
    assert stored_drafts(db) == [(people.member_a.id, key, "", "Brouillon auto, suite")]
    response = send_form(amina, f"/t/{topic_id}/reply", {"body": "Publié", "reply_to": ""})
    assert response.status_code == 303
    assert stored_drafts(db) == []
    assert field_value(soup(amina.get(f"/t/{topic_id}").text), "body") == ""


def test_new_topic_draft_restored_abandoned_and_discarded_on_posting(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    amina = client_as(people.member_a)
    path = f"/b/{MEMBERS_BOARD}/new"
    data = {"title": "Idée", "body": "À compléter", "action": "draft"}
    page = soup(send_form(amina, path, data).text)
    assert status(page) == "Brouillon enregistré."
    key = f"topic:{board_id(db, MEMBERS_BOARD)}"
    assert stored_drafts(db) == [(people.member_a.id, key, "Idée", "À compléter")]
    page = soup(client_as(people.member_a).get(path).text)
    assert field_value(page, "title") == "Idée"
    assert field_value(page, "body") == "À compléter"
    # Abandon it.
    page = soup(send_form(amina, path, {**data, "action": "discard"}).text)
    assert status(page) == "Brouillon abandonné."
    assert field_value(page, "title") == ""
    assert stored_drafts(db) == []
    # Save again, then publish: the draft goes.
    assert (
        send_form(amina, "/drafts", {"key": key, "title": "Idée", "body": "x"}).status_code == 204
    )
    response = send_form(amina, path, {"title": "Idée finale", "body": "Le texte"})
    assert response.status_code == 303
    assert stored_drafts(db) == []


def test_csrf_is_required_on_drafts(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, MEMBERS_BOARD)
    amina = client_as(people.member_a)
    data = {"key": f"reply:{topic_id}", "body": "Sans jeton"}
    response = amina.post("/drafts", data=data, follow_redirects=False)
    assert response.status_code == 403
    bad = amina.post("/drafts", data={**data, "csrf_token": "faux"}, follow_redirects=False)
    assert bad.status_code == 403
    assert stored_drafts(db) == []


def test_draft_limits(db: Database, make_member: MakeMember, client_as: ClientAs) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, MEMBERS_BOARD)
    amina = client_as(people.member_a)
    key = f"reply:{topic_id}"
    body = "a" * drafts.BODY_MAX
    assert send_form(amina, "/drafts", {"key": key, "body": body}).status_code == 204
    too_long = send_form(amina, "/drafts", {"key": key, "body": body + "a"})
    assert too_long.status_code == 400
    title_key = f"topic:{board_id(db, MEMBERS_BOARD)}"
    long_title = {"key": title_key, "title": "t" * 201, "body": "x"}
    assert send_form(amina, "/drafts", long_title).status_code == 400
    assert [row[3] for row in stored_drafts(db)] == [body]
    for bad_key in ("reply:abc", "autre:1", "reply:999999", ""):
        assert send_form(amina, "/drafts", {"key": bad_key, "body": "x"}).status_code == 404


def test_hidden_topic_leaks_no_draft(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_a, "pole-ess")
    bruno = client_as(people.member_b)
    response = send_form(bruno, "/drafts", {"key": f"reply:{topic_id}", "body": "x"})
    assert response.status_code == 404
    # A draft left from a time the member could see the topic is not shown any more.
    key = drafts.reply_key(topic_id)
    db.transaction(drafts.save_draft, actor=actor(db, people.member_a), key=key, body="secret")
    db.transaction(
        lambda session: session.execute(update(Draft).values(user_id=people.member_b.id))
    )
    assert bruno.get(f"/t/{topic_id}").status_code == 404
    assert "secret" not in bruno.get(f"/t/{topic_id}").text
    with pytest.raises(NotFound):
        db.reading(drafts.get_draft, actor=actor(db, people.member_b), key=key)


def test_visitors_have_no_drafts(db: Database, make_member: MakeMember, client: TestClient) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, MEMBERS_BOARD)
    response = client.post("/drafts", data={"key": f"reply:{topic_id}", "body": "x"})
    assert response.status_code in (403, 404)
    assert stored_drafts(db) == []


def test_the_reply_form_is_each_topics_own_with_the_members_draft_escaped(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    # The untouched reply form is rendered once and filled for each page (forum.templating,
    # reply_form): each topic's form posts to that topic, from that page, with the session's
    # token, and carries the member's draft as text, whatever it holds.
    people = arrange_people(db, make_member)
    first, _ = new_topic(db, people.member_b, MEMBERS_BOARD, title="Premier")
    second, _ = new_topic(db, people.member_b, MEMBERS_BOARD, title="Second")
    amina = client_as(people.member_a)
    hostile = '</textarea><script>alert(1)</script> & \x00topic\x00 \x00csrf\x00 "{{ 7*7 }}"'
    send_form(amina, "/drafts", {"key": f"reply:{second}", "body": hostile})
    tokens = set()
    for topic_id, draft in ((first, ""), (second, hostile.replace("\x00", ""))):
        page = soup(amina.get(f"/t/{topic_id}").text)
        form = page.find("form", id="reply-form")
        assert isinstance(form, Tag)
        assert form["action"] == f"/t/{topic_id}/reply"
        assert form["data-draft-key"] == f"reply:{topic_id}"
        assert page.select_one('#reply-form input[name="page"]')["value"] == "1"  # type: ignore[index]
        token = page.select_one('#reply-form input[name="csrf_token"]')
        assert token is not None
        tokens.add(str(token["value"]))
        assert field_value(page, "body").replace("\x00", "") == draft
        assert page.select_one("#reply-form script") is None
        assert bool(page.select_one('#reply-form button[value="discard"]')) == bool(draft)
    assert len(tokens) == 1 and "" not in tokens and "\x00" not in next(iter(tokens))
    # The form works: the reply is published in the second topic.
    response = send_form(amina, f"/t/{second}/reply", {"body": "Publié", "reply_to": ""})
    assert response.status_code == 303
    assert f"/t/{second}" in response.headers["location"]


def test_a_reply_draft_keeps_the_poll_being_written(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, MEMBERS_BOARD)
    amina = client_as(people.member_a)
    data = {
        "body": "Votons",
        "reply_to": "",
        "action": "draft",
        "poll_question": "Quelle date ?",
        "poll_options": "Lundi\nMardi",
        "poll_kind": "multiple",
    }
    page = soup(send_form(amina, f"/t/{topic_id}/reply", data).text)
    assert status(page) == "Brouillon enregistré."
    assert field_value(page, "body") == "Votons"
    assert field_value(page, "poll_question") == "Quelle date ?"
    assert field_value(page, "poll_options") == "Lundi\nMardi"
    fields = page.select_one("details.poll-fields")
    assert fields is not None and fields.has_attr("open")


def test_control_characters_never_reach_a_stored_draft(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    # PostgreSQL refuses NUL in text: a draft carrying one was a server error there.
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, MEMBERS_BOARD)
    amina = client_as(people.member_a)
    key = f"reply:{topic_id}"
    response = send_form(amina, "/drafts", {"key": key, "body": "a\x00b\x07c\td\ne"})
    assert response.status_code == 204
    assert stored_drafts(db) == [(people.member_a.id, key, "", "abc\td\ne")]
