"""What every backend does to search_docs: write entries, move or drop a topic's, filter."""

from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import Any, cast

from sqlalchemy import Connection, Engine, Select, bindparam, delete, insert, select, update

from forum.search.entries import Kind, SearchEntry, SearchQuery, SearchResult
from forum.search.query import Term
from forum.search.snippets import snippet_html
from forum.search.tables import search_docs

REBUILD_BATCH = 1000

DELETE_ENTRY = delete(search_docs).where(
    search_docs.c.kind == bindparam("entry_kind"),
    search_docs.c.object_id == bindparam("entry_object_id"),
)
INSERT_DOC = insert(search_docs)


def storable(text: str) -> str:
    """Text every database accepts: lone surrogates (invalid UTF-8) become U+FFFD, and NUL
    characters (which PostgreSQL refuses in text) are dropped."""
    text = text.replace("\x00", "")
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _row(entry: SearchEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "object_id": entry.object_id,
        "board_id": entry.board_id,
        "topic_id": entry.topic_id,
        "author_id": entry.author_id,
        "author_name": entry.author_name,
        "created_at": entry.created_at,
        "title": entry.title,
        "body": entry.body,
    }


def _cleaned(entry: SearchEntry) -> SearchEntry:
    return replace(
        entry,
        title=storable(entry.title),
        body=storable(entry.body),
        author_name=storable(entry.author_name),
    )


class DocsBackend:
    """The part of a backend that keeps search_docs; subclasses add their index and search.

    Writes run in their own transaction (BEGIN IMMEDIATE on SQLite), after the commit of
    the change being indexed. The hooks below keep a backend's own index in step.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(begin_immediate=True)

    # Hooks for a backend's own index; search_docs is already written when they run.

    def _indexed(self, connection: Connection, rows: list[tuple[int, SearchEntry]]) -> None:
        """search_docs rows were added for these entries (row id, entry)."""

    def _retitled(self, connection: Connection, row_id: int, title: str) -> None:
        """The indexed title of a row changed."""

    def _cleared(self, connection: Connection) -> None:
        """Every row was removed."""

    # The SearchBackend operations.

    def index(self, entry: SearchEntry) -> None:
        """Add or replace the entry for (kind, object_id)."""
        entry = _cleaned(entry)
        with self._writer.begin() as connection:
            key = {"entry_kind": entry.kind, "entry_object_id": entry.object_id}
            connection.execute(DELETE_ENTRY, key)
            inserted = connection.execute(INSERT_DOC, _row(entry)).inserted_primary_key
            assert inserted is not None
            self._indexed(connection, [(int(inserted[0]), entry)])

    def index_many(self, entries: Iterable[SearchEntry]) -> int:
        """Add or replace many entries in one transaction (an import's batch); the count."""
        cleaned = [_cleaned(entry) for entry in entries]
        if not cleaned:
            return 0
        with self._writer.begin() as connection:
            keys = [{"entry_kind": e.kind, "entry_object_id": e.object_id} for e in cleaned]
            connection.execute(DELETE_ENTRY, keys)
            inserted = connection.execute(
                INSERT_DOC.returning(search_docs.c.id, sort_by_parameter_order=True),
                [_row(entry) for entry in cleaned],
            )
            ids = [int(row_id) for row_id in inserted.scalars().all()]
            self._indexed(connection, list(zip(ids, cleaned, strict=True)))
        return len(cleaned)

    def remove(self, kind: Kind, object_id: int) -> None:
        """Forget one entry (nothing happens if it was never indexed)."""
        with self._writer.begin() as connection:
            connection.execute(DELETE_ENTRY, {"entry_kind": kind, "entry_object_id": object_id})

    def update_topic(
        self, topic_id: int, *, board_id: int | None = None, title: str | None = None
    ) -> None:
        """A topic moved to another board and/or was renamed: update all its entries."""
        with self._writer.begin() as connection:
            of_topic = search_docs.c.topic_id == topic_id
            if board_id is not None:
                connection.execute(update(search_docs).where(of_topic).values(board_id=board_id))
            if title is not None:
                title = storable(title)
                kinds = search_docs.c.kind.in_(["topic", "post"])
                connection.execute(update(search_docs).where(of_topic & kinds).values(title=title))
                own = (search_docs.c.kind == "topic") & (search_docs.c.object_id == topic_id)
                row_id = connection.execute(select(search_docs.c.id).where(own)).scalar()
                if row_id is not None:
                    self._retitled(connection, row_id, title)

    def remove_topic(self, topic_id: int) -> None:
        """Forget a topic's entries: its own, its posts', anything attached to it."""
        with self._writer.begin() as connection:
            connection.execute(delete(search_docs).where(search_docs.c.topic_id == topic_id))

    def rebuild(self, entries: Iterable[SearchEntry]) -> int:
        """Replace the whole index with these entries, in one transaction; returns the count.

        The same (kind, object_id) given twice is an error, as in the unique constraint.
        """
        count = 0
        with self._writer.begin() as connection:
            self._cleared(connection)
            connection.execute(delete(search_docs))
            for batch in batched((_cleaned(entry) for entry in entries), REBUILD_BATCH):
                rows = [(count + number, entry) for number, entry in enumerate(batch, start=1)]
                connection.execute(INSERT_DOC, [{"id": n, **_row(e)} for n, e in rows])
                self._indexed(connection, rows)
                count += len(rows)
        return count


def batched(items: Iterable[SearchEntry], size: int) -> Iterator[list[SearchEntry]]:
    """Lists of up to `size` items, in order."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def filtered(statement: Select[Any], query: SearchQuery) -> Select[Any]:
    """Restrict a select over search_docs to the query's boards, author and dates."""
    statement = statement.where(search_docs.c.board_id.in_(sorted(query.boards)))
    if query.author_id is not None:
        statement = statement.where(search_docs.c.author_id == query.author_id)
    if query.date_from is not None:
        statement = statement.where(search_docs.c.created_at >= query.date_from)
    if query.date_to is not None:
        statement = statement.where(search_docs.c.created_at < query.date_to)
    return statement


def result_from_row(row: Any, terms: tuple[Term, ...], rank: float = 0.0) -> SearchResult:
    """A search_docs row as a result, with its snippet."""
    return SearchResult(
        kind=cast(Kind, row.kind),
        object_id=row.object_id,
        topic_id=row.topic_id,
        board_id=row.board_id,
        title=row.title,
        snippet_html=snippet_html(row.body, terms),
        author_name=row.author_name,
        created_at=row.created_at,
        rank=rank,
    )
