"""The import of the old group: people, imported messages, claims, jobs."""

from datetime import datetime

from sqlalchemy import (
    Column,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from forum.models.base import _ts, utcnow


class ImportPerson(SQLModel, table=True):
    """A sender of the old discussion group, by normalised address (or "name@..." when the
    archive redacted it): the member they are, or the placeholder author of their posts.

    The address is never shown to members; only administrators see it.
    """

    __tablename__ = "import_people"

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=320, unique=True, index=True)
    display_name: str = Field(max_length=120)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    is_placeholder: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ImportedMessage(SQLModel, table=True):
    """Provenance of an imported post: the original message (zlib-compressed), its archive,
    and every repair made (flags, comma-separated). Unique per board by Message-ID hash."""

    __tablename__ = "imported_messages"
    __table_args__ = (UniqueConstraint("board_id", "message_key", name="uq_imported_message"),)

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="boards.id", ondelete="CASCADE")  # uq indexes it
    message_key: str = Field(max_length=64)  # sha256 of message_id
    message_id: str = Field(sa_column=Column(Text, nullable=False))
    post_id: int | None = Field(
        default=None, foreign_key="posts.id", index=True, ondelete="SET NULL"
    )
    person_id: int | None = Field(
        default=None, foreign_key="import_people.id", index=True, ondelete="SET NULL"
    )
    archive: str = Field(default="", max_length=255)
    source: str = Field(default="", max_length=500)
    format: str = Field(default="", max_length=16)
    flags: str = Field(default="", max_length=255)
    original_date: datetime = Field(sa_column=_ts())
    utc_offset_minutes: int = Field(default=0)
    quoted: str = Field(default="", sa_column=Column(Text, nullable=False))
    attachments: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    imported_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ImportClaim(SQLModel, table=True):
    """A member's claim to be an archive sender; once an administrator confirms it, the
    sender's posts move to the member. status: pending, confirmed or refused."""

    __tablename__ = "import_claims"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="import_people.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    status: str = Field(default="pending", max_length=16)
    note: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    decided_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    decided_by_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )


class ImportJob(SQLModel, table=True):
    """An import started from the administration pages, followed while it runs.

    status: queued, running, done or failed; report is the JSON report once done.
    """

    __tablename__ = "import_jobs"

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="boards.id", index=True, ondelete="CASCADE")
    started_by_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    format: str = Field(max_length=16)
    archive: str = Field(max_length=255)
    path: str = Field(max_length=1000)
    dry_run: bool = Field(default=False)
    status: str = Field(default="queued", max_length=16)
    total: int = Field(default=0)
    done: int = Field(default=0)
    report: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    finished_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
