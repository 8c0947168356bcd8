"""The search tables: search_docs (every backend) and the SQLite FTS5 index beside it.

search_docs keeps one row per indexed thing with the original text (for snippets) and the
columns results are filtered by. On SQLite, the FTS5 table search_index holds the folded
title and body under the same rowid; a trigger removes its row whenever a search_docs row
goes (also through the cascade when a board is deleted). Alembic creates both
(migration 0004_search); the FTS5 table and its shadow tables are not in the metadata,
and `is_fts_table` tells migration comparisons to leave them alone.

search_terms is the vocabulary of the SQLite index (every folded word ever indexed): a
prefix such as "reunion" is looked up there and searched as a few exact words
("reunion" OR "reunions"), which FTS5 reads lazily, instead of an FTS5 prefix query, which
reads the whole doclist of every matching word before returning the first row.
"""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlmodel import SQLModel

from forum.models import UTCDateTime

FTS_TABLE = "search_index"
VECTORS_TABLE = "search_vectors"  # PostgreSQL's index (forum.search.postgres)

search_docs = Table(
    "search_docs",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("object_id", Integer, nullable=False),
    Column("board_id", Integer, ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
    Column("topic_id", Integer, nullable=True),
    Column("author_id", Integer, nullable=True),
    Column("author_name", String(120), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("kind", "object_id", name="uq_search_docs_object"),
    Index("ix_search_docs_board_created", "board_id", "created_at"),
    Index("ix_search_docs_topic_id", "topic_id"),
    Index("ix_search_docs_author_id", "author_id"),
)


search_terms = Table(
    "search_terms",
    SQLModel.metadata,
    Column("term", Text, primary_key=True),
    sqlite_with_rowid=False,
)


def is_fts_table(name: str | None) -> bool:
    """True for the full-text index tables: FTS5's with its shadow tables (search_index_data,
    ..._idx, ...) on SQLite, search_vectors on PostgreSQL."""
    return name is not None and (
        name == FTS_TABLE or name.startswith(FTS_TABLE + "_") or name == VECTORS_TABLE
    )
