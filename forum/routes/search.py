"""The search page, /recherche: a form, then results with highlighted snippets."""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.db import Database
from forum.errors import InvalidInput
from forum.services import search as search_service
from forum.templating import render

FIELDS = ("q", "board", "author", "from", "to")
MAX_FIELD = 1000


def _page_url(values: dict[str, str], page: int) -> str:
    query = {k: v for k, v in values.items() if v}
    if page > 1:
        query["page"] = str(page)
    return "/recherche?" + urlencode(query)


async def search_page(request: Request) -> Response:
    """Search what the visitor may read; wrong filters are shown on the form."""
    values = {name: request.query_params.get(name, "")[:MAX_FIELD] for name in FIELDS}
    errors: dict[str, str] = {}
    try:
        filters = search_service.filters_from_params(request.query_params, form=True)
    except InvalidInput as exc:
        errors = exc.errors
        filters = search_service.SearchFilters()
    db: Database = request.app.state.db
    outcome = await db.run_read(
        search_service.search_for,
        actor=request.state.actor,
        backend=request.app.state.search,
        text="" if errors else values["q"],
        filters=filters,
        timezone=request.app.state.settings.timezone,
    )
    page = filters.page
    context = {
        "outcome": outcome,
        "values": values,
        "errors": errors,
        "searched": bool(values["q"].strip()) and not errors,
        "previous_url": _page_url(values, page - 1) if page > 1 else None,
        "next_url": _page_url(values, page + 1) if outcome.has_more else None,
    }
    return render(request, "search.html", context, 400 if errors else 200)


routes = [Route("/recherche", search_page, methods=["GET"], name="search")]
