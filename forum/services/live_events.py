"""What one live stream may show its viewer: who they are now, and each event re-checked for them.

A stream lasts minutes: the viewer's rights are read again for every event (a member removed
from a group stops receiving that group's events at once; a signed-out browser, nothing).
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from forum.access import ANONYMOUS, Actor, access_post, access_topic, actor_for
from forum.errors import NotFound
from forum.models import AuthSession, Post, User, utcnow
from forum.pagination import page_of
from forum.services.notifications import recipients, unread_count
from forum.services.post_views import POSTS_PER_PAGE, person


@dataclass(frozen=True)
class Viewer:
    """Who opened a stream: a browser session (of a member), or an anonymous visitor."""

    session_id: int | None = None


class ViewerGone(Exception):
    """The stream's session was signed out, revoked or expired, or its member disabled."""


def viewer_actor(session: Session, viewer: Viewer) -> Actor:
    """The viewer's actor as of now (anonymous visitors stay anonymous)."""
    if viewer.session_id is None:
        return ANONYMOUS
    row = session.get(AuthSession, viewer.session_id)
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise ViewerGone(str(viewer.session_id))
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise ViewerGone(str(viewer.session_id))
    return actor_for(session, user)


def open_topic_stream(session: Session, actor: Actor, topic_id: int) -> int:
    """Check that the actor may follow a topic live (hidden: NotFound); its id."""
    topic = access_topic(session, actor, topic_id)
    assert topic.id is not None
    return topic.id


def post_event(session: Session, viewer: Viewer, post_id: int) -> dict[str, Any] | None:
    """A new post as the viewer may learn of it, or None when they may not read it."""
    actor = viewer_actor(session, viewer)
    try:
        post = access_post(session, actor, post_id)
    except NotFound:
        return None
    if post.author_id == actor.user_id:
        return None  # their own reply: their page is already showing it
    return {
        "topic_id": post.topic_id,
        "post_id": post.id,
        "number": post.number,
        "page": page_of(post.number, POSTS_PER_PAGE),
        "author": person(session, post.author_id).display_name,
    }


def count_event(session: Session, viewer: Viewer) -> dict[str, Any] | None:
    """The viewer's unread count (members only; visitors: None)."""
    actor = viewer_actor(session, viewer)
    if actor.user_id is None:
        return None
    return {"unread": unread_count(session, actor)}


@dataclass(frozen=True)
class Published:
    """What to announce about a committed post."""

    topic_id: int
    post_id: int
    notify: list[int]


def published_post(session: Session, *, post_id: int) -> Published | None:
    """The topic of a committed post and the members it notified."""
    post = session.get(Post, post_id)
    if post is None or post.id is None:
        return None
    return Published(post.topic_id, post.id, recipients(session, post_id=post.id))
