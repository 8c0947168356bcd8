"""ix_topics_board_live: count a board's live topics from the index alone

Revision ID: 0021_topics_board_live
Revises: 0020_merge
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021_topics_board_live"
down_revision: str | None = "0020_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A board page counts its live topics (for its pagination): without deleted_at in an
    # index, that count reads every topic row of the board.
    op.create_index("ix_topics_board_live", "topics", ["board_id", "deleted_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_topics_board_live", table_name="topics")
