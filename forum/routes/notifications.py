"""Notification pages: the list, marking read, what notifies me, following a topic or a board.

Also the @mention autocompletion (JSON for mentions.js) and the /live stream's route. The
header's unread count is counted with the request's identity (forum.auth.middleware).
"""

from collections.abc import Hashable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum import live
from forum.access import Actor
from forum.db import Database
from forum.errors import NotFound
from forum.forms import read_form
from forum.mentions import suggest_mentions
from forum.pagination import parse_page
from forum.routes.navigation import client_ip, see_other
from forum.services import live_events
from forum.services import notifications as notification_service
from forum.services import watches as watch_service
from forum.templating import render
from forum.urls import parse_id


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _member(request: Request) -> Actor:
    actor: Actor = request.state.actor
    if not actor.is_authenticated:
        raise NotFound("notifications")
    return actor


def _back(request: Request, form_next: str, default: str) -> Response:
    """Back to a page of this site (only local paths are followed)."""
    local = form_next.startswith("/") and not form_next.startswith("//") and "\\" not in form_next
    target = form_next if local else default
    return see_other(target)


# --- the list ---------------------------------------------------------------------------------


async def notifications_page(request: Request) -> Response:
    """My notifications, newest first (?unread=1: unread only), with pages."""
    actor = _member(request)
    unread_only = request.query_params.get("unread") == "1"
    page = await _db(request).run_read(
        notification_service.notification_page,
        actor,
        parse_page(request.query_params.get("page")),
        unread_only=unread_only,
    )
    return render(request, "notifications.html", {"page": page})


async def open_notification(request: Request) -> Response:
    """Mark a notification read and go to its post."""
    actor = _member(request)
    await read_form(request)
    found = await _db(request).run_in_transaction(
        notification_service.mark_read,
        actor=actor,
        notification_id=request.path_params["notification_id"],
    )
    await live.publish_count(request.app.state, actor.user_id or 0)
    return see_other(f"/p/{found.post_id}")


async def read_notification(request: Request) -> Response:
    """Mark one notification read, and come back to the list."""
    actor = _member(request)
    form = await read_form(request)
    await _db(request).run_in_transaction(
        notification_service.mark_read,
        actor=actor,
        notification_id=request.path_params["notification_id"],
    )
    await live.publish_count(request.app.state, actor.user_id or 0)
    return _back(request, form.get("next"), "/notifications")


async def read_all(request: Request) -> Response:
    """Mark all my notifications read."""
    actor = _member(request)
    form = await read_form(request)
    await _db(request).run_in_transaction(notification_service.mark_all_read, actor=actor)
    await live.publish_count(request.app.state, actor.user_id or 0)
    return _back(request, form.get("next"), "/notifications")


# --- what notifies me -------------------------------------------------------------------------


async def settings_form(request: Request) -> Response:
    """The choices of what notifies me, and the topics and boards I follow."""
    actor = _member(request)
    page = await _db(request).run_read(watch_service.settings_page, actor)
    saved = request.query_params.get("saved") == "1"
    return render(request, "notifications_settings.html", {"page": page, "saved": saved})


async def save_settings(request: Request) -> Response:
    """Save the choices (checked boxes are on)."""
    actor = _member(request)
    form = await read_form(request)
    chosen = {name for name in watch_service.SETTING_NAMES if form.flag(name)}
    await _db(request).run_in_transaction(watch_service.save_settings, actor=actor, chosen=chosen)
    return see_other("/account/notifications?saved=1")


async def topic_following(request: Request) -> Response:
    """Follow, mute or leave as is one topic: the current choice and the buttons."""
    actor = _member(request)
    following = await _db(request).run_read(
        watch_service.topic_following, actor, request.path_params["topic_id"]
    )
    context: dict[str, Any] = {"following": following, "levels": watch_service.TOPIC_LEVELS}
    return render(request, "notifications_topic.html", context)


async def set_topic_following(request: Request) -> Response:
    """Change my choice for a topic."""
    actor = _member(request)
    form = await read_form(request)
    topic_id: int = request.path_params["topic_id"]
    await _db(request).run_in_transaction(
        watch_service.set_topic_level, actor=actor, topic_id=topic_id, level=form.get("level")
    )
    return _back(request, form.get("next"), f"/t/{topic_id}/notifications")


async def board_following(request: Request) -> Response:
    """Watch a board or stop: the current choice and the button."""
    actor = _member(request)
    following = await _db(request).run_read(
        watch_service.board_following, actor, request.path_params["slug"]
    )
    return render(request, "notifications_board.html", {"following": following})


async def set_board_following(request: Request) -> Response:
    """Start or stop watching a board."""
    actor = _member(request)
    form = await read_form(request)
    slug: str = request.path_params["slug"]
    await _db(request).run_in_transaction(
        watch_service.set_board_watch, actor=actor, slug=slug, watching=form.get("watch") == "1"
    )
    return _back(request, form.get("next"), f"/b/{slug}/notifications")


# --- autocompletion ---------------------------------------------------------------------------


async def mention_suggestions(request: Request) -> Response:
    """GET /mentions?q=prefix: members and groups to complete an @ (signed-in members only)."""
    actor = _member(request)
    found = await _db(request).run_read(suggest_mentions, actor, request.query_params.get("q", ""))
    return JSONResponse(
        {"suggestions": [{"kind": s.kind, "name": s.name, "label": s.label} for s in found]}
    )


# --- live ------------------------------------------------------------------------------------


def _topic_param(request: Request) -> int | None:
    raw = request.query_params.get("topic")
    if raw is None:
        return None
    number = parse_id(raw)
    if number is None:
        raise NotFound("topic")
    return number


async def live_stream(request: Request) -> Response:
    """GET /live[?topic=ID]: server-sent events (count for members, new posts of a topic)."""
    actor: Actor = request.state.actor
    db = _db(request)
    topic_id = _topic_param(request)
    session_id = request.state.session_id if request.state.auth_kind == "session" else None
    member = actor.user_id is not None and session_id is not None
    if topic_id is not None:
        await db.run_read(live_events.open_topic_stream, actor, topic_id)
    elif not member:
        raise NotFound("live")  # nothing to follow: no topic, no notifications of theirs
    if request.method == "HEAD":  # the headers only: no stream to hold open
        return Response(media_type="text/event-stream", headers={"Cache-Control": "no-store"})
    key: Hashable = ("member", actor.user_id)
    limit = live.MAX_STREAMS_PER_MEMBER
    if not member:
        key, limit = ("address", client_ip(request)), live.MAX_STREAMS_PER_ADDRESS
    return live.open_stream(
        request.app.state.live,
        db,
        key=key,
        limit=limit,
        user_id=actor.user_id if member else None,
        session_id=session_id if member else None,
        topic_id=topic_id,
    )


routes = [
    Route("/notifications", notifications_page, methods=["GET"], name="notifications"),
    Route("/notifications/read-all", read_all, methods=["POST"], name="notifications_read_all"),
    Route("/notifications/{notification_id:int}/open", open_notification, methods=["POST"]),
    Route("/notifications/{notification_id:int}/read", read_notification, methods=["POST"]),
    Route("/account/notifications", settings_form, methods=["GET"], name="notification_settings"),
    Route("/account/notifications", save_settings, methods=["POST"]),
    Route("/t/{topic_id:int}/notifications", topic_following, methods=["GET"], name="topic_follow"),
    Route("/t/{topic_id:int}/notifications", set_topic_following, methods=["POST"]),
    Route("/b/{slug}/notifications", board_following, methods=["GET"], name="board_follow"),
    Route("/b/{slug}/notifications", set_board_following, methods=["POST"]),
    Route("/mentions", mention_suggestions, methods=["GET"], name="mentions"),
    Route("/live", live_stream, methods=["GET"], name="live"),
]
