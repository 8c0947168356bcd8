"""PostgresSearch: the PostgreSQL backend, a tsvector of folded words beside search_docs.

Text is folded in Python exactly as for SQLite (école → ecole, œuvre → oeuvre), cut into
the same words, and stored as a `simple` tsvector (no stemming, no stop words) in
search_vectors, with the title in weight A and the body in weight D; a GIN index serves
the matches. Terms are ANDed; prefixes use `:*`, phrases `<->`. Ranking is ts_rank
(title ten times the body) over at most RANK_WINDOW most recent matches, as on SQLite;
visibility (board_id IN the actor's boards) and the filters are part of the SQL.
Migration 0014_postgres_search creates the table on PostgreSQL only.
"""

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from forum.search.entries import SearchEntry, SearchPage, SearchQuery
from forum.search.folding import fold, words
from forum.search.query import ParsedQuery, Term, parse_query
from forum.search.store import DocsBackend, filtered, result_from_row
from forum.search.tables import VECTORS_TABLE, search_docs

RANK_WINDOW = 400
MAX_INDEXED_WORDS = 50_000  # a tsvector keeps positions up to 16,383 and 1 MB in all
WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"  # D (body), C, B, A (title): the title weighs ten times

vectors = table(VECTORS_TABLE, column("doc_id", Integer), column("vector", TSVECTOR))
VECTOR = (
    "setweight(to_tsvector('simple', CAST(:title AS text)), 'A') || "
    "setweight(to_tsvector('simple', CAST(:body AS text)), 'D')"
)
INSERT_VECTOR = text(f"INSERT INTO {VECTORS_TABLE} (doc_id, vector) VALUES (:id, {VECTOR})")
UPDATE_VECTOR = text(f"UPDATE {VECTORS_TABLE} SET vector = {VECTOR} WHERE doc_id = :id")


def _match_and_rank(expression: str) -> tuple[ColumnElement[bool], ColumnElement[float]]:
    """The WHERE condition and the rank (higher is better) for a tsquery text."""
    config: ColumnElement[Any] = literal_column("'simple'::regconfig")
    query = func.to_tsquery(config, cast(bindparam("tsquery", expression), Text))
    weights: ColumnElement[Any] = literal_column(f"{WEIGHTS}::float4[]")
    rank = func.ts_rank(weights, vectors.c.vector, query, type_=Float)
    return vectors.c.vector.bool_op("@@")(query), rank


def indexed_words(text_: str) -> str:
    """The folded words of a text, space-separated, so PostgreSQL's parser cuts them as we do."""
    return " ".join(words(fold(text_))[:MAX_INDEXED_WORDS])


def _lexeme(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"


def _tsquery_term(term: Term) -> str:
    if len(term.words) > 1:
        return "(" + " <-> ".join(map(_lexeme, term.words)) + ")"
    return _lexeme(term.words[0]) + (":*" if term.prefix else "")


def tsquery(parsed: ParsedQuery) -> str:
    """The to_tsquery('simple', …) text of a parsed query (every term ANDed)."""
    return " & ".join(_tsquery_term(term) for term in parsed.terms)


class PostgresSearch(DocsBackend):
    """Full-text search with tsvector and GIN, accent- and ligature-insensitive, with prefixes."""

    def _indexed(self, connection: Connection, rows: list[tuple[int, SearchEntry]]) -> None:
        connection.execute(
            INSERT_VECTOR,
            [
                {
                    "id": row_id,
                    "title": indexed_words(entry.indexed_title),
                    "body": indexed_words(entry.body),
                }
                for row_id, entry in rows
            ],
        )

    def _retitled(self, connection: Connection, row_id: int, title: str) -> None:
        body = connection.execute(
            select(search_docs.c.body).where(search_docs.c.id == row_id)
        ).scalar_one()
        connection.execute(
            UPDATE_VECTOR,
            {"id": row_id, "title": indexed_words(title), "body": indexed_words(body)},
        )

    def _cleared(self, connection: Connection) -> None:
        connection.execute(text(f"DELETE FROM {VECTORS_TABLE}"))

    def search(self, query: SearchQuery) -> SearchPage:
        """The query's page of results, best first, only from the query's boards."""
        parsed = parse_query(query.text)
        if parsed.is_empty or not query.boards:
            return SearchPage()
        match, rank = _match_and_rank(tsquery(parsed))
        joined = search_docs.join(vectors, vectors.c.doc_id == search_docs.c.id)
        newest = filtered(select(search_docs.c.id).select_from(joined).where(match), query)
        # One snapshot for the three statements: at PostgreSQL's default isolation, a post
        # re-indexed between them (deleted and inserted again) was missing from the third.
        with self.engine.connect().execution_options(
            isolation_level="REPEATABLE READ"
        ) as connection:
            floor = connection.execute(
                newest.order_by(search_docs.c.id.desc()).limit(1).offset(RANK_WINDOW)
            ).scalar()
            ranked = filtered(
                select(search_docs.c.id, rank.label("rank")).select_from(joined).where(match),
                query,
            )
            if floor is not None:
                ranked = ranked.where(search_docs.c.id > floor)
            best = connection.execute(
                ranked.order_by(
                    rank.desc(), search_docs.c.created_at.desc(), search_docs.c.id.desc()
                )
                .limit(query.limit + 1)
                .offset(query.offset)
            ).all()
            ids = [row.id for row in best[: query.limit]]
            rows = connection.execute(select(search_docs).where(search_docs.c.id.in_(ids)))
            by_id = {row.id: row for row in rows}
        return SearchPage(
            results=[
                result_from_row(by_id[row.id], parsed.terms, -float(row.rank))
                for row in best[: query.limit]
            ],
            has_more=len(best) > query.limit,
        )
