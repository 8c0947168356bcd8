"""JSON API routes under /api/v1: thin handlers, one service call each, JSON out."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from forum.access import Actor
from forum.api import documents as document_api
from forum.api import files as file_api
from forum.api import notifications as notification_api
from forum.api import polls as poll_api
from forum.api import search as search_api
from forum.api import serialize
from forum.api import topics as topic_api
from forum.api.openapi import openapi_document
from forum.db import Database
from forum.i18n import gettext as _
from forum.services import accounts as account_service
from forum.services import boards as board_service
from forum.services import directory as directory_service
from forum.services import organisations as organisation_service


def unauthenticated() -> Response:
    """401 for a route that needs a member, with the challenge a client expects."""
    return JSONResponse(
        {
            "error": "unauthenticated",
            "message": _("Connectez-vous ou présentez un jeton d'accès."),
        },
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def me(request: Request) -> Response:
    """The caller's account and groups; anonymous callers get 401."""
    actor: Actor = request.state.actor
    if actor.user_id is None:
        return unauthenticated()
    db: Database = request.app.state.db
    overview = await db.run_read(account_service.account_overview, user_id=actor.user_id)
    return JSONResponse(serialize.me(overview))


async def list_boards(request: Request) -> Response:
    """The boards the caller may read, with what they may do in each."""
    db: Database = request.app.state.db
    pages = await db.run_read(board_service.visible_board_pages, request.state.actor)
    return JSONResponse([serialize.board(page) for page in pages])


async def get_board(request: Request) -> Response:
    """One board; missing and hidden boards are the same 404."""
    db: Database = request.app.state.db
    page = await db.run_read(
        board_service.board_page, request.state.actor, request.path_params["slug"]
    )
    return JSONResponse(serialize.board(page))


def _param(request: Request, name: str) -> str:
    return request.query_params.get(name, "").strip()[:120]


async def list_members(request: Request) -> Response:
    """The directory, filtered; anonymous callers get 401."""
    actor: Actor = request.state.actor
    if actor.user_id is None:
        return unauthenticated()
    filters = directory_service.MemberFilters(
        **{name: _param(request, name) for name in ("q", "territory", "activity", "organisation")}
    )
    db: Database = request.app.state.db
    cards = await db.run_read(directory_service.find_members, actor=actor, filters=filters)
    return JSONResponse({"members": [serialize.member(card) for card in cards]})


async def list_organisations(request: Request) -> Response:
    """The member organisations, filtered; anonymous callers get 401."""
    actor: Actor = request.state.actor
    if actor.user_id is None:
        return unauthenticated()
    search = {name: _param(request, name) for name in ("q", "territory", "activity")}
    db: Database = request.app.state.db
    rows = await db.run_read(organisation_service.find_organisations, actor=actor, **search)
    return JSONResponse({"organisations": [serialize.organisation(row) for row in rows]})


async def openapi(request: Request) -> Response:
    """The OpenAPI document, as JSON."""
    return JSONResponse(openapi_document())


def routes() -> list[BaseRoute]:
    """Every route of /api/v1 (each one described in forum.api.openapi)."""
    return [
        Route("/me", me, methods=["GET"], name="api_me"),
        Route("/boards", list_boards, methods=["GET"], name="api_boards"),
        Route("/boards/{slug}", get_board, methods=["GET"], name="api_board"),
        Route("/members", list_members, methods=["GET"], name="api_members"),
        Route("/organisations", list_organisations, methods=["GET"], name="api_organisations"),
        Route("/search", search_api.search, methods=["GET"], name="api_search"),
        Route("/openapi.json", openapi, methods=["GET"], name="api_openapi"),
        *topic_api.routes(),
        *file_api.routes(),
        *poll_api.routes(),
        *document_api.routes(),
        *notification_api.routes(),
    ]
