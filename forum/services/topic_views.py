"""Reading discussions: a board's topics, a topic's pages of posts, one post, where a post is."""

from dataclasses import dataclass, field

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from forum.access import (
    Actor,
    access_board,
    access_post,
    access_topic,
    can_moderate_board,
    can_restore_topic,
    can_write_in_topic,
    moderated_boards,
    read_topic_and_board,
)
from forum.importer.provenance import imported_post_ids
from forum.markup import quote_markdown
from forum.models import Board, BoardRecord, Post, Topic, TopicRecord, User, table_of
from forum.pagination import Pagination, page_of
from forum.prepared import Prepared
from forum.services.attachments import Attachment, visible_post_attachments
from forum.services.boards import BoardPage, board_page
from forum.services.post_rows import PageMarks, page_posts, posts_by_id
from forum.services.post_views import (
    POSTS_PER_PAGE,
    Person,
    PostView,
    board_of,
    person,
    post_views,
    record_views,
)

TOPICS_PER_PAGE = 30


@dataclass(frozen=True)
class TopicPage:
    """One page of a topic, with what the reader may do there and the reply form's content."""

    topic: TopicRecord
    board: BoardRecord
    author: Person
    posts: list[PostView]
    pagination: Pagination
    can_reply: bool
    can_moderate: bool
    can_restore: bool
    move_targets: list[Board]
    reply_target: PostView | None
    draft: str
    attachments: dict[int, list[Attachment]] = field(default_factory=dict)  # post id -> files
    imported: frozenset[int] = frozenset()  # ids of posts imported from the old group


@dataclass(slots=True)  # thirty per board page: see post_views on frozen dataclasses
class TopicRow:
    """A topic in a board's list."""

    topic: TopicRecord
    author_name: str

    @property
    def replies(self) -> int:
        """Posts after the first one."""
        return max(self.topic.post_count - 1, 0)


@dataclass(frozen=True)
class BoardTopics:
    """A board's page of topics: pinned ones first, then by latest activity."""

    page: BoardPage
    topics: list[TopicRow]
    pagination: Pagination
    total: int


_TOPICS = table_of(Topic)
_USERS = table_of(User)
_LIVE = (_TOPICS.c.board_id == bindparam("board")) & _TOPICS.c.deleted_at.is_(None)
_LIVE_COUNT = Prepared(sa_select(func.count()).select_from(_TOPICS).where(_LIVE))
_LISTING = Prepared(
    sa_select(*(_TOPICS.c[name] for name in TopicRecord._fields), _USERS.c.display_name)
    .join_from(_TOPICS, _USERS, _USERS.c.id == _TOPICS.c.author_id)
    .where(_LIVE)
    .order_by(_TOPICS.c.is_pinned.desc(), _TOPICS.c.last_post_at.desc(), _TOPICS.c.id.desc())
    .offset(bindparam("skip"))
    .limit(bindparam("size"))
)


def board_topics(session: Session, actor: Actor, slug: str, page: int = 1) -> BoardTopics:
    """A page of the topics of a board the actor may read; a hidden board is NotFound."""
    info = board_page(session, actor, slug)
    [(total,)] = _LIVE_COUNT.rows(session, {"board": info.board.id})
    pagination = Pagination.of(page, total, TOPICS_PER_PAGE)
    skip = pagination.offset(TOPICS_PER_PAGE)
    rows = _LISTING.rows(session, {"board": info.board.id, "skip": skip, "size": TOPICS_PER_PAGE})
    topics = [TopicRow(TopicRecord._make(row[:-1]), row[-1]) for row in rows]
    return BoardTopics(page=info, topics=topics, pagination=pagination, total=total)


def topic_page(
    session: Session,
    actor: Actor,
    topic_id: int,
    page: int = 1,
    *,
    reply_to: int | None = None,
    quote: int | None = None,
    writing: bool = False,
) -> TopicPage:
    """A page of a topic; with quote, the reply form starts with that post quoted.

    writing=True is for re-showing the reply form (preview, errors): the actor must be
    allowed to reply. Unknown reply_to or quote ids are ignored.
    """
    topic, board = read_topic_and_board(session, actor, topic_id, for_write=writing)
    pagination = Pagination.of(page, topic.post_count, POSTS_PER_PAGE)
    first = pagination.offset(POSTS_PER_PAGE) + 1
    posts, marks = page_posts(session, topic.id, first, first + POSTS_PER_PAGE - 1)
    target = None
    target_id = quote if quote is not None else reply_to
    if target_id is not None:
        on_page = next((v for v in posts if v.id == target_id), None)
        found = on_page or posts_by_id(session, [target_id]).get(target_id)
        if found is not None and found.topic_id == topic.id:
            [target] = record_views(session, actor, board, topic, [found])
            if not target.shown:
                target = None  # a deleted post, or hidden from this reader: not to quote
    draft = ""
    if quote is not None and target is not None:
        draft = quote_markdown(target.body, target.attribution)
    moderator = can_moderate_board(actor, board) and topic.deleted_at is None
    views = record_views(session, actor, board, topic, posts, polls_possible=marks.polls)
    # The topic's author is usually on the page already (its first post): no query then.
    author = next((v.author for v in views if v.author and v.author.id == topic.author_id), None)
    post_ids = [p.id for p in posts]
    return TopicPage(
        topic=topic,
        board=board,
        author=author or person(session, topic.author_id),
        posts=views,
        pagination=pagination,
        can_reply=topic.deleted_at is None and can_write_in_topic(actor, board, topic),
        can_moderate=moderator,
        can_restore=topic.deleted_at is not None and can_restore_topic(actor),
        move_targets=[b for b in moderated_boards(session, actor) if b.id != board.id]
        if moderator
        else [],
        reply_target=target,
        draft=draft,
        # Only files the reader may open: a moved topic's files stay in their first board.
        attachments=visible_post_attachments(session, actor, post_ids) if marks.files else {},
        imported=_imported(session, topic, post_ids, marks),
    )


def _imported(
    session: Session, topic: TopicRecord, post_ids: list[int], marks: PageMarks
) -> frozenset[int]:
    """The page's imported posts, and the topic's first post when it was (the topic's mark):
    read with the posts, unless the first post is on another page."""
    first = topic.first_post_id
    if first is None or first in post_ids:
        return marks.imported
    return marks.imported | imported_post_ids(session, [first])


@dataclass(frozen=True)
class TopicDetail:
    """A topic with every one of its posts (for the API)."""

    topic: Topic
    board: Board
    author: Person
    posts: list[PostView]


def topic_detail(session: Session, actor: Actor, topic_id: int) -> TopicDetail:
    """A topic the actor may read, with all its posts, the first one included."""
    topic = access_topic(session, actor, topic_id)
    board = board_of(session, topic)
    posts = session.exec(
        select(Post).where(col(Post.topic_id) == topic.id).order_by(col(Post.number))
    ).all()
    return TopicDetail(
        topic=topic,
        board=board,
        author=person(session, topic.author_id),
        posts=post_views(session, actor, board, topic, list(posts)),
    )


def get_post(session: Session, actor: Actor, post_id: int) -> PostView:
    """One post the actor may read; deleted and hidden posts are NotFound."""
    post = access_post(session, actor, post_id)
    topic = access_topic(session, actor, post.topic_id)
    [view] = post_views(session, actor, board_of(session, topic), topic, [post])
    return view


def post_location(session: Session, actor: Actor, post_id: int) -> tuple[int, int]:
    """(topic id, page number) of a post the actor may read."""
    post = access_post(session, actor, post_id)
    return post.topic_id, page_of(post.number, POSTS_PER_PAGE)


@dataclass(frozen=True)
class PostEditing:
    """What the edit page of a post needs."""

    post: PostView
    topic: Topic
    board: Board


def post_for_edit(session: Session, actor: Actor, post_id: int) -> PostEditing:
    """A post the actor may edit (their own, in a topic they may still write in)."""
    post = access_post(session, actor, post_id, for_write=True)
    topic = access_topic(session, actor, post.topic_id)
    board = board_of(session, topic)
    [view] = post_views(session, actor, board, topic, [post])
    return PostEditing(post=view, topic=topic, board=board)


def new_topic_form(session: Session, actor: Actor, slug: str) -> BoardPage:
    """The board in which the actor wants to start a topic; they must be allowed to post."""
    access_board(session, actor, slug, for_write=True)
    return board_page(session, actor, slug)
