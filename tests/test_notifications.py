"""Notifications: who hears about a post and why, settings, mutes and watches, the pages, the API.

The privacy rule runs through every test: nobody hears of a post they can't read, and losing
access to a board hides its old notifications, from the list, the count and the API alike.
"""

from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from forum.db import Database
from forum.models import Notification
from forum.services import groups as group_service
from forum.services import moderation as moderation_service
from forum.services import tokens as token_service
from forum.services.notifications import PER_PAGE
from tests.conftest import ClientAs, MakeMember, Member
from tests.discussions import (
    MEMBERS_BOARD,
    A,
    B,
    People,
    actor,
    add_replies,
    add_reply,
    arrange_people,
    edit,
    hide_post,
    new_topic,
    send_form,
    soup,
    stored_post,
)


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


def notes(db: Database, member: Member) -> list[tuple[str, int]]:
    """(kind, post id) of every notification stored for a member, oldest first."""

    def read(session: Session) -> list[tuple[str, int]]:
        rows = session.exec(
            select(Notification)
            .where(Notification.user_id == member.id)
            .order_by(col(Notification.id))
        ).all()
        return [(row.kind, row.post_id) for row in rows]

    return db.reading(read)


def header_count(browser: TestClient, path: str = "/") -> str:
    """The unread count the header shows."""
    number = soup(browser.get(path).text).select_one("[data-live-count-number]")
    assert number is not None
    return number.get_text(strip=True)


def test_replies_notify_the_topic_author_and_the_post_replied_to(
    people: People, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, A)
    reply = add_reply(db, people.moderator_a, topic_id)
    assert notes(db, people.member_a) == [("topic_reply", reply)]
    assert notes(db, people.moderator_a) == []  # never the author of the post

    answer = add_reply(db, people.member_a, topic_id, "Merci !", reply_to=reply)
    assert notes(db, people.moderator_a) == [("post_reply", answer)]
    assert notes(db, people.member_a) == [("topic_reply", reply)]  # their own reply: nothing

    # One notification per post, for the first reason: a reply to your post in your topic.
    both = add_reply(db, people.moderator_a, topic_id, "Oui.", reply_to=first)
    assert notes(db, people.member_a)[-1] == ("post_reply", both)


def test_mentions_notify_only_members_who_can_read_the_post(people: People, db: Database) -> None:
    topic_id, first = new_topic(
        db, people.member_a, A, body="Qu'en pensent @chloe, @bruno et @personne ?"
    )
    assert notes(db, people.moderator_a) == [("mention", first)]
    assert notes(db, people.member_b) == []  # not in the group: the board is hidden to them
    assert notes(db, people.admin) == []

    open_topic, open_first = new_topic(db, people.member_a, MEMBERS_BOARD, body="Salut @BRUNO.")
    assert notes(db, people.member_b) == [("mention", open_first)]
    reply = add_reply(db, people.member_b, open_topic, "Merci @amina, et `@chloe` en code.")
    assert notes(db, people.member_a)[-1] == ("mention", reply)  # mention wins over topic reply
    assert ("mention", reply) not in notes(db, people.moderator_a)
    assert topic_id  # (the private topic exists, unseen by Bruno)


def test_group_mentions_reach_the_group_members_who_can_read(
    people: People, db: Database, make_member: MakeMember
) -> None:
    both = make_member("dalila", groups={A: "member", B: "member"})
    _topic, first = new_topic(db, people.member_a, A, body="Avis du @pole-ess et du @copil ?")
    assert notes(db, people.moderator_a) == [("group_mention", first)]
    assert notes(db, both) == [("group_mention", first)]
    # Copil's members can't read pole-ess's board: Bruno hears nothing, even mentioned as a group.
    assert notes(db, people.member_b) == []

    # A group exists only for its members: an outsider's @pole-ess is plain text, notifies no one.
    _open, post = new_topic(db, people.member_b, MEMBERS_BOARD, body="Bonjour @pole-ess !")
    assert notes(db, people.moderator_a) == [("group_mention", first)]
    assert "<strong>" not in stored_post(db, post).html
    assert "<strong>@pole-ess</strong>" in stored_post(db, first).html


def test_settings_turn_kinds_off(people: People, client_as: ClientAs, db: Database) -> None:
    browser = client_as(people.member_a)
    page = soup(browser.get("/account/notifications").text)
    assert all(box.has_attr("checked") for box in page.select("input[type=checkbox]"))
    response = send_form(browser, "/account/notifications", {"mentions": "1"})
    assert response.status_code == 303
    page = soup(browser.get(response.headers["location"]).text)
    checked = {
        box["name"] for box in page.select("input[type=checkbox]") if box.has_attr("checked")
    }
    assert checked == {"mentions"}

    topic_id, _first = new_topic(db, people.member_a, A)
    add_reply(db, people.moderator_a, topic_id)  # a topic reply: turned off
    mention = add_reply(db, people.moderator_a, topic_id, "@amina ?")
    assert notes(db, people.member_a) == [("mention", mention)]


def test_mute_watch_a_topic_and_watch_a_board(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    amina, chloe = client_as(people.member_a), client_as(people.moderator_a)
    page = soup(amina.get(f"/t/{topic_id}").text)
    buttons = page.select(f"form[action='/t/{topic_id}/notifications'] button[name=level]")
    assert [button["value"] for button in buttons] == ["watching", "muted"]
    board = soup(amina.get(f"/b/{A}").text)
    assert board.select_one(f"form[action='/b/{A}/notifications'] button[value='1']")
    assert send_form(amina, f"/t/{topic_id}/notifications", {"level": "muted"}).status_code == 303
    add_reply(db, people.moderator_a, topic_id, "@amina, tu es là ?")
    assert notes(db, people.member_a) == []  # muted: not even a mention

    assert (
        send_form(chloe, f"/t/{topic_id}/notifications", {"level": "watching"}).status_code == 303
    )
    following = soup(chloe.get(f"/t/{topic_id}/notifications").text)
    assert "Vous suivez ce sujet" in following.get_text()
    watched = add_reply(db, people.member_a, topic_id)
    assert notes(db, people.moderator_a) == [("watched_topic", watched)]

    assert send_form(chloe, f"/b/{A}/notifications", {"watch": "1"}).status_code == 303
    _new, first = new_topic(db, people.member_a, A, title="Un autre sujet")
    assert notes(db, people.moderator_a)[-1] == ("watched_board", first)
    settings = soup(chloe.get("/account/notifications").text).get_text()
    assert "Un sujet" in settings and "Pôle ESS" in settings

    send_form(chloe, f"/b/{A}/notifications", {"watch": "0"})
    new_topic(db, people.member_a, A, title="Encore un sujet")
    assert len(notes(db, people.moderator_a)) == 2
    assert send_form(chloe, f"/t/{topic_id}/notifications", {"level": "bizarre"}).status_code == 400


def test_hidden_boards_have_no_follow_pages(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    bruno = client_as(people.member_b)
    assert bruno.get(f"/t/{topic_id}/notifications").status_code == 404
    assert bruno.get(f"/b/{A}/notifications").status_code == 404
    assert send_form(bruno, f"/b/{A}/notifications", {"watch": "1"}).status_code == 404
    response = send_form(bruno, f"/t/{topic_id}/notifications", {"level": "watching"})
    assert response.status_code == 404


def test_list_count_open_and_mark_read(people: People, client_as: ClientAs, db: Database) -> None:
    topic_id, _first = new_topic(db, people.member_a, A, title="Plan d'action")
    first, second = add_replies(db, people.moderator_a, topic_id, 2)
    amina = client_as(people.member_a)
    assert header_count(amina) == "2"
    page = soup(amina.get("/notifications").text)
    items = page.select("li.notification")
    assert [item["id"] for item in items] == ["n2", "n1"]  # newest first
    assert "Chloé Petit a répondu à votre sujet « Plan d'action »" in items[0].get_text(" ")

    response = send_form(amina, "/notifications/1/open", {})
    assert response.status_code == 303 and response.headers["location"] == f"/p/{first}"
    assert header_count(amina) == "1"
    unread = soup(amina.get("/notifications?unread=1").text).select("li.notification")
    assert [item["id"] for item in unread] == ["n2"]
    for elsewhere in ("https://ailleurs.example/", "//ailleurs.example/", "/\\ailleurs.example"):
        response = send_form(amina, "/notifications/2/read", {"next": elsewhere})
        assert response.headers["location"] == "/notifications"  # never off the site
    response = send_form(amina, "/notifications/read-all", {"next": "/notifications"})
    assert response.status_code == 303
    assert header_count(amina) == "0"
    assert soup(amina.get("/notifications?unread=1").text).select("li.notification") == []
    assert second


def test_pages_of_notifications(people: People, client_as: ClientAs, db: Database) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    add_replies(db, people.moderator_a, topic_id, PER_PAGE + 1)
    amina = client_as(people.member_a)
    first = soup(amina.get("/notifications").text)
    assert len(first.select("li.notification")) == PER_PAGE
    assert first.select_one("a[rel=next]")["href"] == "/notifications?page=2"  # type: ignore[index]
    last = soup(amina.get("/notifications?page=2").text)
    assert [item["id"] for item in last.select("li.notification")] == ["n1"]


def test_someone_elses_notification_is_not_found(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, MEMBERS_BOARD)
    add_reply(db, people.member_b, topic_id)
    bruno = client_as(people.member_b)
    assert send_form(bruno, "/notifications/1/open", {}).status_code == 404
    assert send_form(bruno, "/notifications/1/read", {}).status_code == 404
    assert notes(db, people.member_a) and header_count(client_as(people.member_a)) == "1"


def test_losing_access_hides_old_notifications(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_b, B, body="Pour le @copil.")
    dalila_topic, _f = new_topic(db, people.member_a, A)
    hidden = add_reply(db, people.moderator_a, dalila_topic)
    add_reply(db, people.member_b, topic_id, "@admin ?")
    admin = client_as(people.admin)
    assert header_count(admin) == "1"
    amina = client_as(people.member_a)
    assert header_count(amina) == "1"

    db.transaction(
        lambda s: group_service.remove_membership(s, group_slug=A, user_id=people.member_a.id)
    )
    assert header_count(amina) == "0"
    assert soup(amina.get("/notifications").text).select("li.notification") == []
    assert send_form(amina, "/notifications/read-all", {}).status_code == 303  # harmless
    db.transaction(
        lambda s: group_service.set_membership(s, group_slug=A, user_id=people.member_a.id)
    )
    hide_post(db, hidden)  # a post hidden by moderation is hidden from notifications too
    assert soup(amina.get("/notifications").text).select("li.notification") == []


def test_anonymous_visitors_have_no_notifications(client: TestClient) -> None:
    assert client.get("/notifications").status_code == 404
    assert client.get("/account/notifications").status_code == 404
    assert soup(client.get("/").text).select_one("[data-live-count-number]") is None


def test_editing_in_a_mention_notifies_once(people: People, db: Database) -> None:
    topic_id, first = new_topic(db, people.member_a, MEMBERS_BOARD)
    edit(db, people.member_a, first, "J'ajoute @bruno.")
    edit(db, people.member_a, first, "J'ajoute @bruno, encore.")
    assert notes(db, people.member_b) == [("mention", first)]
    assert topic_id


# --- the API ----------------------------------------------------------------------------------


def bearer(db: Database, member: Member) -> dict[str, str]:
    token, _row = db.transaction(token_service.create_token, user_id=member.id, name="t")
    return {"Authorization": f"Bearer {token}"}


def test_api_lists_filters_and_marks_read(people: People, client: TestClient, db: Database) -> None:
    topic_id, first = new_topic(db, people.member_a, A)
    reply, other = add_replies(db, people.moderator_a, topic_id, 2)
    auth = bearer(db, people.member_a)
    body: dict[str, Any] = client.get("/api/v1/notifications", headers=auth).json()
    assert body["total"] == 2 and body["unread"] == 2 and body["pages"] == 1
    newest = body["notifications"][0]
    assert newest["kind"] == "topic_reply" and newest["post_id"] == other
    assert newest["topic_id"] == topic_id and newest["read"] is False
    assert newest["actor"] == {"id": people.moderator_a.id, "display_name": "Chloé Petit"}
    assert newest["created_at"].endswith("Z")

    oldest = body["notifications"][1]["id"]
    marked = client.post(f"/api/v1/notifications/{oldest}/read", headers=auth)
    assert marked.status_code == 200 and marked.json() == {"id": oldest, "read": True}
    unread = client.get("/api/v1/notifications?unread=true", headers=auth).json()
    assert [n["post_id"] for n in unread["notifications"]] == [other]
    assert client.get("/api/v1/notifications?unread=peut-être", headers=auth).status_code == 422
    assert client.post("/api/v1/notifications/read-all", headers=auth).json() == {"marked": 1}
    assert client.get("/api/v1/notifications", headers=auth).json()["unread"] == 0

    bruno = bearer(db, people.member_b)
    assert client.get("/api/v1/notifications", headers=bruno).json()["total"] == 0
    assert client.post(f"/api/v1/notifications/{oldest}/read", headers=bruno).status_code == 404
    assert client.get("/api/v1/notifications").status_code == 401
    assert reply and first


def test_api_needs_the_csrf_header_with_a_session(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    add_reply(db, people.moderator_a, topic_id)
    amina = client_as(people.member_a)
    assert amina.get("/api/v1/notifications").json()["unread"] == 1
    assert amina.post("/api/v1/notifications/read-all").status_code == 403
    assert amina.get("/api/v1/notifications").json()["unread"] == 1


def test_the_header_count_is_one_indexed_query_for_members_only(
    people: People, client_as: ClientAs, client: TestClient, app: Starlette, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    add_reply(db, people.moderator_a, topic_id)
    amina = client_as(people.member_a)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "notifications" in statement:
            statements.append(statement)

    engine = app.state.db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert header_count(amina, f"/t/{topic_id}") == "1"
        assert len(statements) == 1 and "count(" in statements[0].lower()
        statements.clear()
        client.get(f"/b/{MEMBERS_BOARD}")
        amina.get("/api/v1/boards")
        amina.get("/static/forum.css")
        assert statements == []
        # The query planner's answer (on PostgreSQL, with sequential scans off, since a
        # table this small would otherwise be read whole).
        postgres = db.engine.dialect.name == "postgresql"
        explain = "EXPLAIN" if postgres else "EXPLAIN QUERY PLAN"

        def plan_of(session: Session) -> list[Any]:
            connection = session.connection()
            if postgres:
                connection.exec_driver_sql("SET enable_seqscan = off")
            return list(
                connection.exec_driver_sql(
                    f"{explain} SELECT count(*) FROM notifications "
                    "WHERE user_id = 1 AND read_at IS NULL"
                ).all()
            )

        plan = db.reading(plan_of)
        assert "ix_notifications_user_unread" in str(plan)
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_notifications_follow_replies_split_into_a_board_the_member_cannot_read(
    people: People, db: Database, client_as: ClientAs
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A, title="Réunion de rentrée")
    reply = add_reply(db, people.moderator_a, topic_id)
    amina = client_as(people.member_a)
    assert header_count(amina) == "1"
    db.transaction(
        moderation_service.split_posts,
        actor=actor(db, people.admin),
        topic_id=topic_id,
        post_ids=[reply],
        title="Budget du groupe B",
        board_slug=B,
    )
    # The reply now lives in B, which Amina may not read: neither counted nor listed.
    assert header_count(amina) == "0"
    listing = amina.get("/notifications").text
    assert "Budget du groupe B" not in listing and "Réunion de rentrée" not in listing
