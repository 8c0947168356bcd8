"""JSON API routes under /api/v1: thin handlers, one service call each, JSON out."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from forum.access import Actor
from forum.api import serialize
from forum.api.openapi import openapi_document
from forum.db import Database
from forum.i18n import gettext as _
from forum.services import accounts as account_service
from forum.services import boards as board_service


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


async def openapi(request: Request) -> Response:
    """The OpenAPI document, as JSON."""
    return JSONResponse(openapi_document())


def routes() -> list[BaseRoute]:
    """Every route of /api/v1 (each one described in forum.api.openapi)."""
    return [
        Route("/me", me, methods=["GET"], name="api_me"),
        Route("/boards", list_boards, methods=["GET"], name="api_boards"),
        Route("/boards/{slug}", get_board, methods=["GET"], name="api_board"),
        Route("/openapi.json", openapi, methods=["GET"], name="api_openapi"),
    ]
