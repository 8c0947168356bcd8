"""Files: stored blobs, folders, files of a board's library, files of posts."""

from datetime import datetime

from sqlalchemy import (
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from forum.models.base import _ts, utcnow


class StoredBlob(SQLModel, table=True):
    """Bytes kept once in the file storage, named by their SHA-256 (identical files share one)."""

    __tablename__ = "stored_blobs"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    content_type: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Folder(SQLModel, table=True):
    """A folder of a board's file library; parent_id None means the library's root."""

    __tablename__ = "folders"

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="boards.id", index=True, ondelete="CASCADE")
    parent_id: int | None = Field(
        default=None, foreign_key="folders.id", index=True, ondelete="CASCADE"
    )
    name: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class File(SQLModel, table=True):
    """A file shared in a board: its random public id, original name and stored bytes.

    Images also have a re-encoded display size and a thumbnail (no EXIF), as blobs.
    """

    __tablename__ = "files"
    __table_args__ = (Index("ix_files_board_listing", "board_id", "deleted_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True, index=True)
    board_id: int = Field(foreign_key="boards.id", ondelete="CASCADE")  # ix_files_board_listing
    folder_id: int | None = Field(
        default=None, foreign_key="folders.id", index=True, ondelete="SET NULL"
    )
    name: str = Field(max_length=255)
    uploader_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    blob_sha256: str = Field(foreign_key="stored_blobs.sha256", index=True, max_length=64)
    content_type: str = Field(max_length=120)
    size: int
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    deleted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    width: int | None = Field(default=None)
    height: int | None = Field(default=None)
    display_sha256: str | None = Field(
        default=None, foreign_key="stored_blobs.sha256", index=True, max_length=64
    )
    thumb_sha256: str | None = Field(
        default=None, foreign_key="stored_blobs.sha256", index=True, max_length=64
    )


class PostFile(SQLModel, table=True):
    """A file attached to a post, in the order the author attached them."""

    __tablename__ = "post_files"
    __table_args__ = (UniqueConstraint("post_id", "file_id", name="uq_post_file"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", ondelete="CASCADE")  # uq_post_file indexes it
    file_id: int = Field(foreign_key="files.id", index=True, ondelete="CASCADE")
    position: int = Field(default=0)
