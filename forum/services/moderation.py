"""Moderating discussions: pin, lock, move, hide, delete and split topics; reports of posts.

Permission checks go through forum.access (board moderators and administrators; restoring
a deleted topic is for administrators only). Counters and numbering are fixed in the same
transaction; search indexing is the caller's job, after the commit.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from forum.access import (
    Actor,
    access_board_to_moderate,
    access_post,
    access_post_to_moderate,
    access_topic_to_moderate,
    check_moderates,
    moderated_boards,
)
from forum.errors import InvalidInput, NotFound, PermissionDenied
from forum.i18n import gettext as _
from forum.models import Board, Notification, Post, Report, Topic, User, utcnow
from forum.services.topics import clean_title

REASON_MAX = 1000


def set_pinned(session: Session, *, actor: Actor, topic_id: int, pinned: bool) -> Topic:
    """Pin a topic at the top of its board, or unpin it."""
    topic, _board = access_topic_to_moderate(session, actor, topic_id)
    topic.is_pinned = pinned
    session.add(topic)
    session.flush()
    return topic


def set_locked(session: Session, *, actor: Actor, topic_id: int, locked: bool) -> Topic:
    """Lock a topic (only its moderators may still reply), or unlock it."""
    topic, _board = access_topic_to_moderate(session, actor, topic_id)
    topic.is_locked = locked
    session.add(topic)
    session.flush()
    return topic


def move_topic(session: Session, *, actor: Actor, topic_id: int, board_slug: str) -> Topic:
    """Move a topic to another board the actor also moderates."""
    topic, board = access_topic_to_moderate(session, actor, topic_id)
    target = access_board_to_moderate(session, actor, board_slug)
    if target.id == board.id:
        raise InvalidInput({"board": _("Le sujet est déjà dans ce forum.")})
    assert target.id is not None
    topic.board_id = target.id
    session.add(topic)
    session.flush()
    return topic


def set_post_hidden(session: Session, *, actor: Actor, post_id: int, hidden: bool) -> Post:
    """Hide a post from readers (moderators still see it), or show it again."""
    post, _topic, _board = access_post_to_moderate(session, actor, post_id)
    post.hidden_at = utcnow() if hidden else None
    session.add(post)
    session.flush()
    return post


def delete_topic(session: Session, *, actor: Actor, topic_id: int) -> Topic:
    """Delete a topic softly: gone for everyone but administrators, who may restore it."""
    topic, _board = access_topic_to_moderate(session, actor, topic_id)
    topic.deleted_at = utcnow()
    session.add(topic)
    session.flush()
    return topic


def restore_topic(session: Session, *, actor: Actor, topic_id: int) -> Topic:
    """Bring back a deleted topic (administrators only)."""
    topic, _board = access_topic_to_moderate(session, actor, topic_id, deleted=True)
    topic.deleted_at = None
    session.add(topic)
    session.flush()
    return topic


def live_post_ids(session: Session, *, topic_id: int) -> list[int]:
    """The ids of a topic's posts that search may show (neither deleted nor hidden)."""
    rows = session.exec(
        select(Post.id)
        .where(col(Post.topic_id) == topic_id)
        .where(col(Post.deleted_at).is_(None), col(Post.hidden_at).is_(None))
        .order_by(col(Post.number))
    ).all()
    return [post_id for post_id in rows if post_id is not None]


def _renumber(session: Session, topic: Topic, posts: list[Post]) -> None:
    """Give posts (in order) the numbers 1..n in topic and fix its counters."""
    # Two passes: the unique (topic, number) index must hold after every statement.
    for post in posts:
        post.number = -post.number
        session.add(post)
    session.flush()
    for number, post in enumerate(posts, start=1):
        post.topic_id = topic.id  # type: ignore[assignment]
        post.number = number
        session.add(post)
    session.flush()
    topic.post_count = len(posts)
    topic.last_post_at = max(post.created_at for post in posts)
    topic.first_post_id = posts[0].id
    session.add(topic)
    session.flush()


@dataclass(frozen=True)
class SplitResult:
    """The topic a split created and the posts it moved there."""

    topic: Topic
    moved_post_ids: list[int]


def split_posts(
    session: Session,
    *,
    actor: Actor,
    topic_id: int,
    post_ids: list[int],
    title: str,
    board_slug: str | None = None,
) -> SplitResult:
    """Move replies of a topic into a new topic (in its board or another one moderated)."""
    topic, board = access_topic_to_moderate(session, actor, topic_id)
    target = board if board_slug is None else access_board_to_moderate(session, actor, board_slug)
    posts = list(
        session.exec(
            select(Post).where(col(Post.topic_id) == topic.id).order_by(col(Post.number))
        ).all()
    )
    chosen = set(post_ids)
    moving = [p for p in posts if p.id in chosen and p.number > 1]
    errors = {}
    if not moving or len(moving) != len(chosen):
        errors["posts"] = _("Choisissez une ou plusieurs réponses de ce sujet (pas le premier).")
    try:
        clean = clean_title(title)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    assert target.id is not None
    first = moving[0]
    new = Topic(
        board_id=target.id,
        title=clean,
        author_id=first.author_id,
        created_at=first.created_at,
        last_post_at=first.created_at,
    )
    session.add(new)
    session.flush()
    staying = [p for p in posts if p.id not in chosen]
    _renumber(session, new, moving)
    _renumber(session, topic, staying)
    # Notifications follow their posts: the new topic's board decides who may still read them.
    moved_ids = [p.id for p in moving if p.id is not None]
    session.exec(
        update(Notification).where(col(Notification.post_id).in_(moved_ids)).values(topic_id=new.id)
    )
    return SplitResult(topic=new, moved_post_ids=[p.id for p in moving if p.id is not None])


@dataclass(frozen=True)
class SplitForm:
    """What the split form shows: the topic, its replies and the boards it may go to."""

    topic: Topic
    board: Board
    posts: list[tuple[Post, str]]  # (post, author name)
    boards: list[Board]


def split_form(session: Session, *, actor: Actor, topic_id: int) -> SplitForm:
    """The replies of a topic the actor moderates, to choose which ones to split off."""
    topic, board = access_topic_to_moderate(session, actor, topic_id)
    rows = session.exec(
        select(Post, User.display_name)
        .join(User, col(User.id) == col(Post.author_id))
        .where(col(Post.topic_id) == topic.id, col(Post.number) > 1)
        .order_by(col(Post.number))
    ).all()
    return SplitForm(
        topic=topic,
        board=board,
        posts=[(post, name) for post, name in rows],
        boards=moderated_boards(session, actor),
    )


def move_targets(session: Session, *, actor: Actor, topic_id: int) -> list[Board]:
    """The boards a topic the actor moderates may be moved to."""
    _topic, board = access_topic_to_moderate(session, actor, topic_id)
    return [b for b in moderated_boards(session, actor) if b.id != board.id]


# --- reports ---------------------------------------------------------------------------------


def clean_reason(raw: str) -> str:
    """A report's reason: trimmed, not empty, at most REASON_MAX characters."""
    reason = raw.strip()
    if not reason:
        raise InvalidInput({"reason": _("Expliquez en quelques mots ce qui pose problème.")})
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            {"reason": _("Le motif ne doit pas dépasser %(max)s caractères.", max=REASON_MAX)}
        )
    return reason


def reportable_post(session: Session, *, actor: Actor, post_id: int) -> Post:
    """A post the actor (a signed-in member) may read and therefore report."""
    post = access_post(session, actor, post_id)
    if not actor.is_authenticated:
        raise PermissionDenied(f"post {post_id}")
    return post


def report_post(session: Session, *, actor: Actor, post_id: int, reason: str) -> Report:
    """Report a post to its board's moderators; one open report per member and post."""
    post = reportable_post(session, actor=actor, post_id=post_id)
    assert actor.user_id is not None and post.id is not None
    clean = clean_reason(reason)
    open_already = session.exec(
        select(func.count())
        .select_from(Report)
        .where(col(Report.post_id) == post.id, col(Report.reporter_id) == actor.user_id)
        .where(col(Report.resolved_at).is_(None))
    ).one()
    if open_already:
        raise InvalidInput({"reason": _("Vous avez déjà signalé ce message.")})
    report = Report(post_id=post.id, reporter_id=actor.user_id, reason=clean)
    session.add(report)
    session.flush()
    return report


@dataclass(frozen=True)
class QueueItem:
    """An open report as the moderation queue shows it."""

    report_id: int
    reason: str
    created_at: datetime
    reporter_name: str
    post_id: int
    topic_id: int
    topic_title: str
    board_name: str


def moderation_queue(session: Session, *, actor: Actor) -> list[QueueItem]:
    """Open reports of posts in the boards the actor moderates, oldest first."""
    boards = {b.id: b for b in moderated_boards(session, actor)}
    if not boards:
        raise NotFound("moderation")
    rows = session.exec(
        select(Report, Post, Topic, User.display_name)
        .join(Post, col(Post.id) == col(Report.post_id))
        .join(Topic, col(Topic.id) == col(Post.topic_id))
        .join(User, col(User.id) == col(Report.reporter_id))
        .where(col(Report.resolved_at).is_(None), col(Topic.board_id).in_(list(boards)))
        .order_by(col(Report.created_at), col(Report.id))
    ).all()
    return [
        QueueItem(
            report_id=report.id,
            reason=report.reason,
            created_at=report.created_at,
            reporter_name=name,
            post_id=post.id,
            topic_id=topic.id,
            topic_title=topic.title,
            board_name=boards[topic.board_id].name,
        )
        for report, post, topic, name in rows
        if report.id is not None and post.id is not None and topic.id is not None
    ]


def resolve_report(session: Session, *, actor: Actor, report_id: int) -> Report:
    """Close a report of a post in a board the actor moderates."""
    report = session.get(Report, report_id) if 0 < report_id < 2**63 else None
    post = session.get(Post, report.post_id) if report is not None else None
    topic = session.get(Topic, post.topic_id) if post is not None else None
    board = session.get(Board, topic.board_id) if topic is not None else None
    if report is None or board is None or report.resolved_at is not None:
        raise NotFound(f"report {report_id}")
    check_moderates(actor, board, f"report {report_id}")
    report.resolved_at = utcnow()
    report.resolved_by_id = actor.user_id
    session.add(report)
    session.flush()
    return report
