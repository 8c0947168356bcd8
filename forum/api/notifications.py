"""JSON API for the caller's notifications: list (paginated, unread filter), mark read."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from forum import live
from forum.access import Actor
from forum.api.serialize import iso_utc
from forum.db import Database
from forum.errors import InvalidInput, NotFound
from forum.i18n import gettext as _
from forum.models import Notification
from forum.services import notifications as notification_service
from forum.services.notifications import NotificationView
from forum.urls import parse_id

JSON = dict[str, Any]
MAX_PAGE = 1_000_000


def item_json(item: NotificationView) -> JSON:
    """A notification as the API shows it."""
    return {
        "id": item.id,
        "kind": item.kind,
        "topic_id": item.topic_id,
        "topic_title": item.topic_title,
        "post_id": item.post_id,
        "url": f"/p/{item.post_id}",
        "actor": (
            None
            if item.actor is None
            else {"id": item.actor.id, "display_name": item.actor.display_name}
        ),
        "created_at": iso_utc(item.created_at),
        "read": item.read,
    }


def _unauthenticated() -> Response:
    return JSONResponse(
        {"error": "unauthenticated", "message": _("Connectez-vous ou présentez un jeton d'accès.")},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def list_notifications(request: Request) -> Response:
    """A page of the caller's notifications, newest first."""
    actor: Actor = request.state.actor
    if actor.user_id is None:
        return _unauthenticated()
    unread = request.query_params.get("unread", "false")
    if unread not in ("true", "false"):
        raise InvalidInput({"unread": _("Valeur attendue : true ou false.")})
    page_number = request.query_params.get("page", "1")
    if not page_number.isdigit() or not 1 <= int(page_number) <= MAX_PAGE:
        raise InvalidInput({"page": _("Numéro de page invalide.")})
    page = await _db(request).run_read(
        notification_service.notification_page,
        actor,
        int(page_number),
        unread_only=unread == "true",
    )
    return JSONResponse(
        {
            "page": page.pagination.number,
            "pages": page.pagination.count,
            "total": page.total,
            "unread": page.unread,
            "notifications": [item_json(item) for item in page.items],
        }
    )


def _notification_id(request: Request) -> int:
    raw = str(request.path_params["notification_id"])
    number = parse_id(raw)
    if number is None:
        raise NotFound(raw)
    return number


async def read_one(request: Request) -> Response:
    """Mark one notification read."""
    actor: Actor = request.state.actor
    if actor.user_id is None:
        return _unauthenticated()
    found: Notification = await _db(request).run_in_transaction(
        notification_service.mark_read, actor=actor, notification_id=_notification_id(request)
    )
    await live.publish_count(request.app.state, actor.user_id)
    return JSONResponse({"id": found.id, "read": True})


async def read_all(request: Request) -> Response:
    """Mark every notification of the caller read."""
    actor: Actor = request.state.actor
    if actor.user_id is None:
        return _unauthenticated()
    marked = await _db(request).run_in_transaction(notification_service.mark_all_read, actor=actor)
    await live.publish_count(request.app.state, actor.user_id)
    return JSONResponse({"marked": marked})


def routes() -> list[BaseRoute]:
    """The notification routes of /api/v1 (described in forum.api.openapi_notifications)."""
    return [
        Route("/notifications", list_notifications, methods=["GET"], name="api_notifications"),
        Route("/notifications/read-all", read_all, methods=["POST"], name="api_notifications_read"),
        Route(
            "/notifications/{notification_id}/read",
            read_one,
            methods=["POST"],
            name="api_notification_read",
        ),
    ]
