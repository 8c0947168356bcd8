"""LikeSearch: a stop-gap backend for PostgreSQL until its own full-text backend exists.

Each term must appear (ILIKE, case-insensitive) in the body, or in the title of things
whose title is indexed. Limits, on purpose and temporary: accents are not folded in the
database (the words are matched as typed, so "ecole" does not find "école"), there is no
ranking (newest first) and every search scans search_docs. Snippets and visibility work
as in every backend. The PostgreSQL backend (tsvector, unaccent) will replace it behind
the same SearchBackend protocol.
"""

from sqlalchemy import ColumnElement, and_, or_, select

from forum.search.entries import TITLED_KINDS, SearchPage, SearchQuery
from forum.search.query import Term, parse_query
from forum.search.store import DocsBackend, filtered, result_from_row
from forum.search.tables import search_docs


def _like(term: Term) -> str:
    escaped = term.raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _condition(term: Term) -> ColumnElement[bool]:
    pattern = _like(term)
    in_title = and_(
        search_docs.c.kind.in_(sorted(TITLED_KINDS)),
        search_docs.c.title.ilike(pattern, escape="\\"),
    )
    return or_(in_title, search_docs.c.body.ilike(pattern, escape="\\"))


class LikeSearch(DocsBackend):
    """Substring search over search_docs, newest first (see the module docstring)."""

    def search(self, query: SearchQuery) -> SearchPage:
        """The query's page of results, newest first, only from the query's boards."""
        parsed = parse_query(query.text)
        terms = [term for term in parsed.terms if term.raw]
        if not terms or not query.boards:
            return SearchPage()
        statement = select(search_docs).where(*(_condition(term) for term in terms))
        statement = (
            filtered(statement, query)
            .order_by(search_docs.c.created_at.desc(), search_docs.c.id.desc())
            .limit(query.limit + 1)
            .offset(query.offset)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(statement).all()
        results = [result_from_row(row, parsed.terms) for row in rows[: query.limit]]
        return SearchPage(results=results, has_more=len(rows) > query.limit)
