"""files: stored blobs, board file libraries (folders, files) and post attachments

Revision ID: 0010_files
Revises: 0007_reading
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.models

revision: str = "0010_files"
down_revision: str | None = "0007_reading"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_blobs",
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "folders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["folders.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("folders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_folders_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_folders_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("folder_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=True),
        sa.Column("blob_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", forum.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("display_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("thumb_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["blob_sha256"],
            ["stored_blobs.sha256"],
        ),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["display_sha256"],
            ["stored_blobs.sha256"],
        ),
        sa.ForeignKeyConstraint(["folder_id"], ["folders.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["thumb_sha256"],
            ["stored_blobs.sha256"],
        ),
        sa.ForeignKeyConstraint(["uploader_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_files_blob_sha256"), ["blob_sha256"], unique=False)
        batch_op.create_index(
            "ix_files_board_listing", ["board_id", "deleted_at", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_files_display_sha256"), ["display_sha256"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_files_folder_id"), ["folder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_files_public_id"), ["public_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_files_thumb_sha256"), ["thumb_sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_files_uploader_id"), ["uploader_id"], unique=False)

    op.create_table(
        "post_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "file_id", name="uq_post_file"),
    )
    with op.batch_alter_table("post_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_files_file_id"), ["file_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("post_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_files_file_id"))

    op.drop_table("post_files")
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_files_uploader_id"))
        batch_op.drop_index(batch_op.f("ix_files_thumb_sha256"))
        batch_op.drop_index(batch_op.f("ix_files_public_id"))
        batch_op.drop_index(batch_op.f("ix_files_folder_id"))
        batch_op.drop_index(batch_op.f("ix_files_display_sha256"))
        batch_op.drop_index("ix_files_board_listing")
        batch_op.drop_index(batch_op.f("ix_files_blob_sha256"))

    op.drop_table("files")
    with op.batch_alter_table("folders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_folders_parent_id"))
        batch_op.drop_index(batch_op.f("ix_folders_board_id"))

    op.drop_table("folders")
    op.drop_table("stored_blobs")
