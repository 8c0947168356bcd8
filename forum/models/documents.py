"""Documents written together, their versions, and collab's own tables."""

from datetime import datetime

from sqlalchemy import (
    Column,
    LargeBinary,
)
from sqlmodel import Field, SQLModel

import collab.store
from forum.models.base import _ts, utcnow


class Document(SQLModel, table=True):
    """A document written together in a board; its text lives in collab's tables (the CRDT).

    topic_id is its discussion topic (whose first post links back to the document).
    """

    __tablename__ = "documents"

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="boards.id", index=True)
    title: str = Field(max_length=200)
    topic_id: int | None = Field(
        default=None, foreign_key="topics.id", index=True, ondelete="SET NULL"
    )
    created_by_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    archived_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class DocumentVersion(SQLModel, table=True):
    """A saved state of a document (the merged Yjs update): named by a member, or automatic."""

    __tablename__ = "document_versions"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=200)
    is_automatic: bool = Field(default=False)
    state: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_by_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


# collab's own tables (the Yjs update log and checkpoints) are created by our migrations.
for _table in collab.store.metadata.tables.values():
    _table.to_metadata(SQLModel.metadata)
