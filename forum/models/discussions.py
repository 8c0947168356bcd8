"""Discussions: topics, posts, revisions, reports, reading state and drafts."""

from datetime import datetime

from sqlalchemy import (
    Column,
    Index,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from forum.models.base import _ts, utcnow


class Topic(SQLModel, table=True):
    """A discussion in a board: a title and its posts, the first one written with it.

    post_count counts every post ever written in it (deleted ones keep their place and
    number); last_post_at is the time of the latest post. Services keep both up to date.
    first_post_id has no foreign key on purpose: topics and posts would refer to each other.
    """

    __tablename__ = "topics"
    __table_args__ = (
        Index("ix_topics_board_listing", "board_id", "is_pinned", "last_post_at"),
        Index("ix_topics_board_live", "board_id", "deleted_at"),  # a board's count of topics
    )

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="boards.id")  # indexed by ix_topics_board_listing
    title: str = Field(max_length=200)
    author_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_post_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    post_count: int = Field(default=0)
    is_pinned: bool = Field(default=False)
    is_locked: bool = Field(default=False)
    deleted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    first_post_id: int | None = Field(default=None)


class Post(SQLModel, table=True):
    """One message of a topic: its Markdown source and the sanitised HTML rendered from it."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_topic_number", "topic_id", "number", unique=True),
        # Unread counts read these columns only (migration 0022).
        Index(
            "ix_posts_topic_unread", "topic_id", "number", "author_id", "deleted_at", "hidden_at"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topics.id", ondelete="CASCADE")
    author_id: int = Field(foreign_key="users.id", index=True)
    reply_to_id: int | None = Field(default=None, foreign_key="posts.id", ondelete="SET NULL")
    number: int  # position in the topic: 1 for the first post
    body: str = Field(sa_column=Column(Text, nullable=False))
    html: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    edited_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    hidden_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class PostRevision(SQLModel, table=True):
    """One edit of a post: the body as it was before, who replaced it and when."""

    __tablename__ = "post_revisions"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", index=True, ondelete="CASCADE")
    body: str = Field(sa_column=Column(Text, nullable=False))
    editor_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Report(SQLModel, table=True):
    """A member's report of a post to the moderators of its board; open until resolved."""

    __tablename__ = "reports"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", index=True, ondelete="CASCADE")
    reporter_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    reason: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    resolved_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    resolved_by_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", index=True
    )


class TopicRead(SQLModel, table=True):
    """How far a member has read a topic: the highest post number they were shown."""

    __tablename__ = "topic_reads"
    __table_args__ = (UniqueConstraint("user_id", "topic_id", name="uq_topic_read"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")  # uq_topic_read indexes it
    topic_id: int = Field(foreign_key="topics.id", index=True, ondelete="CASCADE")
    last_read_number: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Draft(SQLModel, table=True):
    """A member's unposted text, kept on the server.

    key is "topic:{board_id}" (a new topic) or "reply:{topic_id}".
    """

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_draft"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")  # uq_draft indexes it
    key: str = Field(max_length=40)
    title: str = Field(default="", max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
