"""SqliteSearch: the SQLite backend, an FTS5 index of folded text beside search_docs.

The FTS5 table (created by migration 0004_search) uses `unicode61 remove_diacritics 2`
with prefix indexes for 2 and 3 characters; text is folded in Python first (œ → oe...).
A prefix of four characters or more is expanded through the vocabulary table
(search_terms) into at most MAX_EXPANSIONS exact words, which FTS5 reads lazily; shorter
prefixes have FTS5 prefix indexes. Ranking is bm25 with the title weighing ten times the
body, over at most the RANK_WINDOW most recent matches (bm25 costs about 25 µs a row).
Visibility is part of the SQL (board_id IN the actor's visible boards), then the filters;
snippets come from the original text, in Python.
"""

from sqlalchemy import Connection, Float, Integer, column, literal_column, select, table, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forum.search.entries import SearchEntry, SearchPage, SearchQuery
from forum.search.folding import fold, words
from forum.search.query import ParsedQuery, parse_query
from forum.search.store import DocsBackend, filtered, result_from_row
from forum.search.tables import FTS_TABLE, search_docs, search_terms

TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
# Ranking costs time in proportion to the matches: for a very common word, only the most
# recently indexed RANK_WINDOW visible matches are ranked (as many as the deepest page the
# service lets anyone reach), so a search costs about the same on any size of forum.
RANK_WINDOW = 400
MAX_EXPANSIONS = 16
SHORT_PREFIX = 3  # the FTS5 table has prefix indexes for 2 and 3 characters

fts = table(FTS_TABLE, column("rowid", Integer))
RANK = literal_column(f"bm25({FTS_TABLE}, {TITLE_WEIGHT}, {BODY_WEIGHT})", Float).label("rank")
MATCH = text(f"{FTS_TABLE} MATCH :match")
INSERT_FTS = text(f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (:id, :title, :body)")
INSERT_TERMS = sqlite_insert(search_terms).on_conflict_do_nothing()


def _after(prefix: str) -> str:
    """The smallest string greater than every string starting with prefix."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


class SqliteSearch(DocsBackend):
    """Full-text search with FTS5, accent- and ligature-insensitive, with prefixes."""

    def _indexed(self, connection: Connection, rows: list[tuple[int, SearchEntry]]) -> None:
        folded = [(row_id, fold(entry.indexed_title), fold(entry.body)) for row_id, entry in rows]
        connection.execute(
            INSERT_FTS, [{"id": row_id, "title": t, "body": b} for row_id, t, b in folded]
        )
        vocabulary = {word for _, t, b in folded for word in (*words(t), *words(b))}
        if vocabulary:
            connection.execute(INSERT_TERMS, [{"term": word} for word in sorted(vocabulary)])

    def _retitled(self, connection: Connection, row_id: int, title: str) -> None:
        connection.execute(
            text(f"UPDATE {FTS_TABLE} SET title = :title WHERE rowid = :id"),
            {"id": row_id, "title": fold(title)},
        )

    def _cleared(self, connection: Connection) -> None:
        connection.execute(text(f"DELETE FROM {FTS_TABLE}"))
        connection.execute(search_terms.delete())

    def _expression(self, connection: Connection, parsed: ParsedQuery) -> str:
        """The MATCH expression, long prefixes replaced by the words they stand for."""
        parts = []
        for term in parsed.terms:
            word = term.words[0]
            if term.prefix and len(term.words) == 1 and len(word) > SHORT_PREFIX:
                found = connection.execute(
                    select(search_terms.c.term)
                    .where(search_terms.c.term >= word, search_terms.c.term < _after(word))
                    .order_by(search_terms.c.term)
                    .limit(MAX_EXPANSIONS + 1)
                ).scalars()
                expansions = list(found)
                if 0 < len(expansions) <= MAX_EXPANSIONS:
                    parts.append("(" + " OR ".join(map(_quoted, expansions)) + ")")
                    continue
            parts.append(term.fts5())
        return " AND ".join(parts)

    def search(self, query: SearchQuery) -> SearchPage:
        """The query's page of results, best first, only from the query's boards."""
        parsed = parse_query(query.text)
        if parsed.is_empty or not query.boards:
            return SearchPage()
        with self.engine.connect() as connection:  # one read transaction: one snapshot
            match = MATCH.bindparams(match=self._expression(connection, parsed))
            joined = fts.join(search_docs, search_docs.c.id == fts.c.rowid)
            newest = filtered(select(fts.c.rowid).select_from(joined).where(match), query)
            ranked = filtered(select(fts.c.rowid, RANK).select_from(joined).where(match), query)
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
