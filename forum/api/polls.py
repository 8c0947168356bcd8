"""JSON API for polls: read one, vote (or change one's vote), close it early (see openapi_polls)."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from forum.api import serialize
from forum.api.handling import database, path_id, read_payload, signed_in, unauthenticated
from forum.errors import InvalidInput
from forum.i18n import gettext as _
from forum.services import poll_views
from forum.services import polls as poll_service


async def _answer(request: Request, poll_id: int) -> Response:
    page = await database(request).run_read(poll_views.poll_page, request.state.actor, poll_id)
    return JSONResponse(serialize.poll(page.poll))


async def get_poll(request: Request) -> Response:
    """One poll, as the caller may see it."""
    return await _answer(request, path_id(request, "poll_id"))


async def vote(request: Request) -> Response:
    """Vote with {"options": [ids]}; the answer is the poll as the voter now sees it."""
    actor = signed_in(request)
    if actor is None:
        return unauthenticated()
    poll_id = path_id(request, "poll_id")
    data = await read_payload(request)
    options = data.get(poll_service.CHOICES)
    if not isinstance(options, list) or not all(
        isinstance(o, int) and not isinstance(o, bool) for o in options
    ):
        raise InvalidInput({poll_service.CHOICES: _("Liste de numéros de réponses attendue.")})
    await database(request).run_in_transaction(
        poll_service.cast_vote, actor=actor, poll_id=poll_id, option_ids=options
    )
    return await _answer(request, poll_id)


async def close(request: Request) -> Response:
    """Close the poll now (its post's author or a moderator of the board)."""
    actor = signed_in(request)
    if actor is None:
        return unauthenticated()
    poll_id = path_id(request, "poll_id")
    await database(request).run_in_transaction(
        poll_service.close_poll, actor=actor, poll_id=poll_id
    )
    return await _answer(request, poll_id)


def routes() -> list[BaseRoute]:
    """The poll routes of /api/v1."""
    return [
        Route("/polls/{poll_id}", get_poll, methods=["GET"], name="api_poll"),
        Route("/polls/{poll_id}/votes", vote, methods=["POST"], name="api_poll_votes"),
        Route("/polls/{poll_id}/close", close, methods=["POST"], name="api_poll_close"),
    ]
