"""Posts read as plain rows, with their authors' names, for the pages that show many of them.

A topic page is the busiest page of the forum: its posts, the posts they answer and their
files are read through statements built once, as tuples, without the ORM's objects and
identity map (which cost more than the queries themselves). Nothing here decides who may
see what: callers ask for posts of a topic the reader was let into by forum.access.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, exists, select
from sqlmodel import Session

from forum.models import Draft, ImportedMessage, Poll, Post, PostFile, User, table_of
from forum.prepared import Prepared


class PostRecord(NamedTuple):
    """A post's columns and its author's display name."""

    id: int
    topic_id: int
    author_id: int
    reply_to_id: int | None
    number: int
    body: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    hidden_at: datetime | None
    author_name: str

    @classmethod
    def of(cls, post: Post, author_name: str) -> "PostRecord":
        """The record of a post loaded through the ORM."""
        assert post.id is not None
        return cls(
            post.id,
            post.topic_id,
            post.author_id,
            post.reply_to_id,
            post.number,
            post.body,
            post.html,
            post.created_at,
            post.edited_at,
            post.deleted_at,
            post.hidden_at,
            author_name,
        )


_POSTS = table_of(Post)
_USERS = table_of(User)
_COLUMNS = select(
    _POSTS.c.id,
    _POSTS.c.topic_id,
    _POSTS.c.author_id,
    _POSTS.c.reply_to_id,
    _POSTS.c.number,
    _POSTS.c.body,
    _POSTS.c.html,
    _POSTS.c.created_at,
    _POSTS.c.edited_at,
    _POSTS.c.deleted_at,
    _POSTS.c.hidden_at,
    _USERS.c.display_name,
).join_from(_POSTS, _USERS, _USERS.c.id == _POSTS.c.author_id)
_MARKED = len(PostRecord._fields)  # the marks' columns, after the record's
_PAGE = Prepared(
    _COLUMNS.add_columns(
        exists().where(table_of(Poll).c.post_id == _POSTS.c.id),
        exists().where(table_of(PostFile).c.post_id == _POSTS.c.id),
        exists().where(table_of(ImportedMessage).c.post_id == _POSTS.c.id),
    )
    .where(_POSTS.c.topic_id == bindparam("topic"))
    .where(_POSTS.c.number.between(bindparam("first"), bindparam("last")))
    .order_by(_POSTS.c.number)
)
_BY_ID = Prepared(_COLUMNS.where(_POSTS.c.id.in_(bindparam("ids", expanding=True))))


@dataclass(frozen=True)
class PageMarks:
    """What a page's posts carry besides their text, read with them (an index probe each):
    most pages have no poll and no file, and then neither is asked for."""

    polls: bool  # a post of the page has a poll
    files: bool  # a post of the page has files attached (the reader may not see them all)
    imported: frozenset[int]  # the posts imported from the old discussion group


def page_posts(
    session: Session, topic_id: int, first: int, last: int
) -> tuple[list[PostRecord], PageMarks]:
    """The posts numbered first to last of a topic, in order, and what they carry."""
    rows = _PAGE.rows(session, {"topic": topic_id, "first": first, "last": last})
    marks = PageMarks(
        polls=any(row[_MARKED] for row in rows),
        files=any(row[_MARKED + 1] for row in rows),
        imported=frozenset(row[0] for row in rows if row[_MARKED + 2]),
    )
    return [PostRecord._make(row[:_MARKED]) for row in rows], marks


def posts_by_id(session: Session, ids: Iterable[int]) -> dict[int, PostRecord]:
    """These posts (those that exist), by id."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = _BY_ID.rows(session, {"ids": wanted})
    return {row[0]: PostRecord._make(row) for row in rows}


_DRAFTS = table_of(Draft)
# The text of a member's draft, for a place the caller knows they may write in.
DRAFT_BODY = select(_DRAFTS.c.body).where(
    _DRAFTS.c.user_id == bindparam("user"), _DRAFTS.c.key == bindparam("key")
)
