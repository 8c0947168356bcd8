"""search_vectors: PostgreSQL's full-text index (tsvector of folded words, GIN)

Revision ID: 0014_postgres_search
Revises: 0013_search_terms
Create Date: 2026-11-27

On SQLite nothing happens (FTS5 is its index). Existing entries are indexed again by
`forum search rebuild`; a forum on PostgreSQL before this revision searched with LIKE.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_postgres_search"
down_revision: str | None = "0013_search_terms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = (
    "CREATE TABLE search_vectors ("
    "doc_id INTEGER PRIMARY KEY REFERENCES search_docs (id) ON DELETE CASCADE, "
    "vector tsvector NOT NULL)"
)
INDEX = "CREATE INDEX ix_search_vectors_vector ON search_vectors USING gin (vector)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TABLE)
        op.execute(INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS search_vectors")
