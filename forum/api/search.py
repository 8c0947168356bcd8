"""GET /api/v1/search: full-text search over what the caller may read."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from forum.api.serialize import iso_utc
from forum.db import Database
from forum.services import search as search_service

JSON = dict[str, Any]


def hit(found: search_service.SearchHit) -> JSON:
    """One result; `snippet` is HTML (escaped text, matches in <mark>)."""
    result = found.result
    return {
        "type": result.kind,
        "id": result.object_id,
        "topic_id": result.topic_id,
        "board": {"slug": found.board.slug, "name": found.board.name},
        "title": result.title,
        "snippet": result.snippet_html,
        "author": result.author_name,
        "created_at": iso_utc(result.created_at),
        "url": found.url,
    }


async def search(request: Request) -> Response:
    """Search the boards the caller may read; an empty q gives no results (not an error)."""
    params = request.query_params
    filters = search_service.filters_from_params(params)
    db: Database = request.app.state.db
    outcome = await db.run_read(
        search_service.search_for,
        actor=request.state.actor,
        backend=request.app.state.search,
        text=params.get("q", ""),
        filters=filters,
        timezone=request.app.state.settings.timezone,
    )
    return JSONResponse(
        {
            "results": [hit(found) for found in outcome.hits],
            "page": filters.page,
            "has_more": outcome.has_more,
        }
    )
