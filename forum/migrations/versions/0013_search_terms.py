"""search_terms: the vocabulary of the SQLite search index, for fast prefix searches

Revision ID: 0013_search_terms
Revises: 0007_reading
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_search_terms"
down_revision: str | None = "0007_reading"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VOCABULARY = "CREATE VIRTUAL TABLE temp.search_vocabulary USING fts5vocab(main, search_index, row)"


def upgrade() -> None:
    op.create_table(
        "search_terms",
        sa.Column("term", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("term"),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        # Words already indexed: read once from the FTS5 index itself.
        op.execute(VOCABULARY)
        op.execute("INSERT INTO search_terms (term) SELECT term FROM temp.search_vocabulary")
        op.execute("DROP TABLE temp.search_vocabulary")


def downgrade() -> None:
    op.drop_table("search_terms")
