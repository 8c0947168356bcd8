"""Poll pages: a poll on its own page, voting (and changing one's vote), closing early.

Both actions are plain POST forms (CSRF-checked by read_form) that go back to the post
carrying the poll; a refused vote re-renders the poll on its own page with the reason.
"""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.access import Actor
from forum.db import Database
from forum.errors import InvalidInput
from forum.forms import read_form
from forum.models import Post
from forum.pagination import page_of
from forum.routes.navigation import see_other
from forum.services import poll_views
from forum.services import polls as poll_service
from forum.services.post_views import POSTS_PER_PAGE
from forum.templating import render


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _actor(request: Request) -> Actor:
    actor: Actor = request.state.actor
    return actor


def _poll_id(request: Request) -> int:
    poll_id: int = request.path_params["poll_id"]
    return poll_id


def _back_to(post: Post) -> Response:
    """To the post's place in its topic."""
    page = page_of(post.number, POSTS_PER_PAGE)
    return see_other(f"/t/{post.topic_id}?page={page}#p{post.id}")


def option_ids(values: list[str]) -> list[int]:
    """Chosen option ids; anything that is not an id becomes one that matches no option."""
    return [int(v) if v.isascii() and v.isdigit() and len(v) <= 18 else 0 for v in values]


async def _page(request: Request, *, error: str = "", status: int = 200) -> Response:
    page = await _db(request).run_read(poll_views.poll_page, _actor(request), _poll_id(request))
    context = {"page": page, "poll_error": error}
    return render(request, "poll.html", context, status)


async def show(request: Request) -> Response:
    """A poll on its own page (the same block as in its topic)."""
    return await _page(request)


async def vote(request: Request) -> Response:
    """Record the member's choice; a refused one shows the poll again with the reason."""
    form = await read_form(request)
    try:
        post = await _db(request).run_in_transaction(
            poll_service.cast_vote,
            actor=_actor(request),
            poll_id=_poll_id(request),
            option_ids=option_ids(form.getlist(poll_service.CHOICES)),
        )
    except InvalidInput as exc:
        return await _page(request, error="; ".join(exc.errors.values()), status=400)
    return _back_to(post)


async def close(request: Request) -> Response:
    """Close the poll now (its post's author or a moderator)."""
    await read_form(request)
    post = await _db(request).run_in_transaction(
        poll_service.close_poll, actor=_actor(request), poll_id=_poll_id(request)
    )
    return _back_to(post)


routes = [
    Route("/polls/{poll_id:int}", show, methods=["GET"], name="poll"),
    Route("/polls/{poll_id:int}/vote", vote, methods=["POST"], name="poll_vote"),
    Route("/polls/{poll_id:int}/close", close, methods=["POST"], name="poll_close"),
]
