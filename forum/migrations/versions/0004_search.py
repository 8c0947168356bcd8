"""search: search_docs on every database, plus the FTS5 index and its trigger on SQLite

Revision ID: 0004_search
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.models

revision: str = "0004_search"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here on purpose: forum.search.tables may change, this migration must not.
FTS = (
    "CREATE VIRTUAL TABLE search_index USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
)
TRIGGER = (
    "CREATE TRIGGER search_docs_after_delete AFTER DELETE ON search_docs "
    "BEGIN DELETE FROM search_index WHERE rowid = old.id; END"
)


def upgrade() -> None:
    op.create_table(
        "search_docs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "object_id", name="uq_search_docs_object"),
    )
    with op.batch_alter_table("search_docs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_search_docs_board_created", ["board_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_search_docs_topic_id", ["topic_id"], unique=False)
        batch_op.create_index("ix_search_docs_author_id", ["author_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(FTS)
        op.execute(TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS search_docs_after_delete")
        op.execute("DROP TABLE IF EXISTS search_index")
    with op.batch_alter_table("search_docs", schema=None) as batch_op:
        batch_op.drop_index("ix_search_docs_author_id")
        batch_op.drop_index("ix_search_docs_topic_id")
        batch_op.drop_index("ix_search_docs_board_created")
    op.drop_table("search_docs")
