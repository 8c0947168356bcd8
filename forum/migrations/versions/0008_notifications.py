"""notifications: notifications, notification_settings, topic_watches, board_watches

Revision ID: 0008_notifications
Revises: 0007_reading
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.models

revision: str = "0008_notifications"
down_revision: str | None = "0007_reading"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(), nullable=False),
        sa.Column("read_at", forum.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["topic_id"], ["topics.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "post_id", name="uq_notification_post"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_user_unread", ["user_id", "read_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_post_id"), ["post_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_topic_id"), ["topic_id"], unique=False)
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mentions", sa.Boolean(), nullable=False),
        sa.Column("group_mentions", sa.Boolean(), nullable=False),
        sa.Column("post_replies", sa.Boolean(), nullable=False),
        sa.Column("topic_replies", sa.Boolean(), nullable=False),
        sa.Column("updated_at", forum.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "topic_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["topic_id"], ["topics.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "topic_id", name="uq_topic_watch"),
    )
    with op.batch_alter_table("topic_watches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_watches_topic_id"), ["topic_id"], unique=False)
    op.create_table(
        "board_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "board_id", name="uq_board_watch"),
    )
    with op.batch_alter_table("board_watches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_board_watches_board_id"), ["board_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("board_watches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_watches_board_id"))
    op.drop_table("board_watches")
    with op.batch_alter_table("topic_watches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_watches_topic_id"))
    op.drop_table("topic_watches")
    op.drop_table("notification_settings")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_topic_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_post_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_actor_id"))
        batch_op.drop_index("ix_notifications_user_unread")
    op.drop_table("notifications")
