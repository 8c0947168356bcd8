"""Moderation pages and actions: pin, lock, move, delete, split, hide; reports and their queue.

Each action is a POST form (CSRF-checked by read_form) running one service call, then a 303
back to the topic; search is brought up to date after the commit.
"""

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import indexing
from forum.access import Actor
from forum.db import Database
from forum.errors import InvalidInput
from forum.forms import Form, read_form
from forum.models import Post, Topic
from forum.routes.navigation import see_other
from forum.services import moderation as service
from forum.services import topic_views
from forum.templating import render


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _actor(request: Request) -> Actor:
    actor: Actor = request.state.actor
    return actor


def _topic_id(request: Request) -> int:
    topic_id: int = request.path_params["topic_id"]
    return topic_id


def _post_id(request: Request) -> int:
    post_id: int = request.path_params["post_id"]
    return post_id


def _ids(form: Form, name: str) -> list[int]:
    return [int(v) for v in form.getlist(name) if v.isdigit() and len(v) <= 18]


def _topic_flag(change: Callable[..., Topic], flag: str, value: bool) -> Callable[[Request], Any]:
    """A handler that sets one boolean of a topic (pinned, locked)."""

    async def handler(request: Request) -> Response:
        await read_form(request)
        topic_id = _topic_id(request)
        kwargs = {flag: value}
        await _db(request).run_in_transaction(
            change, actor=_actor(request), topic_id=topic_id, **kwargs
        )
        return see_other(f"/t/{topic_id}")

    return handler


async def move(request: Request) -> Response:
    """Move a topic to another board the moderator moderates."""
    form = await read_form(request)
    topic = await _db(request).run_in_transaction(
        service.move_topic,
        actor=_actor(request),
        topic_id=_topic_id(request),
        board_slug=form.get("board"),
    )
    assert topic.id is not None
    await indexing.move_topic(request.app.state, topic.id, topic.board_id)
    return see_other(f"/t/{topic.id}")


async def delete_topic(request: Request) -> Response:
    """Delete a topic softly; back to its board."""
    await read_form(request)
    topic = await _db(request).run_in_transaction(
        service.delete_topic, actor=_actor(request), topic_id=_topic_id(request)
    )
    assert topic.id is not None
    await indexing.remove_topic(request.app.state, topic.id)
    return see_other(f"/t/{topic.id}" if _actor(request).is_admin else "/")


async def restore_topic(request: Request) -> Response:
    """Bring back a deleted topic (administrators)."""
    await read_form(request)
    topic = await _db(request).run_in_transaction(
        service.restore_topic, actor=_actor(request), topic_id=_topic_id(request)
    )
    assert topic.id is not None
    await indexing.reindex_topic(request.app.state, topic.id, topic.first_post_id)
    return see_other(f"/t/{topic.id}")


async def _split_page(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    chosen: list[int] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    view = await _db(request).run_read(
        service.split_form, actor=_actor(request), topic_id=_topic_id(request)
    )
    context = {
        "view": view,
        "values": values or {"board": view.board.slug},
        "chosen": set(chosen or []),
        "errors": errors or {},
    }
    return render(request, "moderation_split.html", context, status)


async def split_form(request: Request) -> Response:
    """The form choosing which replies become a new topic."""
    return await _split_page(request)


async def split(request: Request) -> Response:
    """Split the chosen replies into a new topic."""
    form = await read_form(request)
    chosen = _ids(form, "post")
    try:
        result = await _db(request).run_in_transaction(
            service.split_posts,
            actor=_actor(request),
            topic_id=_topic_id(request),
            post_ids=chosen,
            title=form.get("title"),
            board_slug=form.get("board") or None,
        )
    except InvalidInput as exc:
        return await _split_page(
            request, values=form.values(), chosen=chosen, errors=exc.errors, status=400
        )
    new = result.topic
    assert new.id is not None
    await indexing.index_posts(
        request.app.state, result.moved_post_ids, first_post_id=new.first_post_id
    )
    return see_other(f"/t/{new.id}")


def _post_flag(hidden: bool) -> Callable[[Request], Any]:
    """A handler hiding or showing again a post."""

    async def handler(request: Request) -> Response:
        await read_form(request)
        post: Post = await _db(request).run_in_transaction(
            service.set_post_hidden, actor=_actor(request), post_id=_post_id(request), hidden=hidden
        )
        assert post.id is not None
        if hidden:
            await indexing.unindex_post(request.app.state, post.id)
        else:
            await indexing.index_post(request.app.state, post.id, with_topic=post.number == 1)
        return see_other(f"/p/{post.id}")

    return handler


async def _report_page(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    actor = _actor(request)
    db = _db(request)
    post = await db.run_read(service.reportable_post, actor=actor, post_id=_post_id(request))
    assert post.id is not None
    view = await db.run_read(topic_views.get_post, actor, post.id)
    context = {
        "post": view,
        "values": values or {},
        "errors": errors or {},
        "reason_max": service.REASON_MAX,
    }
    return render(request, "moderation_report.html", context, status)


async def report_form(request: Request) -> Response:
    """The form reporting a post to the moderators."""
    return await _report_page(request)


async def report(request: Request) -> Response:
    """Send a report; errors re-render the form with the text kept."""
    form = await read_form(request)
    try:
        await _db(request).run_in_transaction(
            service.report_post,
            actor=_actor(request),
            post_id=_post_id(request),
            reason=form.get("reason"),
        )
    except InvalidInput as exc:
        return await _report_page(request, values=form.values(), errors=exc.errors, status=400)
    return see_other(f"/p/{_post_id(request)}")


async def queue(request: Request) -> Response:
    """Open reports in the boards the actor moderates."""
    items = await _db(request).run_read(service.moderation_queue, actor=_actor(request))
    return render(request, "moderation_queue.html", {"items": items})


async def resolve(request: Request) -> Response:
    """Close a report; back to the queue."""
    await read_form(request)
    report_id: int = request.path_params["report_id"]
    await _db(request).run_in_transaction(
        service.resolve_report, actor=_actor(request), report_id=report_id
    )
    return see_other("/moderation")


routes = [
    Route(
        "/t/{topic_id:int}/pin", _topic_flag(service.set_pinned, "pinned", True), methods=["POST"]
    ),
    Route(
        "/t/{topic_id:int}/unpin",
        _topic_flag(service.set_pinned, "pinned", False),
        methods=["POST"],
    ),
    Route(
        "/t/{topic_id:int}/lock", _topic_flag(service.set_locked, "locked", True), methods=["POST"]
    ),
    Route(
        "/t/{topic_id:int}/unlock",
        _topic_flag(service.set_locked, "locked", False),
        methods=["POST"],
    ),
    Route("/t/{topic_id:int}/move", move, methods=["POST"]),
    Route("/t/{topic_id:int}/delete", delete_topic, methods=["POST"]),
    Route("/t/{topic_id:int}/restore", restore_topic, methods=["POST"]),
    Route("/t/{topic_id:int}/split", split_form, methods=["GET"], name="topic_split"),
    Route("/t/{topic_id:int}/split", split, methods=["POST"]),
    Route("/p/{post_id:int}/hide", _post_flag(True), methods=["POST"]),
    Route("/p/{post_id:int}/restore", _post_flag(False), methods=["POST"]),
    Route("/p/{post_id:int}/report", report_form, methods=["GET"], name="post_report"),
    Route("/p/{post_id:int}/report", report, methods=["POST"]),
    Route("/moderation", queue, methods=["GET"], name="moderation"),
    Route("/moderation/reports/{report_id:int}/resolve", resolve, methods=["POST"]),
]
