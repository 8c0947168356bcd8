"""Posts as a reader sees them: author, reply link, placeholder for deleted or hidden ones.

Posts the reader may not see (deleted, or hidden by moderation) keep their place and number
but come out as placeholders, without body or author.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session

from forum.access import (
    Actor,
    BoardState,
    TopicState,
    can_edit_post,
    can_moderate_board,
    can_write_in_topic,
)
from forum.i18n import gettext as _
from forum.markup import escape_markdown
from forum.models import Board, Post, Topic, User, table_of
from forum.pagination import page_of
from forum.prepared import Prepared
from forum.services.poll_views import PollView, poll_views
from forum.services.post_rows import PostRecord, posts_by_id

POSTS_PER_PAGE = 20


@lru_cache(maxsize=2048)
def _markdown_name(name: str) -> str:
    """A display name as Markdown text (the same few names sign every page's posts)."""
    return escape_markdown(name)


VISIBLE, DELETED, HIDDEN = "visible", "deleted", "hidden"

# The views below are built by the dozen for every page (twenty posts and their authors):
# plain dataclasses with slots, three times faster to build than frozen ones (whose fields
# are each set through object.__setattr__). Nothing changes them once built.


@dataclass(slots=True)
class Person:
    """An author as the pages show them."""

    id: int
    display_name: str


@dataclass(slots=True)
class ReplyRef:
    """The post a reply answers: a link when it can still be read, a mention otherwise."""

    post_id: int
    number: int
    author_name: str | None  # None when the post was deleted or hidden


@dataclass(slots=True)
class PostView:
    """A post as this reader sees it; `shown` is False for a placeholder (no body, no author)."""

    id: int
    topic_id: int
    number: int
    state: str  # visible, deleted or hidden
    shown: bool
    author: Person | None
    body: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    reply_to: ReplyRef | None
    can_edit: bool
    page: int
    poll: PollView | None = None  # the poll this post carries

    @property
    def attribution(self) -> str:
        """The Markdown line that opens a quotation of this post."""
        name = self.author.display_name if self.author else ""
        return _(
            "**%(name)s** a écrit ([message n°%(number)s](%(url)s)) :",
            name=_markdown_name(name),
            number=self.number,
            url="/p/" + str(self.id),
        )


_USERS = table_of(User)
_NAMES = Prepared(
    sa_select(_USERS.c.id, _USERS.c.display_name).where(
        _USERS.c.id.in_(bindparam("ids", expanding=True))
    )
)


def names_of(session: Session, user_ids: set[int]) -> dict[int, str]:
    """Display names of members, by id."""
    if not user_ids:
        return {}
    rows = _NAMES.rows(session, {"ids": list(user_ids)})
    return {user_id: name for user_id, name in rows}  # noqa: C416 (rows, not pairs)


def person(session: Session, user_id: int) -> Person:
    """A member as an author."""
    return Person(user_id, names_of(session, {user_id}).get(user_id, ""))


def _state(post: PostRecord) -> str:
    if post.deleted_at is not None:
        return DELETED
    return HIDDEN if post.hidden_at is not None else VISIBLE


def post_views(
    session: Session, actor: Actor, board: Board, topic: Topic, posts: list[Post]
) -> list[PostView]:
    """Posts loaded through the ORM as the actor sees them (see record_views)."""
    names = names_of(session, {p.author_id for p in posts})
    records = [PostRecord.of(p, names.get(p.author_id, "")) for p in posts]
    return record_views(session, actor, board, topic, records)


def record_views(
    session: Session,
    actor: Actor,
    board: BoardState,
    topic: TopicState,
    posts: list[PostRecord],
    *,
    polls_possible: bool = True,
) -> list[PostView]:
    """Posts as the actor sees them, with their authors and the posts they answer (and
    their polls, unless polls_possible is False: the caller knows there are none)."""
    moderator = can_moderate_board(actor, board)
    targets = posts_by_id(session, (p.reply_to_id for p in posts if p.reply_to_id is not None))

    def shown(post: PostRecord) -> bool:
        state = _state(post)
        return state == VISIBLE or (state == HIDDEN and moderator)

    polls = (
        poll_views(session, actor, board, topic, [p for p in posts if shown(p)])
        if polls_possible
        else {}
    )
    can_write = can_write_in_topic(actor, board, topic)
    views = []
    for post in posts:
        is_shown = shown(post)
        reply = None
        target = targets.get(post.reply_to_id) if post.reply_to_id is not None else None
        # Only a post of the same topic is named: splitting a topic may have moved the answered
        # post to a board this reader cannot see (its author would leak).
        if target is not None and target.topic_id == post.topic_id:
            reply = ReplyRef(
                post_id=target.id,
                number=target.number,
                author_name=target.author_name if shown(target) else None,
            )
        views.append(
            PostView(
                id=post.id,
                topic_id=post.topic_id,
                number=post.number,
                state=_state(post),
                shown=is_shown,
                author=Person(post.author_id, post.author_name) if is_shown else None,
                body=post.body if is_shown else "",
                html=post.html if is_shown else "",
                created_at=post.created_at,
                edited_at=post.edited_at if is_shown else None,
                reply_to=reply,
                can_edit=is_shown and can_write and can_edit_post(actor, board, topic, post),
                page=page_of(post.number, POSTS_PER_PAGE),
                poll=polls.get(post.id) if is_shown else None,
            )
        )
    return views


def board_of(session: Session, topic: Topic) -> Board:
    """The board of a topic that access_topic let through."""
    board = session.get(Board, topic.board_id)
    assert board is not None  # access_topic checked it
    return board
