"""Helpers for the discussion tests: boards and people of the posting matrix, topics made
through the services, forms posted with their CSRF token, and pages read through a parser."""

from dataclasses import dataclass
from typing import Any

import httpx2
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, col, func, select
from starlette.testclient import TestClient

from forum.access import Actor, actor_for
from forum.db import Database
from forum.models import Post, PostRevision, Topic, utcnow
from forum.services import boards as board_service
from forum.services import topics as topic_service
from forum.services import users as user_service
from tests.conftest import MakeMember, Member, csrf_token

A, B = "pole-ess", "copil"  # two groups (and their private boards) of the preset
MEMBERS_BOARD = "espace-commun"  # preset: every signed-in member
PUBLIC_BOARD = "vitrine"  # created here: everyone reads, members post


@dataclass(frozen=True)
class People:
    """A member of A, a member of B, a moderator of A and an administrator."""

    member_a: Member
    member_b: Member
    moderator_a: Member
    admin: Member

    def by_role(self, role: str) -> Member:
        """The member playing a role of the matrix."""
        member: Member = getattr(self, role)
        return member


def arrange_people(db: Database, make_member: MakeMember) -> People:
    """Create the public board and the four people."""
    db.transaction(
        lambda session: board_service.create_board(
            session, slug=PUBLIC_BOARD, name="Vitrine", visibility="public"
        )
    )
    return People(
        member_a=make_member("amina", groups={A: "member"}, name="Amina Benali"),
        member_b=make_member("bruno", groups={B: "member"}, name="Bruno Martin"),
        moderator_a=make_member("chloe", groups={A: "moderator"}, name="Chloé Petit"),
        admin=make_member("admin", admin=True, name="Admin"),
    )


def actor(db: Database, member: Member) -> Actor:
    """The access-rule actor of a member."""

    def build(session: Session) -> Actor:
        return actor_for(session, user_service.get_user(session, member.id))

    return db.reading(build)


def new_topic(
    db: Database, member: Member, board: str, title: str = "Un sujet", body: str = "Premier."
) -> tuple[int, int]:
    """Start a topic through the service: (topic id, first post id)."""
    topic = db.transaction(
        topic_service.start_topic,
        actor=actor(db, member),
        board_slug=board,
        title=title,
        body=body,
    )
    assert topic.id is not None and topic.first_post_id is not None
    return topic.id, topic.first_post_id


def add_reply(
    db: Database, member: Member, topic_id: int, body: str = "Réponse.", reply_to: int | None = None
) -> int:
    """Reply through the service: the new post's id."""
    post = db.transaction(
        topic_service.post_reply,
        actor=actor(db, member),
        topic_id=topic_id,
        body=body,
        reply_to_id=reply_to,
    )
    assert post.id is not None
    return post.id


def add_replies(db: Database, member: Member, topic_id: int, count: int) -> list[int]:
    """Many replies in one transaction ("Réponse 1", "Réponse 2"…): their ids."""
    who = actor(db, member)

    def write(session: Session) -> list[int]:
        ids = []
        for n in range(1, count + 1):
            body = f"Réponse {n}"
            post = topic_service.post_reply(session, actor=who, topic_id=topic_id, body=body)
            assert post.id is not None
            ids.append(post.id)
        return ids

    return db.transaction(write)


def edit(db: Database, member: Member, post_id: int, body: str) -> None:
    """Edit a post through the service."""
    db.transaction(topic_service.edit_post, actor=actor(db, member), post_id=post_id, body=body)


def change_topic(db: Database, topic_id: int, **values: Any) -> None:
    """Set columns of a topic directly (what moderation will do: lock, pin, delete)."""

    def write(session: Session) -> None:
        topic = session.get(Topic, topic_id)
        assert topic is not None
        for name, value in values.items():
            setattr(topic, name, value)
        session.add(topic)

    db.transaction(write)


def hide_post(db: Database, post_id: int) -> None:
    """Hide a post as moderation will."""

    def write(session: Session) -> None:
        post = session.get(Post, post_id)
        assert post is not None
        post.hidden_at = utcnow()
        session.add(post)

    db.transaction(write)


def counts(db: Database) -> tuple[int, int, int]:
    """(topics, posts, revisions) in the whole database."""

    def read(session: Session) -> tuple[int, int, int]:
        return (
            session.exec(select(func.count(col(Topic.id)))).one(),
            session.exec(select(func.count(col(Post.id)))).one(),
            session.exec(select(func.count(col(PostRevision.id)))).one(),
        )

    return db.reading(read)


def stored_post(db: Database, post_id: int) -> Post:
    """A post row as stored."""
    post = db.reading(lambda session: session.get(Post, post_id))
    assert isinstance(post, Post)
    return post


def stored_topic(db: Database, topic_id: int) -> Topic:
    """A topic row as stored."""
    topic = db.reading(lambda session: session.get(Topic, topic_id))
    assert isinstance(topic, Topic)
    return topic


def soup(text: str) -> BeautifulSoup:
    """Parse a page."""
    return BeautifulSoup(text, "html.parser")


def send_form(
    browser: TestClient, path: str, data: dict[str, str], token_from: str = "/account"
) -> httpx2.Response:
    """POST a form with the browser's CSRF token, without following the redirect."""
    return browser.post(
        path, data={**data, "csrf_token": csrf_token(browser, token_from)}, follow_redirects=False
    )


def article_ids(page: BeautifulSoup) -> list[str]:
    """The ids of the post articles of a topic page, in order."""
    return [str(article["id"]) for article in page.select("article.post")]


def field_error(page: BeautifulSoup, name: str) -> str | None:
    """The message shown next to a field (checking that the field points at it), or None."""
    message = page.find(id=f"{name}-error")
    if message is None:
        return None
    field = page.find(id=f"f-{name}")
    assert isinstance(field, Tag), name
    assert field.get("aria-invalid") == "true", name
    assert f"{name}-error" in str(field.get("aria-describedby", "")).split(), name
    return message.get_text(strip=True)
