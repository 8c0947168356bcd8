"""Notifications: created with a new post (same transaction), listed, counted, marked read.

A member hears about a post for the first of these reasons that applies: they are mentioned
(@login), someone replies to one of their posts, someone replies in a topic they started, one
of their groups is mentioned (@group), they watch the topic, they watch the board. Never the
post's author, never someone who has muted the topic or turned that kind off, never someone
who cannot read the post. Listing and counting re-check visibility: a notification whose post
has become hidden to its member (removed from the group, post deleted…) is filtered out.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from forum.access import (
    ANONYMOUS,
    MEMBER_VISIBLE_BOARDS,
    Actor,
    access_post,
    actor_for,
    member_visibility_params,
    visible_boards_clause,
)
from forum.errors import NotFound
from forum.mentions import find_mentions
from forum.models import (
    Board,
    BoardWatch,
    Membership,
    Notification,
    NotificationKind,
    NotificationSetting,
    Post,
    Topic,
    TopicWatch,
    User,
    table_of,
    utcnow,
)
from forum.pagination import Pagination
from forum.prepared import Prepared
from forum.services.post_views import POSTS_PER_PAGE, Person, names_of

PER_PAGE = 30
WATCHING, MUTED = "watching", "muted"

Kind = NotificationKind
# The first reason wins when several apply to one member.
PRIORITY = [
    Kind.MENTION,
    Kind.POST_REPLY,
    Kind.TOPIC_REPLY,
    Kind.GROUP_MENTION,
    Kind.WATCHED_TOPIC,
    Kind.WATCHED_BOARD,
]
# Kinds a member may turn off in their settings (watching is itself a choice).
SETTING_OF_KIND = {
    Kind.MENTION: "mentions",
    Kind.GROUP_MENTION: "group_mentions",
    Kind.POST_REPLY: "post_replies",
    Kind.TOPIC_REPLY: "topic_replies",
}


def _author(session: Session, post: Post) -> Actor:
    author = session.get(User, post.author_id)
    return actor_for(session, author) if author is not None else ANONYMOUS


def _reasons(session: Session, post: Post, topic: Topic) -> dict[int, Kind]:
    """Every member with a reason to hear about the post, with their first reason."""
    found: dict[int, Kind] = {}

    def offer(user_ids: Any, kind: Kind) -> None:
        for user_id in user_ids:
            if user_id not in found or PRIORITY.index(kind) < PRIORITY.index(found[user_id]):
                found[user_id] = kind

    mentions = find_mentions(session, post.body, _author(session, post))
    offer((user.id for user in mentions.users.values()), Kind.MENTION)
    if post.reply_to_id is not None:
        target = session.get(Post, post.reply_to_id)
        if target is not None:
            offer([target.author_id], Kind.POST_REPLY)
    if post.number > 1:
        offer([topic.author_id], Kind.TOPIC_REPLY)
    group_ids = [group.id for group in mentions.groups.values()]
    if group_ids:
        members = select(Membership.user_id).where(col(Membership.group_id).in_(group_ids))
        offer(session.exec(members).all(), Kind.GROUP_MENTION)
    watchers = select(TopicWatch.user_id).where(
        TopicWatch.topic_id == topic.id, TopicWatch.level == WATCHING
    )
    offer(session.exec(watchers).all(), Kind.WATCHED_TOPIC)
    board_watchers = select(BoardWatch.user_id).where(BoardWatch.board_id == topic.board_id)
    offer(session.exec(board_watchers).all(), Kind.WATCHED_BOARD)
    found.pop(post.author_id, None)
    return found


def _wanted(session: Session, topic_id: int, reasons: dict[int, Kind]) -> dict[int, Kind]:
    """The reasons left once mutes and each member's settings are applied."""
    if not reasons:
        return {}
    ids = list(reasons)
    muted = session.exec(
        select(TopicWatch.user_id).where(
            TopicWatch.topic_id == topic_id,
            TopicWatch.level == MUTED,
            col(TopicWatch.user_id).in_(ids),
        )
    ).all()
    settings = {
        row.user_id: row
        for row in session.exec(
            select(NotificationSetting).where(col(NotificationSetting.user_id).in_(ids))
        ).all()
    }
    kept = {}
    for user_id, kind in reasons.items():
        if user_id in muted:
            continue
        row = settings.get(user_id)
        name = SETTING_OF_KIND.get(kind)
        if row is not None and name is not None and not getattr(row, name):
            continue
        kept[user_id] = kind
    return kept


def _can_read(session: Session, actor: Actor, post_id: int) -> bool:
    try:
        access_post(session, actor, post_id)
    except NotFound:
        return False
    return True


def notify_post(session: Session, *, post: Post, topic: Topic) -> list[int]:
    """Create the notifications of a new post, in its transaction; the members notified."""
    assert post.id is not None and topic.id is not None
    wanted = _wanted(session, topic.id, _reasons(session, post, topic))
    if not wanted:
        return []
    users = session.exec(
        select(User).where(col(User.id).in_(list(wanted)), col(User.is_active).is_(True))
    ).all()
    notified = []
    for user in sorted(users, key=lambda u: u.id or 0):
        assert user.id is not None
        if not _can_read(session, actor_for(session, user), post.id):
            continue
        session.add(
            Notification(
                user_id=user.id,
                kind=wanted[user.id].value,
                actor_id=post.author_id,
                topic_id=topic.id,
                post_id=post.id,
                created_at=post.created_at,
            )
        )
        notified.append(user.id)
    session.flush()
    return notified


def notify_new_mentions(session: Session, *, post: Post) -> list[int]:
    """After an edit: notify members newly mentioned (never twice for one post)."""
    topic = session.get(Topic, post.topic_id)
    assert topic is not None and post.id is not None
    already = set(
        session.exec(select(Notification.user_id).where(Notification.post_id == post.id)).all()
    )
    mentions = find_mentions(session, post.body, _author(session, post))
    reasons = {
        user.id: Kind.MENTION
        for user in mentions.users.values()
        if user.id is not None and user.id not in already and user.id != post.author_id
    }
    assert topic.id is not None
    wanted = _wanted(session, topic.id, reasons)
    notified = []
    for user_id in sorted(wanted):
        user = session.get(User, user_id)
        if user is None or not _can_read(session, actor_for(session, user), post.id):
            continue
        session.add(
            Notification(
                user_id=user_id,
                kind=Kind.MENTION.value,
                actor_id=post.author_id,
                topic_id=topic.id,
                post_id=post.id,
                created_at=utcnow(),
            )
        )
        notified.append(user_id)
    session.flush()
    return notified


def recipients(session: Session, *, post_id: int) -> list[int]:
    """The members a post notified (for the live header counts, after the commit)."""
    query = select(Notification.user_id).where(Notification.post_id == post_id)
    return sorted(session.exec(query).all())


# --- reading one's notifications -------------------------------------------------------------


def _visible(query: Any, actor: Actor) -> Any:
    """Restrict a select over notifications to the actor's, on posts they may still read."""
    return (
        query.join(Post, col(Post.id) == col(Notification.post_id))
        .join(Topic, col(Topic.id) == col(Post.topic_id))  # where the post is now
        .join(Board, col(Board.id) == col(Topic.board_id))
        .where(
            col(Notification.user_id) == actor.user_id,
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
            col(Topic.deleted_at).is_(None),
            visible_boards_clause(actor),
        )
    )


def _unread_count_statement(*, admin: bool) -> Any:
    notifications, posts = table_of(Notification), table_of(Post)
    topics, boards = table_of(Topic), table_of(Board)
    query = (
        sa_select(func.count())
        .select_from(
            notifications.join(posts, posts.c.id == notifications.c.post_id)
            .join(topics, topics.c.id == posts.c.topic_id)
            .join(boards, boards.c.id == topics.c.board_id)
        )
        .where(
            notifications.c.user_id == bindparam("user"),
            notifications.c.read_at.is_(None),
            posts.c.deleted_at.is_(None),
            posts.c.hidden_at.is_(None),
            topics.c.deleted_at.is_(None),
        )
    )  # the same conditions as _visible
    return query if admin else query.where(MEMBER_VISIBLE_BOARDS)


# Built once: every page a member opens shows the count in its header.
_UNREAD_FOR_ADMIN = Prepared(_unread_count_statement(admin=True))
_UNREAD_FOR_MEMBER = Prepared(_unread_count_statement(admin=False))


def unread_count(session: Session, actor: Actor) -> int:
    """How many unread notifications the actor may still read (0 for visitors): one query."""
    if actor.user_id is None:
        return 0
    params: dict[str, Any] = {"user": actor.user_id}
    if actor.is_admin:
        statement = _UNREAD_FOR_ADMIN
    else:
        statement, params = _UNREAD_FOR_MEMBER, {**params, **member_visibility_params(actor)}
    [(count,)] = statement.rows(session, params)
    return int(count)


@dataclass(frozen=True)
class NotificationView:
    """A notification as its member sees it."""

    id: int
    kind: str
    topic_id: int
    topic_title: str
    post_id: int
    post_number: int
    actor: Person | None
    created_at: datetime
    read: bool

    @property
    def url(self) -> str:
        """The post's place in its topic."""
        page = (self.post_number - 1) // POSTS_PER_PAGE + 1
        return f"/t/{self.topic_id}?page={page}#p{self.post_id}"


@dataclass(frozen=True)
class NotificationPage:
    """A page of the actor's notifications."""

    items: list[NotificationView]
    pagination: Pagination
    total: int
    unread: int
    unread_only: bool


def _member(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound("notifications")
    return actor.user_id


def notification_page(
    session: Session, actor: Actor, page: int = 1, *, unread_only: bool = False
) -> NotificationPage:
    """The actor's notifications, newest first, hidden ones left out."""
    _member(actor)
    base = _visible(select(func.count()).select_from(Notification), actor)
    if unread_only:
        base = base.where(col(Notification.read_at).is_(None))
    total: int = session.exec(base).one()
    pagination = Pagination.of(page, total, PER_PAGE)
    query = _visible(select(Notification, Post.number, Topic.title), actor)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    rows = session.exec(
        query.order_by(col(Notification.id).desc())
        .offset(pagination.offset(PER_PAGE))
        .limit(PER_PAGE)
    ).all()
    names = names_of(session, {n.actor_id for n, _num, _t in rows if n.actor_id is not None})
    items = [
        NotificationView(
            id=n.id or 0,
            kind=n.kind,
            topic_id=n.topic_id,
            topic_title=title,
            post_id=n.post_id,
            post_number=number,
            actor=Person(n.actor_id, names.get(n.actor_id, "")) if n.actor_id else None,
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n, number, title in rows
    ]
    return NotificationPage(
        items=items,
        pagination=pagination,
        total=total,
        unread=unread_count(session, actor),
        unread_only=unread_only,
    )


def access_notification(session: Session, actor: Actor, notification_id: int) -> Notification:
    """One of the actor's notifications on a post they may still read; else NotFound."""
    _member(actor)
    if not 0 < notification_id < 2**63:
        raise NotFound("notification")
    query = _visible(select(Notification), actor).where(col(Notification.id) == notification_id)
    found: Notification | None = session.exec(query).first()
    if found is None:
        raise NotFound("notification")
    return found


def mark_read(session: Session, *, actor: Actor, notification_id: int) -> Notification:
    """Mark one notification read (again: no change); returns it."""
    found = access_notification(session, actor, notification_id)
    if found.read_at is None:
        found.read_at = utcnow()
        session.add(found)
        session.flush()
    return found


def mark_all_read(session: Session, *, actor: Actor) -> int:
    """Mark every notification of the actor read; how many were unread."""
    user_id = _member(actor)
    result = session.execute(
        update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
