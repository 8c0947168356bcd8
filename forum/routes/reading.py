"""Reading state pages: jump to the first unread post, and drafts saved as the member types."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.access import Actor
from forum.db import Database
from forum.errors import NotFound
from forum.forms import read_form
from forum.routes.navigation import see_other
from forum.services import drafts as draft_service
from forum.services import reading as reading_service


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _actor(request: Request) -> Actor:
    actor: Actor = request.state.actor
    return actor


async def first_unread(request: Request) -> Response:
    """To the page of a topic holding the member's first unread post (else its latest post)."""
    topic_id: int = request.path_params["topic_id"]
    page, post_id = await _db(request).run_read(
        reading_service.first_unread_location, _actor(request), topic_id
    )
    return see_other(f"/t/{topic_id}?page={page}#p{post_id}")


async def save_draft(request: Request) -> Response:
    """Autosave from drafts.js: a form with csrf_token, key, title and body; 204 when kept."""
    form = await read_form(request)
    actor = _actor(request)
    if not actor.is_authenticated:
        raise NotFound("drafts")
    await _db(request).run_in_transaction(
        draft_service.save_draft,
        actor=actor,
        key=form.get("key"),
        title=form.get("title"),
        body=form.get("body"),
    )
    return Response(status_code=204)


routes = [
    Route("/t/{topic_id:int}/unread", first_unread, methods=["GET"], name="topic_unread"),
    Route("/drafts", save_draft, methods=["POST"], name="drafts"),
]
