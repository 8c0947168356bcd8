"""discussions: topics, posts and post revisions

Revision ID: 0002_discussions
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.models

revision: str = "0002_discussions"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(), nullable=False),
        sa.Column("last_post_at", forum.models.UTCDateTime(), nullable=False),
        sa.Column("post_count", sa.Integer(), nullable=False),
        sa.Column("is_pinned", sa.Boolean(), nullable=False),
        sa.Column("is_locked", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", forum.models.UTCDateTime(), nullable=True),
        sa.Column("first_post_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topics_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_topics_board_listing", ["board_id", "is_pinned", "last_post_at"], unique=False
        )

    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(), nullable=False),
        sa.Column("edited_at", forum.models.UTCDateTime(), nullable=True),
        sa.Column("deleted_at", forum.models.UTCDateTime(), nullable=True),
        sa.Column("hidden_at", forum.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["reply_to_id"], ["posts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["topic_id"], ["topics.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posts_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_posts_topic_number", ["topic_id", "number"], unique=True)

    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["editor_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_post_revisions_editor_id"), ["editor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_post_revisions_post_id"), ["post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_revisions_post_id"))
        batch_op.drop_index(batch_op.f("ix_post_revisions_editor_id"))

    op.drop_table("post_revisions")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_topic_number")
        batch_op.drop_index(batch_op.f("ix_posts_author_id"))

    op.drop_table("posts")
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index("ix_topics_board_listing")
        batch_op.drop_index(batch_op.f("ix_topics_author_id"))

    op.drop_table("topics")
