"""Notifications and what members follow or ignore."""

import enum
from datetime import datetime

from sqlalchemy import (
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from forum.models.base import _ts, utcnow


class NotificationKind(enum.StrEnum):
    """Why a member hears about a post (one notification per member and post: the first reason)."""

    MENTION = "mention"  # @login
    GROUP_MENTION = "group_mention"  # @group, one of the member's groups
    POST_REPLY = "post_reply"  # a reply to one of the member's posts
    TOPIC_REPLY = "topic_reply"  # a reply in a topic the member started
    WATCHED_TOPIC = "watched_topic"
    WATCHED_BOARD = "watched_board"  # a new topic or reply in a watched board


class Notification(SQLModel, table=True):
    """A post a member should hear about; read_at is set once they have seen it."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "post_id", name="uq_notification_post"),
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")  # indexed by both above
    kind: str = Field(max_length=16)
    actor_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    topic_id: int = Field(foreign_key="topics.id", index=True, ondelete="CASCADE")
    post_id: int = Field(foreign_key="posts.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    read_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class NotificationSetting(SQLModel, table=True):
    """What notifies a member (no row: the defaults, everything on)."""

    __tablename__ = "notification_settings"

    user_id: int = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    mentions: bool = Field(default=True)
    group_mentions: bool = Field(default=True)
    post_replies: bool = Field(default=True)
    topic_replies: bool = Field(default=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class TopicWatch(SQLModel, table=True):
    """A member's choice for one topic: "watching" (every reply) or "muted" (nothing at all)."""

    __tablename__ = "topic_watches"
    __table_args__ = (UniqueConstraint("user_id", "topic_id", name="uq_topic_watch"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")  # uq_topic_watch indexes it
    topic_id: int = Field(foreign_key="topics.id", index=True, ondelete="CASCADE")
    level: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class BoardWatch(SQLModel, table=True):
    """A member watching a board: every new topic and reply in it notifies them."""

    __tablename__ = "board_watches"
    __table_args__ = (UniqueConstraint("user_id", "board_id", name="uq_board_watch"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")  # uq_board_watch indexes it
    board_id: int = Field(foreign_key="boards.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
