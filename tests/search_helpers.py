"""Helpers for the search tests: entries with defaults, board ids, searching for ids."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from forum.db import Database
from forum.search import SearchBackend, SearchEntry, SearchQuery
from forum.services import boards as board_service

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PRESET_BOARDS = ("pole-ess", "copil", "espace-commun")  # A's, B's, every member's


def entry(object_id: int, board_id: int, body: str = "", **values: Any) -> SearchEntry:
    """A post entry with sensible defaults."""
    fields: dict[str, Any] = {
        "kind": "post",
        "object_id": object_id,
        "board_id": board_id,
        "topic_id": 1000 + object_id,
        "title": f"Sujet {object_id}",
        "body": body,
        "author_id": 1,
        "author_name": "Amina",
        "created_at": T0,
    }
    fields.update(values)
    return SearchEntry(**fields)


def board_ids(db: Database, slugs: tuple[str, ...] = PRESET_BOARDS) -> dict[str, int]:
    """Board ids by slug."""

    def read(session: Session) -> dict[str, int]:
        ids = {}
        for slug in slugs:
            board_id = board_service.get_board(session, slug).id
            assert board_id is not None
            ids[slug] = board_id
        return ids

    return db.reading(read)


def found(backend: SearchBackend, words: str, boards: set[int], **filters: Any) -> list[int]:
    """Object ids of the results of a search, best first."""
    query = SearchQuery(text=words, board_ids=frozenset(boards), **filters)
    return [result.object_id for result in backend.search(query).results]


def fts_rows(db: Database) -> int:
    """Rows of the full-text index: FTS5's table on SQLite, search_vectors on PostgreSQL."""
    table = "search_vectors" if db.engine.dialect.name == "postgresql" else "search_index"
    with db.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
