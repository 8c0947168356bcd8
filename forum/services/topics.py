"""Writing discussions: start a topic, reply, edit one's post (keeping revisions), delete it.

Every function checks access through forum.access, validates, writes, and keeps the topic's
counters (post_count, last_post_at) up to date in the same transaction. Search indexing and
live events belong after the commit, in the caller.
"""

from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, col

from forum.access import Actor, access_board, access_post, access_topic
from forum.errors import FieldErrors, InvalidInput
from forum.i18n import format_number
from forum.i18n import gettext as _
from forum.markup import strip_control
from forum.mentions import render_post
from forum.models import Post, PostRevision, Topic, utcnow
from forum.services import notifications as notification_service
from forum.services.files import attach_files, clean_file_ids
from forum.services.polls import PollDraft, attach_poll, clean_poll

TITLE_MIN = 3
TITLE_MAX = 200
BODY_MIN = 1
BODY_MAX = 50_000


# Control characters other than tab and newline: invisible, and PostgreSQL refuses NUL.


def clean_title(raw: str) -> str:
    """A topic title: spaces trimmed and collapsed, TITLE_MIN to TITLE_MAX characters."""
    title = " ".join(strip_control(raw).split())
    if len(title) < TITLE_MIN:
        raise InvalidInput(
            {"title": _("Le titre doit compter au moins %(min)s caractères.", min=TITLE_MIN)}
        )
    if len(title) > TITLE_MAX:
        raise InvalidInput(
            {"title": _("Le titre ne doit pas dépasser %(max)s caractères.", max=TITLE_MAX)}
        )
    return title


def clean_body(raw: str) -> str:
    """A post's Markdown: line endings normalised, not blank, at most BODY_MAX characters."""
    body = strip_control(raw.replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    if len(body.strip()) < BODY_MIN:
        raise InvalidInput({"body": _("Le message est vide.")})
    if len(body) > BODY_MAX:
        raise InvalidInput(
            {
                "body": _(
                    "Le message ne doit pas dépasser %(max)s caractères (il en compte %(count)s).",
                    max=format_number(BODY_MAX),
                    count=format_number(len(body)),
                )
            }
        )
    return body


def _reply_target(session: Session, topic: Topic, reply_to_id: int | None) -> int | None:
    """The post replied to: it must be a live post of the same topic."""
    if reply_to_id is None:
        return None
    target = session.get(Post, reply_to_id) if 0 < reply_to_id < 2**63 else None
    if (
        target is None
        or target.topic_id != topic.id
        or target.deleted_at is not None
        or target.hidden_at is not None
    ):
        raise InvalidInput({"reply_to": _("Le message auquel vous répondez n'existe plus.")})
    return target.id


def _append_post(
    session: Session, topic: Topic, *, author: Actor, body: str, reply_to_id: int | None
) -> Post:
    """Add a post at the end of the topic, numbering it and moving the counters atomically."""
    now = utcnow()
    # One UPDATE both reserves the number and moves the counters: concurrent replies on
    # PostgreSQL queue on the row lock instead of reading the same count.
    number = session.execute(
        update(Topic)
        .where(col(Topic.id) == topic.id)
        .values(post_count=col(Topic.post_count) + 1, last_post_at=now)
        .returning(col(Topic.post_count))
        .execution_options(synchronize_session=False)
    ).scalar_one()
    session.refresh(topic)
    post = Post(
        topic_id=topic.id,  # type: ignore[arg-type]
        author_id=author.user_id,  # type: ignore[arg-type]
        reply_to_id=reply_to_id,
        number=number,
        body=body,
        html=render_post(session, body, author),
        created_at=now,
    )
    session.add(post)
    session.flush()
    return post


def start_topic(
    session: Session,
    *,
    actor: Actor,
    board_slug: str,
    title: str,
    body: str,
    poll: PollDraft | None = None,
    files: Sequence[str] = (),
) -> Topic:
    """Create a topic and its first post (and its poll) in a board the actor may post in."""
    board = access_board(session, actor, board_slug, for_write=True)
    assert actor.user_id is not None and board.id is not None  # for_write: a member
    fields = FieldErrors()
    clean = fields.check(lambda: clean_title(title))
    source = fields.check(lambda: clean_body(body))
    spec = fields.check(lambda: clean_poll(poll))
    file_ids = fields.check(lambda: clean_file_ids(list(files)))
    fields.raise_if_any()
    now = utcnow()
    topic = Topic(
        board_id=board.id, title=clean, author_id=actor.user_id, created_at=now, last_post_at=now
    )
    session.add(topic)
    session.flush()
    post = _append_post(session, topic, author=actor, body=source, reply_to_id=None)
    topic.first_post_id = post.id
    session.add(topic)
    attach_poll(session, post=post, spec=spec)
    attach_files(session, actor=actor, post=post, file_ids=file_ids)
    session.flush()
    notification_service.notify_post(session, post=post, topic=topic)
    return topic


def post_reply(
    session: Session,
    *,
    actor: Actor,
    topic_id: int,
    body: str,
    reply_to_id: int | None = None,
    poll: PollDraft | None = None,
    files: Sequence[str] = (),
) -> Post:
    """Reply in a topic (maybe with a poll); a locked topic takes replies from moderators only."""
    topic = access_topic(session, actor, topic_id, for_write=True)
    assert actor.user_id is not None  # for_write: a member
    fields = FieldErrors()
    source = fields.check(lambda: clean_body(body))
    target = fields.check(lambda: _reply_target(session, topic, reply_to_id))
    spec = fields.check(lambda: clean_poll(poll))
    file_ids = fields.check(lambda: clean_file_ids(list(files)))
    fields.raise_if_any()
    post = _append_post(session, topic, author=actor, body=source, reply_to_id=target)
    attach_poll(session, post=post, spec=spec)
    attach_files(session, actor=actor, post=post, file_ids=file_ids)
    notification_service.notify_post(session, post=post, topic=topic)
    return post


def edit_post(session: Session, *, actor: Actor, post_id: int, body: str) -> Post:
    """Change one's own post; the previous body is kept as a revision."""
    post = access_post(session, actor, post_id, for_write=True)
    assert actor.user_id is not None and post.id is not None
    source = clean_body(body)
    if source == post.body:
        return post
    now = utcnow()
    session.add(
        PostRevision(post_id=post.id, body=post.body, editor_id=actor.user_id, created_at=now)
    )
    post.body = source
    post.html = render_post(session, source, actor)
    post.edited_at = now
    session.add(post)
    session.flush()
    notification_service.notify_new_mentions(session, post=post)
    return post


def delete_own_post(session: Session, *, actor: Actor, post_id: int) -> Post:
    """Delete one's own post (softly: it keeps its place as "message supprimé", topic stays)."""
    post = access_post(session, actor, post_id, for_write=True)
    post.deleted_at = utcnow()
    session.add(post)
    session.flush()
    return post
