"""Database tables (SQLModel). Data only: no commits, no HTTP, no permission logic."""

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Dialect, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(nullable: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


class Visibility(enum.StrEnum):
    """Who may read a board."""

    GROUP = "group"  # members of the board's group (and site administrators)
    MEMBERS = "members"  # every signed-in member
    PUBLIC = "public"  # everyone, signed in or not


class Role(enum.StrEnum):
    """A member's role in a group."""

    MEMBER = "member"
    MODERATOR = "moderator"


class User(SQLModel, table=True):
    """A member account, created by an administrator."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=120)
    email: str | None = Field(default=None, max_length=254)
    password_hash: str | None = Field(default=None, max_length=255)
    is_admin: bool = Field(default=False)
    is_active: bool = Field(default=True)
    locale: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Group(SQLModel, table=True):
    """A group of members: a pôle, the COPIL, the Bureau."""

    __tablename__ = "groups"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Membership(SQLModel, table=True):
    """A member's place in a group, with a role."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "group_id", name="uq_membership"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    group_id: int = Field(foreign_key="groups.id", index=True, ondelete="CASCADE")
    role: str = Field(default=Role.MEMBER.value, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Board(SQLModel, table=True):
    """A place for discussions and files; its visibility decides who reads it."""

    __tablename__ = "boards"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    visibility: str = Field(default=Visibility.GROUP.value, max_length=16)
    group_id: int | None = Field(
        default=None, foreign_key="groups.id", index=True, ondelete="SET NULL"
    )
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class AuthSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries the id; only its hash is stored."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    user_agent: str = Field(default="", max_length=300)
    ip: str = Field(default="", max_length=64)


class AccessToken(SQLModel, table=True):
    """A personal access token for scripts; only its hash is stored."""

    __tablename__ = "access_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=120)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class SetupLink(SQLModel, table=True):
    """A one-time link: create the first administrator, or choose one's password."""

    __tablename__ = "setup_links"

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=16)  # "first-admin" or "password"
    user_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="CASCADE"
    )
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class SiteMeta(SQLModel, table=True):
    """Small key/value facts about this installation (e.g. the preset was applied)."""

    __tablename__ = "site_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", max_length=2000)


class OrganisationKind(enum.StrEnum):
    """What sort of organisation a member organisation is."""

    ASSOCIATION = "association"
    COOPERATIVE = "cooperative"
    COLLECTIVITE = "collectivite"  # a local authority
    RESEAU = "reseau"  # a network or federation
    AUTRE = "autre"


class Organisation(SQLModel, table=True):
    """A member organisation of the network, with the fields of the network's survey."""

    __tablename__ = "organisations"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    acronym: str = Field(default="", max_length=30)
    kind: str = Field(default=OrganisationKind.ASSOCIATION.value, max_length=16)
    # General information and contacts
    country: str = Field(default="", max_length=80)
    city: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=300)
    website: str = Field(default="", max_length=300)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    description: str = Field(default="", max_length=4000)
    # The survey's other parts: where, what, with what, what to share, what is expected
    territories: str = Field(default="", max_length=2000)
    trades_and_activities: str = Field(default="", max_length=4000)
    resources: str = Field(default="", max_length=4000)
    pooling: str = Field(default="", max_length=4000)
    expectations: str = Field(default="", max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_by_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )


class MemberProfile(SQLModel, table=True):
    """The public part of a member's profile in the directory (one row per account, or none)."""

    __tablename__ = "member_profiles"

    user_id: int = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    organisation_id: int | None = Field(
        default=None, foreign_key="organisations.id", index=True, ondelete="SET NULL"
    )
    role_in_organisation: str = Field(default="", max_length=120)
    territory: str = Field(default="", max_length=200)
    languages: str = Field(default="", max_length=200)
    presentation: str = Field(default="", max_length=2000)
    show_email: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Topic(SQLModel, table=True):
    """A discussion in a board: a title and its posts, the first one written with it.

    post_count counts every post ever written in it (deleted ones keep their place and
    number); last_post_at is the time of the latest post. Services keep both up to date.
    first_post_id has no foreign key on purpose: topics and posts would refer to each other.
    """

    __tablename__ = "topics"
    __table_args__ = (Index("ix_topics_board_listing", "board_id", "is_pinned", "last_post_at"),)

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
    __table_args__ = (Index("ix_posts_topic_number", "topic_id", "number", unique=True),)

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
