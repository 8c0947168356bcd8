"""ix_posts_topic_unread: count a member's unread posts of a topic from the index alone

Revision ID: 0022_posts_topic_unread
Revises: 0021_topics_board_live
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022_posts_topic_unread"
down_revision: str | None = "0021_topics_board_live"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["topic_id", "number", "author_id", "deleted_at", "hidden_at"]


def upgrade() -> None:
    # A board page counts, for each of its thirty topics, the posts after the member's
    # reading point that are neither theirs, deleted nor hidden: with those columns in the
    # index, SQLite no longer reads each post's row (its text) to count it.
    op.create_index("ix_posts_topic_unread", "posts", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_posts_topic_unread", table_name="posts")
