"""Reading state: unread counts, "new" markers on boards and topics, jump to the first unread."""

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from starlette.testclient import TestClient

from forum.access import ANONYMOUS, Actor
from forum.db import Database
from forum.services import reading
from tests.conftest import ClientAs, MakeMember
from tests.discussions import (
    MEMBERS_BOARD,
    PUBLIC_BOARD,
    A,
    actor,
    add_replies,
    add_reply,
    arrange_people,
    new_topic,
    send_form,
    soup,
)


def topic_unread(page: BeautifulSoup, topic_id: int) -> str | None:
    """The unread badge of a topic on a board page, or None."""
    link = page.select_one(f'a.topic-title[href="/t/{topic_id}"]')
    assert link is not None and link.parent is not None
    badge = link.parent.select_one(".badge.new")
    return None if badge is None else badge.get_text(" ", strip=True)


def board_is_new(page: BeautifulSoup, slug: str) -> bool:
    """Does the home page mark this board as holding unread posts?"""
    link = page.select_one(f'a.board-name[href="/b/{slug}"]')
    assert link is not None and link.parent is not None
    return link.parent.select_one(".badge.new") is not None


def test_unread_counts_follow_other_members_posts(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, MEMBERS_BOARD)
    amina = client_as(people.member_a)
    board = soup(amina.get(f"/b/{MEMBERS_BOARD}").text)
    assert topic_unread(board, topic_id) is not None
    assert "1" in (topic_unread(board, topic_id) or "")
    amina.get(f"/t/{topic_id}")
    assert topic_unread(soup(amina.get(f"/b/{MEMBERS_BOARD}").text), topic_id) is None
    add_replies(db, people.member_b, topic_id, 2)
    badge = topic_unread(soup(amina.get(f"/b/{MEMBERS_BOARD}").text), topic_id)
    assert badge is not None and badge.startswith("2 nouveaux")
    assert "non lus" in badge  # the screen-reader text


def test_own_posts_are_not_unread(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_a, MEMBERS_BOARD)
    add_reply(db, people.member_a, topic_id)
    amina = client_as(people.member_a)
    assert topic_unread(soup(amina.get(f"/b/{MEMBERS_BOARD}").text), topic_id) is None
    assert not board_is_new(soup(amina.get("/").text), MEMBERS_BOARD)
    # Posting through the page: the reply of another member counts, one's own doesn't.
    add_reply(db, people.member_b, topic_id)
    response = send_form(amina, f"/t/{topic_id}/reply", {"body": "Ma réponse", "reply_to": ""})
    assert response.status_code == 303
    counts = db.reading(reading.unread_counts, actor(db, people.member_a), [topic_id])
    assert counts == {topic_id: 1}


def test_reading_only_moves_forward(db: Database, make_member: MakeMember) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, MEMBERS_BOARD)
    add_replies(db, people.member_b, topic_id, 1)
    who = actor(db, people.member_a)
    slower_tab = db.reading(reading.visit_topic, who, topic_id)  # shows posts 1 and 2
    add_replies(db, people.member_b, topic_id, 3)
    visit = db.reading(reading.visit_topic, who, topic_id)  # posts 1 to 5
    assert (visit.last_read, visit.moves_forward) == (5, True)
    db.writing(record(who, visit))
    assert db.reading(reading.last_read_number, who, topic_id) == 5
    # The slower tab's visit, recorded later, does not take the reading point back.
    assert (slower_tab.last_read, slower_tab.moves_forward) == (2, True)
    db.writing(record(who, slower_tab))
    assert db.reading(reading.last_read_number, who, topic_id) == 5
    assert db.reading(reading.unread_counts, who, [topic_id]) == {}
    again = db.reading(reading.visit_topic, who, topic_id)
    assert (again.last_read, again.moves_forward) == (5, False)
    assert reading.visit_record(who, again) is None  # no write at all
    assert reading.visit_record(ANONYMOUS, visit) is None  # a visitor has no reading point


def record(who: Actor, visit: reading.TopicVisit) -> Callable[[Session], object]:
    """The write a visit needs (there must be one)."""
    write = reading.visit_record(who, visit)
    assert write is not None
    return write


def test_a_visit_of_a_topic_removed_meanwhile_records_nothing(
    db: Database, make_member: MakeMember
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, MEMBERS_BOARD)
    who = actor(db, people.member_a)
    visit = db.reading(reading.visit_topic, who, topic_id)
    with db.engine.begin() as connection:  # as when its board is removed (cascades)
        connection.execute(text("DELETE FROM topics WHERE id = :id"), {"id": topic_id})
    db.writing(record(who, visit))  # no foreign key error
    with db.engine.connect() as connection:
        count = connection.execute(
            text("SELECT count(*) FROM topic_reads WHERE topic_id = :id"), {"id": topic_id}
        )
        assert count.scalar() == 0


def test_jump_to_first_unread_lands_on_its_page(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    topic_id, first_id = new_topic(db, people.member_b, MEMBERS_BOARD)
    ids = add_replies(db, people.member_b, topic_id, 44)  # posts 2..45: three pages of 20
    amina = client_as(people.member_a)
    response = amina.get(f"/t/{topic_id}/unread", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{topic_id}?page=1#p{first_id}"
    page = soup(amina.get(f"/t/{topic_id}").text)  # reads posts 1..20
    link = page.find("a", string="Premier message non lu")
    assert link is not None and link["href"] == f"/t/{topic_id}/unread"
    response = amina.get(f"/t/{topic_id}/unread", follow_redirects=False)
    assert response.headers["location"] == f"/t/{topic_id}?page=2#p{ids[19]}"  # post 21
    amina.get(f"/t/{topic_id}?page=2")
    amina.get(f"/t/{topic_id}?page=3")
    page = soup(amina.get(f"/t/{topic_id}?page=3").text)
    assert page.find("a", string="Premier message non lu") is None
    # Everything read: to the latest post.
    response = amina.get(f"/t/{topic_id}/unread", follow_redirects=False)
    assert response.headers["location"] == f"/t/{topic_id}?page=3#p{ids[-1]}"


def test_home_marks_boards_with_unread_posts(
    db: Database, make_member: MakeMember, client_as: ClientAs, client: TestClient
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_b, PUBLIC_BOARD)
    amina = client_as(people.member_a)
    home = soup(amina.get("/").text)
    assert board_is_new(home, PUBLIC_BOARD)
    assert not board_is_new(home, MEMBERS_BOARD)
    amina.get(f"/t/{topic_id}")
    assert not board_is_new(soup(amina.get("/").text), PUBLIC_BOARD)
    add_reply(db, people.member_b, topic_id)
    assert board_is_new(soup(amina.get("/").text), PUBLIC_BOARD)
    # Visitors have no reading state.
    assert not board_is_new(soup(client.get("/").text), PUBLIC_BOARD)
    assert topic_unread(soup(client.get(f"/b/{PUBLIC_BOARD}").text), topic_id) is None


def test_hidden_topics_have_no_unread_jump(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.member_a, "pole-ess")
    bruno = client_as(people.member_b)
    assert bruno.get(f"/t/{topic_id}/unread", follow_redirects=False).status_code == 404
    assert not board_is_new(soup(client_as(people.admin).get("/").text), MEMBERS_BOARD)


def test_a_refused_reading_point_write_still_shows_the_page(
    db: Database, make_member: MakeMember, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _ = new_topic(db, people.moderator_a, A)
    add_replies(db, people.moderator_a, topic_id, 2)
    amina = client_as(people.member_a)
    who = actor(db, people.member_a)

    def locked(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT INTO topic_reads", {}, Exception("database is locked"))

    monkeypatch.setattr(reading, "record_visit", locked)
    response = amina.get(f"/t/{topic_id}")
    assert response.status_code == 200
    assert "Amina Benali" in response.text  # the member's header: the request was settled
    assert db.reading(reading.last_read_number, who, topic_id) == 0
    monkeypatch.undo()
    assert amina.get(f"/t/{topic_id}").status_code == 200  # the next visit records it
    assert db.reading(reading.last_read_number, who, topic_id) == 3
