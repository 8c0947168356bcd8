"""Reading state: how far each member has read each topic, unread counts and "new" markers.

A post is unread for a member when its number is above their last-read number for the topic,
someone else wrote it, and it can be read (not deleted, not hidden). Visitors have no state.
Counts for a list of topics, and flags for a list of boards, take one query each.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Integer, and_, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from forum.access import Actor, access_topic
from forum.models import Post, Topic, TopicRead, table_of, utcnow
from forum.pagination import page_of
from forum.prepared import Prepared
from forum.services import drafts
from forum.services.boards import BoardOverview, board_overview
from forum.services.post_rows import DRAFT_BODY
from forum.services.post_views import POSTS_PER_PAGE
from forum.services.topic_views import BoardTopics, TopicPage, board_topics, topic_page


def _unread_posts(query: Any, user_id: int) -> Any:
    """Restrict a select over posts to those the member has not read (joins topics, reads)."""
    read = and_(col(TopicRead.topic_id) == col(Post.topic_id), col(TopicRead.user_id) == user_id)
    return (
        query.join(Topic, col(Topic.id) == col(Post.topic_id))
        .outerjoin(TopicRead, read)
        .where(
            col(Topic.deleted_at).is_(None),
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
            col(Post.author_id) != user_id,
            col(Post.number) > func.coalesce(col(TopicRead.last_read_number), 0),
        )
    )


# Built once, run on every visit of a topic by a member.
_READS = table_of(TopicRead)
_POSTS = table_of(Post)
_TOPICS = table_of(Topic)
_LAST_READ = sa_select(_READS.c.last_read_number).where(
    _READS.c.user_id == bindparam("user"), _READS.c.topic_id == bindparam("topic")
)
_UNREAD_AFTER = (
    sa_select(_POSTS.c.id)
    .select_from(
        _POSTS.join(_TOPICS, _TOPICS.c.id == _POSTS.c.topic_id).outerjoin(
            _READS,
            and_(_READS.c.topic_id == _POSTS.c.topic_id, _READS.c.user_id == bindparam("user")),
        )
    )
    .where(
        _POSTS.c.topic_id == bindparam("topic"),
        _POSTS.c.number > bindparam("after"),
        _TOPICS.c.deleted_at.is_(None),
        _POSTS.c.deleted_at.is_(None),
        _POSTS.c.hidden_at.is_(None),
        _POSTS.c.author_id != bindparam("user"),
        _POSTS.c.number > func.coalesce(_READS.c.last_read_number, 0),
    )
)  # the same condition as _unread_posts, for one topic: is there one (not how many)
# A member's reading point, reply draft and unread posts after the page: one round trip.
_VISIT_STATE = Prepared(
    sa_select(
        _LAST_READ.scalar_subquery(),
        DRAFT_BODY.scalar_subquery(),
        _UNREAD_AFTER.exists(),
    )
)


# _unread_posts, per topic of a board's page: one count per topic over the posts after the
# member's reading point (the index on topic and number), not a join of every post with the
# topic and the reading state (three times slower on topics of 20 posts).
_UNREAD_OF_TOPIC = (
    sa_select(func.count())
    .where(
        _POSTS.c.topic_id == _TOPICS.c.id,
        _POSTS.c.number > func.coalesce(_READS.c.last_read_number, 0),
        _POSTS.c.deleted_at.is_(None),
        _POSTS.c.hidden_at.is_(None),
        _POSTS.c.author_id != bindparam("user"),
    )
    .correlate(_TOPICS, _READS)
    .scalar_subquery()
)
_UNREAD_PER_TOPIC = Prepared(
    sa_select(_TOPICS.c.id, _UNREAD_OF_TOPIC)
    .select_from(
        _TOPICS.outerjoin(
            _READS,
            and_(_READS.c.topic_id == _TOPICS.c.id, _READS.c.user_id == bindparam("user")),
        )
    )
    .where(_TOPICS.c.id.in_(bindparam("topics", expanding=True)), _TOPICS.c.deleted_at.is_(None))
)


def unread_counts(session: Session, actor: Actor, topic_ids: list[int]) -> dict[int, int]:
    """Unread posts per topic (topics without any are left out); empty for visitors."""
    if actor.user_id is None or not topic_ids:
        return {}
    params = {"user": actor.user_id, "topics": topic_ids}
    rows = _UNREAD_PER_TOPIC.rows(session, params)
    return {topic_id: count for topic_id, count in rows if count}


def boards_with_new(session: Session, actor: Actor, board_ids: list[int]) -> set[int]:
    """The boards, among those given, holding a post the actor has not read."""
    if actor.user_id is None or not board_ids:
        return set()
    query = _unread_posts(select(Topic.board_id).select_from(Post), actor.user_id)
    boards: list[int] = session.exec(
        query.where(col(Topic.board_id).in_(board_ids)).distinct()
    ).all()
    return set(boards)


def last_read_number(session: Session, actor: Actor, topic_id: int) -> int:
    """The highest post number the actor was shown in the topic (0: never opened)."""
    if actor.user_id is None:
        return 0
    found = session.connection().execute(_LAST_READ, {"user": actor.user_id, "topic": topic_id})
    return found.scalar() or 0


def _visit_upsert(insert: Any) -> Any:
    """The reading point moved forward, for a topic that still exists, in one statement."""
    rows = sa_select(
        bindparam("user", type_=Integer),
        _TOPICS.c.id,
        bindparam("number", type_=Integer),
        bindparam("now", type_=_READS.c.updated_at.type),
    ).where(_TOPICS.c.id == bindparam("topic"))
    statement = insert(_READS).from_select(
        ["user_id", "topic_id", "last_read_number", "updated_at"], rows
    )
    return statement.on_conflict_do_update(
        index_elements=[_READS.c.user_id, _READS.c.topic_id],
        set_={
            "last_read_number": statement.excluded.last_read_number,
            "updated_at": statement.excluded.updated_at,
        },
        where=_READS.c.last_read_number < statement.excluded.last_read_number,
    )


_RECORD_VISIT = {
    "sqlite": _visit_upsert(sqlite.insert),
    "postgresql": _visit_upsert(postgresql.insert),
}


def record_visit(session: Session, *, user_id: int, topic_id: int, up_to_number: int) -> None:
    """Record that a member read a topic up to a post number, checked by their visit.

    The visit (visit_topic) checked the member's access and the page's numbers in its own
    read; this write only moves the reading point forward (a further visit in another tab
    wins), and writes nothing for a topic removed meanwhile. One statement: the ORM's way
    cost ten times more, on every first visit of a topic.
    """
    connection = session.connection()
    params = {"user": user_id, "topic": topic_id, "number": up_to_number, "now": utcnow()}
    connection.execute(_RECORD_VISIT[connection.dialect.name], params)


def visit_record(actor: Actor, visit: "TopicVisit") -> Callable[[Session], None] | None:
    """The write a visit needs (record_visit), None when its reading point stays: most visits
    re-read pages already read, and take no write lock."""
    if actor.user_id is None or not visit.moves_forward or visit.view.topic.id is None:
        return None
    return partial(
        record_visit,
        user_id=actor.user_id,
        topic_id=visit.view.topic.id,
        up_to_number=visit.last_read,
    )


def first_unread_location(session: Session, actor: Actor, topic_id: int) -> tuple[int, int]:
    """(page, post id) of the actor's first unread post; the latest post when all are read."""
    topic = access_topic(session, actor, topic_id)
    post = None
    if actor.user_id is not None:
        query = _unread_posts(select(Post), actor.user_id).where(col(Post.topic_id) == topic_id)
        post = session.exec(query.order_by(col(Post.number)).limit(1)).first()
    if post is None:
        latest = (
            select(Post)
            .where(col(Post.topic_id) == topic_id, col(Post.deleted_at).is_(None))
            .order_by(col(Post.number).desc())
            .limit(1)
        )
        post = session.exec(latest).first()
    if post is None or post.id is None:
        return 1, topic.first_post_id or 0
    return page_of(post.number, POSTS_PER_PAGE), post.id


@dataclass(frozen=True)
class TopicVisit:
    """A page of a topic as the member opens it, with their draft and reading state."""

    view: TopicPage
    draft: str  # the member's saved reply draft (empty when none)
    last_read: int  # after this visit
    has_unread: bool  # unread posts remain after those on this page
    moves_forward: bool = False  # the visit must record last_read (visit_record)


def visit_topic(
    session: Session,
    actor: Actor,
    topic_id: int,
    page: int = 1,
    *,
    reply_to: int | None = None,
    quote: int | None = None,
) -> TopicVisit:
    """Open a page of a topic, reading only: its posts, the member's reply draft, and how far
    they will have read once the visit is recorded.

    Recording it (visit_record, when moves_forward) is a separate, short write: most visits
    re-read pages already read and never take the write lock.
    """
    view = topic_page(session, actor, topic_id, page, reply_to=reply_to, quote=quote)
    if actor.user_id is None:
        return TopicVisit(view=view, draft="", last_read=0, has_unread=False)
    shown = min(max((post.number for post in view.posts), default=0), view.topic.post_count)
    # can_reply came from forum.access: the draft's topic is one the member may write in.
    key = drafts.reply_key(topic_id) if view.can_reply else None  # None: no draft to read
    params = {"user": actor.user_id, "topic": topic_id, "after": shown, "key": key}
    [(last_read, draft, unread_left)] = _VISIT_STATE.rows(session, params)
    before = last_read or 0
    after = max(before, shown)  # _UNREAD_AFTER counts beyond both: the unread after the visit
    return TopicVisit(
        view=view,
        draft=draft or "",
        last_read=after,
        has_unread=bool(unread_left),
        moves_forward=after > before,
    )


@dataclass(frozen=True)
class BoardReading:
    """A board's page of topics with the member's unread counts."""

    listing: BoardTopics
    unread: dict[int, int]


def board_reading(session: Session, actor: Actor, slug: str, page: int = 1) -> BoardReading:
    """A page of a board's topics and, for a member, how many posts of each are unread."""
    listing = board_topics(session, actor, slug, page)
    ids = [row.topic.id for row in listing.topics if row.topic.id is not None]
    return BoardReading(listing=listing, unread=unread_counts(session, actor, ids))


@dataclass(frozen=True)
class HomeReading:
    """The home page's boards and those holding something new for the member."""

    overview: BoardOverview
    new_boards: set[int]


def home_reading(session: Session, actor: Actor) -> HomeReading:
    """The boards the actor sees and, for a member, which of them have unread posts."""
    overview = board_overview(session, actor)
    boards = [*overview.mine, *overview.common, *overview.others]
    ids = [board.id for board in boards if board.id is not None]
    return HomeReading(overview=overview, new_boards=boards_with_new(session, actor, ids))
