"""Polls carried by posts: options and votes."""

import enum
from datetime import datetime

from sqlalchemy import (
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from forum.models.base import _ts, utcnow


class PollResults(enum.StrEnum):
    """When a poll's counts are shown to a member who may vote."""

    AFTER_VOTING = "after_voting"  # once they have voted (everyone, once the poll is closed)
    AFTER_CLOSING = "after_closing"  # only once the poll is closed


class Poll(SQLModel, table=True):
    """A poll carried by a post: its question and the rules of its vote.

    A poll is closed when is_closed is set (closed early by its author or a moderator, who
    also moves closes_at to that moment) or once closes_at has passed.
    """

    __tablename__ = "polls"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", unique=True, index=True, ondelete="CASCADE")
    question: str = Field(max_length=300)
    is_multiple: bool = Field(default=False)
    max_choices: int = Field(default=1)
    closes_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    results_visibility: str = Field(default=PollResults.AFTER_VOTING.value, max_length=16)
    is_closed: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class PollOption(SQLModel, table=True):
    """One answer of a poll; position orders them as their author listed them."""

    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position", name="uq_poll_option_position"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", ondelete="CASCADE")  # uq_poll_option_position
    position: int
    label: str = Field(max_length=200)


class PollVote(SQLModel, table=True):
    """A member's choice of one option; a single-choice poll has one per member (services)."""

    __tablename__ = "poll_votes"
    __table_args__ = (
        UniqueConstraint("option_id", "user_id", name="uq_poll_vote"),
        Index("ix_poll_votes_poll_user", "poll_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", ondelete="CASCADE")  # ix_poll_votes_poll_user
    option_id: int = Field(foreign_key="poll_options.id", ondelete="CASCADE")  # uq_poll_vote
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
