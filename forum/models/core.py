"""Accounts, groups, boards, sessions, tokens and site metadata."""

import enum
from datetime import datetime

from sqlalchemy import (
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from forum.models.base import _ts, utcnow


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
