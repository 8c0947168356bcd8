"""Home page, board pages, language choice and the health check."""

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum import i18n
from forum.access import Actor
from forum.auth.middleware import LANGUAGE_COOKIE, read_as_member
from forum.db import Database
from forum.forms import read_form
from forum.pagination import parse_page
from forum.routes.navigation import safe_next, see_other
from forum.services import documents as document_service
from forum.services import reading as reading_service
from forum.services import users as user_service
from forum.templating import render


async def home(request: Request) -> Response:
    """The boards the visitor can see: their groups first, then the common area."""
    db: Database = request.app.state.db
    actor: Actor = request.state.actor
    home_page = await db.run_read(reading_service.home_reading, actor)
    context = {"overview": home_page.overview, "new_boards": home_page.new_boards}
    return render(request, "home.html", context)


def _board_and_documents(
    session: Session, actor: Actor, slug: str, page: int
) -> tuple[reading_service.BoardReading, list[document_service.DocumentRow]]:
    reading = reading_service.board_reading(session, actor, slug, page)  # checks access
    board = reading.listing.page.board
    return reading, document_service.documents_of_board(session, board, archived=True)


async def board(request: Request) -> Response:
    """A board's page and a page of its topics; a hidden board is a 404."""
    reading, documents = await read_as_member(
        request,
        _board_and_documents,
        request.path_params["slug"],
        parse_page(request.query_params.get("page")),
    )
    listing = reading.listing
    context = {
        "page": listing.page,
        "listing": listing,
        "unread": reading.unread,
        "documents": documents,
    }
    return render(request, "board.html", context)


async def language(request: Request) -> Response:
    """Switch the interface language (kept in the profile for members, in a cookie otherwise)."""
    form = await read_form(request)
    choice = form.get("locale")
    target = see_other(safe_next(form.get("next")))
    if choice not in i18n.LOCALES:
        return target
    actor: Actor = request.state.actor
    if actor.user_id is not None:
        db: Database = request.app.state.db
        await db.run_in_transaction(user_service.set_locale, user_id=actor.user_id, locale=choice)
    settings = request.app.state.settings
    target.set_cookie(
        LANGUAGE_COOKIE,
        choice,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return target


async def healthz(request: Request) -> Response:
    """Liveness and database check for monitors and installers."""
    db: Database = request.app.state.db
    await db.run_read(user_service.admin_exists)
    return JSONResponse({"status": "ok"})


routes = [
    Route("/", home, name="home"),
    Route("/b/{slug}", board, name="board"),
    Route("/language", language, methods=["POST"], name="language"),
    Route("/healthz", healthz, name="healthz"),
]
