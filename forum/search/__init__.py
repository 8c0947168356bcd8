"""Search: one SearchBackend interface, chosen by database dialect, French-aware on both.

How the rest of the forum uses it
---------------------------------
`create_app` keeps the backend on `app.state.search` (`make_search_backend(engine)`).

Searching goes through `forum.services.search.search_for`, which computes the actor's
visible boards (`access.visible_boards`) and passes their ids in `SearchQuery.board_ids`,
a required field: a backend never returns an entry of any other board.

Indexing happens *after* the commit of the change, before the response is sent, so that
a post is searchable as soon as the request that created it returns. In a route::

    post = await db.run_in_transaction(topic_service.post_reply, ...)
    await search_service.index_after_commit(
        request.app.state.search,
        search_service.entry_for_post(
            post_id=post.id, topic_id=post.topic_id, board_id=board.id,
            topic_title=topic.title, text=text_from_html(post.html),
            author_id=post.author_id, author_name=author.display_name,
            created_at=post.created_at,
        ),
    )

- a new topic: index `entry_for_topic(...)` (its title) and its first post;
- an edited post: index it again (an entry replaces the one with the same kind and id);
- a deleted or hidden post: `backend.remove("post", post_id)`;
- a topic moved or renamed: `backend.update_topic(topic_id, board_id=..., title=...)`;
- a deleted topic: `backend.remove_topic(topic_id)`;
- a deleted board: its entries go with it (foreign key cascade).

Outside a request (CLI, importer), call the backend's methods directly; `rebuild(entries)`
replaces the whole index. Bodies are plain text: `forum.search.text.text_from_html` turns
rendered HTML into it.
"""

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import Engine

from forum.search.entries import (
    KINDS,
    Kind,
    SearchEntry,
    SearchPage,
    SearchQuery,
    SearchResult,
)
from forum.search.fallback import LikeSearch
from forum.search.postgres import PostgresSearch
from forum.search.sqlite import SqliteSearch

__all__ = [
    "KINDS",
    "Kind",
    "LikeSearch",
    "PostgresSearch",
    "SearchBackend",
    "SearchEntry",
    "SearchPage",
    "SearchQuery",
    "SearchResult",
    "SqliteSearch",
    "UnsupportedDatabase",
    "make_search_backend",
]


class SearchBackend(Protocol):
    """What the forum needs from a search engine; writes happen after the data's commit."""

    def index(self, entry: SearchEntry) -> None:
        """Add or replace the entry for (kind, object_id)."""

    def remove(self, kind: Kind, object_id: int) -> None:
        """Forget one entry."""

    def update_topic(
        self, topic_id: int, *, board_id: int | None = None, title: str | None = None
    ) -> None:
        """Move a topic's entries to another board and/or give them the topic's new title."""

    def remove_topic(self, topic_id: int) -> None:
        """Forget every entry of a topic."""

    def search(self, query: SearchQuery) -> SearchPage:
        """One page of results, only from query.board_ids; an empty query finds nothing."""
        ...

    def rebuild(self, entries: Iterable[SearchEntry]) -> int:
        """Replace the whole index with these entries; returns how many were indexed."""
        ...


class UnsupportedDatabase(RuntimeError):
    """No search backend exists for this database."""


def make_search_backend(engine: Engine) -> SearchBackend:
    """The backend for the engine's database: FTS5 on SQLite, tsvector on PostgreSQL."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        return SqliteSearch(engine)
    if dialect == "postgresql":
        return PostgresSearch(engine)
    raise UnsupportedDatabase(f"search has no backend for the {dialect!r} database")
