"""Moderation of topics and posts: who may pin, lock, move, delete, split and hide, and how."""

import pytest
from bs4 import BeautifulSoup, Tag
from starlette.testclient import TestClient

from forum.db import Database
from tests.conftest import ClientAs, MakeMember, Member
from tests.discussions import (
    A,
    B,
    People,
    add_replies,
    add_reply,
    arrange_people,
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
def moderator_b(make_member: MakeMember) -> Member:
    return make_member("dora", groups={B: "moderator"}, name="Dora Roux")


def as_role(role: str, people: People, moderator_b: Member, client_as: ClientAs) -> TestClient:
    member = moderator_b if role == "moderator_b" else people.by_role(role)
    return client_as(member)


# role -> expected status of a moderation action on a topic of board A
EXPECTED = {"moderator_a": 303, "admin": 303, "member_a": 403, "member_b": 404, "moderator_b": 404}


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize(
    ("action", "column", "value"),
    [("pin", "is_pinned", True), ("lock", "is_locked", True)],
)
def test_pin_and_lock_by_role(
    role: str,
    action: str,
    column: str,
    value: bool,
    people: People,
    moderator_b: Member,
    client_as: ClientAs,
    db: Database,
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    browser = as_role(role, people, moderator_b, client_as)
    response = send_form(browser, f"/t/{topic_id}/{action}", {}, token_from="/")
    assert response.status_code == EXPECTED[role]
    assert getattr(stored_topic(db, topic_id), column) is (
        value if EXPECTED[role] == 303 else False
    )


def test_toolbar_only_for_moderators(
    people: People, moderator_b: Member, client_as: ClientAs, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    for member, shown in (
        (people.moderator_a, True),
        (people.admin, True),
        (people.member_a, False),
    ):
        page = soup(client_as(member).get(f"/t/{topic_id}").text)
        assert (page.select_one(".moderation-toolbar") is not None) is shown, member.login
        assert page.select_one(".report-link") is not None


def test_locked_topic_refuses_member_replies(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    chloe = client_as(people.moderator_a)
    assert send_form(chloe, f"/t/{topic_id}/lock", {}, token_from="/").status_code == 303
    amina = client_as(people.member_a)
    reply = send_form(amina, f"/t/{topic_id}/reply", {"body": "Encore"}, token_from="/")
    assert reply.status_code == 403
    assert stored_topic(db, topic_id).post_count == 1
    assert send_form(chloe, f"/t/{topic_id}/reply", {"body": "Modo"}).status_code == 303
    assert send_form(chloe, f"/t/{topic_id}/unlock", {}).status_code == 303
    assert send_form(amina, f"/t/{topic_id}/reply", {"body": "Enfin"}).status_code == 303


def test_hide_and_restore_post(
    people: People, moderator_b: Member, client_as: ClientAs, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    reply = add_reply(db, people.member_a, topic_id, body="Propos déplacés")
    assert send_form(client_as(people.member_a), f"/p/{reply}/hide", {}).status_code == 403
    assert send_form(client_as(moderator_b), f"/p/{reply}/hide", {}).status_code == 404
    assert send_form(client_as(people.member_b), f"/p/{reply}/hide", {}).status_code == 404
    assert stored_post(db, reply).hidden_at is None
    chloe = client_as(people.moderator_a)
    assert send_form(chloe, f"/p/{reply}/hide", {}).status_code == 303
    assert stored_post(db, reply).hidden_at is not None
    article = soup(chloe.get(f"/t/{topic_id}").text).find("article", id=f"p{reply}")
    assert article is not None and "Propos déplacés" in article.get_text()
    badge = article.select_one(".badge")
    assert badge is not None and badge.get_text(strip=True) == "masqué"
    assert client_as(people.member_a).get(f"/p/{reply}").status_code == 404
    admin = client_as(people.admin)
    assert send_form(admin, f"/p/{reply}/restore", {}).status_code == 303
    assert stored_post(db, reply).hidden_at is None


def test_delete_topic_and_restore_by_admin_only(
    people: People, moderator_b: Member, client_as: ClientAs, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    amina, chloe = client_as(people.member_a), client_as(people.moderator_a)
    assert send_form(amina, f"/t/{topic_id}/delete", {}).status_code == 403
    assert send_form(client_as(moderator_b), f"/t/{topic_id}/delete", {}).status_code == 404
    assert send_form(chloe, f"/t/{topic_id}/delete", {}).status_code == 303
    assert stored_topic(db, topic_id).deleted_at is not None
    assert amina.get(f"/t/{topic_id}").status_code == 404
    assert chloe.get(f"/t/{topic_id}").status_code == 404
    assert send_form(chloe, f"/t/{topic_id}/restore", {}).status_code == 404
    admin = client_as(people.admin)
    page = admin.get(f"/t/{topic_id}")
    assert page.status_code == 200
    assert soup(page.text).find("form", action=f"/t/{topic_id}/restore") is not None
    assert send_form(admin, f"/t/{topic_id}/restore", {}).status_code == 303
    assert stored_topic(db, topic_id).deleted_at is None
    assert amina.get(f"/t/{topic_id}").status_code == 200


def test_move_topic(people: People, moderator_b: Member, client_as: ClientAs, db: Database) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    chloe = client_as(people.moderator_a)
    # B is hidden from the moderator of A: it doesn't exist for her.
    assert send_form(chloe, f"/t/{topic_id}/move", {"board": B}).status_code == 404
    assert send_form(client_as(moderator_b), f"/t/{topic_id}/move", {"board": B}).status_code == 404
    assert (
        send_form(client_as(people.member_a), f"/t/{topic_id}/move", {"board": B}).status_code
        == 403
    )
    admin = client_as(people.admin)
    assert send_form(admin, f"/t/{topic_id}/move", {"board": B}).status_code == 303
    assert client_as(people.member_a).get(f"/t/{topic_id}").status_code == 404
    assert client_as(people.member_b).get(f"/t/{topic_id}").status_code == 200
    listing = soup(client_as(people.member_a).get(f"/b/{A}").text)
    assert listing.find("a", href=f"/t/{topic_id}") is None


def test_split_renumbers_both_topics(
    people: People, moderator_b: Member, client_as: ClientAs, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, A)
    replies = add_replies(db, people.member_a, topic_id, 4)  # numbers 2..5
    moving = [replies[0], replies[2]]  # numbers 2 and 4
    data = {"title": "Sujet scindé"}
    amina = client_as(people.member_a)
    assert amina.get(f"/t/{topic_id}/split").status_code == 403
    assert client_as(moderator_b).get(f"/t/{topic_id}/split").status_code == 404
    chloe = client_as(people.moderator_a)
    form = soup(chloe.get(f"/t/{topic_id}/split").text)
    assert len(form.select("input[name=post]")) == 4
    bad = chloe.post(
        f"/t/{topic_id}/split",
        data={**data, "post": str(first), "csrf_token": _token(form)},
        follow_redirects=False,
    )
    assert bad.status_code == 400
    response = chloe.post(
        f"/t/{topic_id}/split",
        data={**data, "post": [str(p) for p in moving], "csrf_token": _token(form)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    new_id = int(response.headers["location"].removeprefix("/t/"))
    assert [stored_post(db, p).number for p in moving] == [1, 2]
    assert [stored_post(db, p).topic_id for p in moving] == [new_id, new_id]
    assert [stored_post(db, p).number for p in (first, replies[1], replies[3])] == [1, 2, 3]
    old, new = stored_topic(db, topic_id), stored_topic(db, new_id)
    assert (old.post_count, new.post_count) == (3, 2)
    assert new.first_post_id == moving[0] and new.title == "Sujet scindé"
    assert old.last_post_at == stored_post(db, replies[3]).created_at
    assert new.last_post_at == stored_post(db, replies[2]).created_at
    assert amina.get(f"/t/{new_id}").status_code == 200


def _token(page: BeautifulSoup) -> str:
    field = page.find("input", attrs={"name": "csrf_token"})
    assert isinstance(field, Tag)
    return str(field["value"])


def test_a_reply_does_not_name_a_post_split_into_a_board_its_reader_cannot_see(
    db: Database, people: People, client: TestClient, client_as: ClientAs
) -> None:
    from forum.services import moderation
    from tests.discussions import PUBLIC_BOARD, actor

    topic_id, _first = new_topic(db, people.member_a, PUBLIC_BOARD)
    secret = add_reply(db, people.member_b, topic_id, "Message de Bruno")
    answer = add_reply(db, people.member_a, topic_id, "Ma réponse", reply_to=secret)
    db.transaction(
        moderation.split_posts,
        actor=actor(db, people.admin),
        topic_id=topic_id,
        post_ids=[secret],
        title="Sujet du groupe",
        board_slug=B,
    )
    assert client.get(f"/p/{secret}").status_code == 404  # a visitor can't see board B
    article = soup(client.get(f"/t/{topic_id}").text).find(id=f"p{answer}")
    assert isinstance(article, Tag)
    name = people.member_b.login.capitalize()  # the display name make_member gives
    assert name in client_as(people.admin).get(f"/p/{secret}").text  # there, by that name
    assert name not in article.get_text()
    assert f"/p/{secret}" not in str(article)
    posts = client.get(f"/api/v1/topics/{topic_id}").json()["posts"]
    assert name not in str(posts)
