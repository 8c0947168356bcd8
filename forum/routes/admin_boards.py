"""Administration of boards: list and create, edit (visibility, group, order), delete."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.access import Actor, access_site_admin
from forum.db import Database
from forum.errors import Conflict, InvalidInput
from forum.forms import Form, read_form
from forum.routes.navigation import see_other
from forum.services import boards as board_service
from forum.templating import render

NEW_BOARD_VALUES = {"visibility": "group"}


def _admin(request: Request) -> Actor:
    """The acting administrator; to anyone else these pages don't exist (404)."""
    actor: Actor = request.state.actor
    access_site_admin(actor)
    return actor


def _slug(request: Request) -> str:
    slug: str = request.path_params["slug"]
    return slug


def _fields(form: Form) -> dict[str, str]:
    return {
        "name": form.get("name"),
        "description": form.get("description"),
        "visibility": form.get("visibility"),
        "group_slug": form.get("group"),
        "position": form.get("position"),
    }


async def _boards_page(request: Request, status: int = 200, **context: object) -> Response:
    db: Database = request.app.state.db
    listing = await db.run_read(board_service.admin_list_boards, actor=request.state.actor)
    page: dict[str, object] = {
        "listing": listing,
        "values": NEW_BOARD_VALUES,
        "saved": request.query_params.get("saved", ""),
    }
    page.update(context)
    return render(request, "admin/boards.html", page, status)


async def boards_page(request: Request) -> Response:
    """Every board, private ones included, and the form creating one."""
    _admin(request)
    return await _boards_page(request)


async def create_board(request: Request) -> Response:
    """Create a board, then go to its page."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        board = await db.run_in_transaction(
            board_service.admin_save_board,
            actor=actor,
            slug=form.get("slug"),
            create=True,
            **_fields(form),
        )
    except InvalidInput as exc:
        return await _boards_page(request, 400, errors=exc.errors, values=form.values())
    except Conflict as exc:
        errors = {exc.field or "slug": exc.message}
        return await _boards_page(request, 409, errors=errors, values=form.values())
    return see_other(f"/admin/boards/{board.slug}?saved=created")


async def _board_page(request: Request, status: int = 200, **context: object) -> Response:
    db: Database = request.app.state.db
    detail = await db.run_read(
        board_service.admin_board_detail, actor=request.state.actor, slug=_slug(request)
    )
    board = detail.board
    group = next((g for g in detail.groups if g.id == board.group_id), None)
    values = {
        "name": board.name,
        "description": board.description,
        "visibility": board.visibility,
        "group": group.slug if group is not None else "",
        "position": str(board.position),
    }
    page: dict[str, object] = {
        "detail": detail,
        "group": group,
        "values": values,
        "delete_errors": {},
        "saved": request.query_params.get("saved", ""),
    }
    page.update(context)
    return render(request, "admin/board.html", page, status)


async def board_page(request: Request) -> Response:
    """One board: its settings and deletion."""
    _admin(request)
    return await _board_page(request)


async def update_board(request: Request) -> Response:
    """Save the board's name, description, visibility, group and position."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        await db.run_in_transaction(
            board_service.admin_save_board,
            actor=actor,
            slug=_slug(request),
            create=False,
            **_fields(form),
        )
    except InvalidInput as exc:
        return await _board_page(request, 400, errors=exc.errors, values=form.values())
    return see_other(f"/admin/boards/{_slug(request)}?saved=board")


async def delete_board(request: Request) -> Response:
    """Delete the board once confirmed."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        await db.run_in_transaction(
            board_service.admin_delete_board,
            actor=actor,
            slug=_slug(request),
            confirmed=form.flag("confirm"),
        )
    except InvalidInput as exc:
        return await _board_page(request, 400, delete_errors=exc.errors)
    return see_other("/admin/boards?saved=deleted")


BOARD = "/admin/boards/{slug}"
routes = [
    Route("/admin/boards", boards_page, methods=["GET"], name="admin_boards"),
    Route("/admin/boards", create_board, methods=["POST"]),
    Route(BOARD, board_page, methods=["GET"], name="admin_board"),
    Route(BOARD, update_board, methods=["POST"]),
    Route(BOARD + "/delete", delete_board, methods=["POST"]),
]
