"""SqliteSearch: the SQLite backend, an FTS5 index of folded text beside search_docs.

The FTS5 table (created by migration 0004_search) uses `unicode61 remove_diacritics 2`
with prefix indexes for 2 and 3 characters; text is folded in Python first (œ → oe...).
Ranking is bm25 with the title weighing ten times the body, over at most the RANK_WINDOW
most recent matches. Visibility is part of the SQL (board_id IN the actor's visible
boards), then the filters; snippets come from the original text, in Python.
"""

from sqlalchemy import Connection, Float, Integer, column, literal_column, select, table, text

from forum.search.entries import SearchEntry, SearchPage, SearchQuery
from forum.search.folding import fold
from forum.search.query import parse_query
from forum.search.store import DocsBackend, filtered, result_from_row
from forum.search.tables import FTS_TABLE, search_docs

TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
# Ranking costs time in proportion to the matches: for a very common word, only the most
# recently indexed RANK_WINDOW visible matches are ranked (as many as the deepest page the
# service lets anyone reach), so a search costs about the same on any size of forum.
RANK_WINDOW = 1000

fts = table(FTS_TABLE, column("rowid", Integer))
RANK = literal_column(f"bm25({FTS_TABLE}, {TITLE_WEIGHT}, {BODY_WEIGHT})", Float).label("rank")
MATCH = text(f"{FTS_TABLE} MATCH :match")
INSERT_FTS = text(f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (:id, :title, :body)")


class SqliteSearch(DocsBackend):
    """Full-text search with FTS5, accent- and ligature-insensitive, with prefixes."""

    def _indexed(self, connection: Connection, rows: list[tuple[int, SearchEntry]]) -> None:
        connection.execute(
            INSERT_FTS,
            [
                {"id": row_id, "title": fold(entry.indexed_title), "body": fold(entry.body)}
                for row_id, entry in rows
            ],
        )

    def _retitled(self, connection: Connection, row_id: int, title: str) -> None:
        connection.execute(
            text(f"UPDATE {FTS_TABLE} SET title = :title WHERE rowid = :id"),
            {"id": row_id, "title": fold(title)},
        )

    def _cleared(self, connection: Connection) -> None:
        connection.execute(text(f"DELETE FROM {FTS_TABLE}"))

    def search(self, query: SearchQuery) -> SearchPage:
        """The query's page of results, best first, only from the query's boards."""
        parsed = parse_query(query.text)
        expression = parsed.match_expression()
        if expression is None or not query.boards:
            return SearchPage()
        match = MATCH.bindparams(match=expression)
        joined = fts.join(search_docs, search_docs.c.id == fts.c.rowid)
        newest = filtered(select(fts.c.rowid).select_from(joined).where(match), query)
        ranked = filtered(select(fts.c.rowid, RANK).select_from(joined).where(match), query)
        with self.engine.connect() as connection:  # one read transaction: one snapshot
            floor = connection.execute(
                newest.order_by(fts.c.rowid.desc()).limit(1).offset(RANK_WINDOW)
            ).scalar()
            if floor is not None:
                ranked = ranked.where(fts.c.rowid > floor)
            # Rank ids only; the texts are read for the page alone.
            best = connection.execute(
                ranked.order_by(RANK, search_docs.c.created_at.desc(), search_docs.c.id.desc())
                .limit(query.limit + 1)
                .offset(query.offset)
            ).all()
            ids = [row.rowid for row in best[: query.limit]]
            rows = connection.execute(select(search_docs).where(search_docs.c.id.in_(ids)))
            by_id = {row.id: row for row in rows}
        results = [
            result_from_row(by_id[row.rowid], parsed.terms, row.rank) for row in best[: query.limit]
        ]
        return SearchPage(results=results, has_more=len(best) > query.limit)

    def optimize(self) -> None:
        """Merge the FTS5 index segments (after a large import or rebuild)."""
        with self._writer.begin() as connection:
            connection.execute(text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')"))
