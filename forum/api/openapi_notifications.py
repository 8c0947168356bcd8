"""The OpenAPI description of the caller's notifications (merged by forum.api.openapi)."""

from forum.api.notifications import MAX_PAGE
from forum.api.openapi import JSON, SIGNED_IN, _error, _json, _ref
from forum.models import NotificationKind
from forum.services.notifications import PER_PAGE

NO_MEMBER = _error("Not signed in, or the bearer token is unknown or revoked.")
CSRF = "Cookie sessions must send the X-CSRF-Token header; tokens need not."

SCHEMAS: dict[str, JSON] = {
    "Notification": {
        "type": "object",
        "description": (
            "A post the caller should hear about. Notifications of posts the caller may no "
            "longer read (deleted, hidden, or in a board they lost access to) are left out."
        ),
        "required": [
            "id",
            "kind",
            "topic_id",
            "topic_title",
            "post_id",
            "url",
            "actor",
            "created_at",
            "read",
        ],
        "properties": {
            "id": {"type": "integer"},
            "kind": {
                "enum": [kind.value for kind in NotificationKind],
                "description": "Why: a mention of the caller or of one of their groups, a reply "
                "to their post or in their topic, a watched topic or board.",
            },
            "topic_id": {"type": "integer"},
            "topic_title": {"type": "string"},
            "post_id": {"type": "integer"},
            "url": {"type": "string", "description": "Stable link to the post's page."},
            "actor": {
                "oneOf": [_ref("Author"), {"type": "null"}],
                "description": "Who wrote the post.",
            },
            "created_at": {"type": "string", "format": "date-time"},
            "read": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
    "NotificationList": {
        "type": "object",
        "required": ["page", "pages", "total", "unread", "notifications"],
        "properties": {
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "total": {"type": "integer", "description": "Notifications matching the filter."},
            "unread": {"type": "integer", "description": "Unread notifications in all."},
            "notifications": {"type": "array", "items": _ref("Notification")},
        },
        "additionalProperties": False,
    },
    "NotificationRead": {
        "type": "object",
        "required": ["id", "read"],
        "properties": {"id": {"type": "integer"}, "read": {"const": True}},
        "additionalProperties": False,
    },
    "NotificationsMarked": {
        "type": "object",
        "required": ["marked"],
        "properties": {"marked": {"type": "integer", "description": "How many were unread."}},
        "additionalProperties": False,
    },
}

PATHS: dict[str, JSON] = {
    "/notifications": {
        "get": {
            "operationId": "listNotifications",
            "summary": f"The caller's notifications, newest first, {PER_PAGE} a page.",
            "security": SIGNED_IN,
            "parameters": [
                {
                    "name": "page",
                    "in": "query",
                    "required": False,
                    "description": "Page number, from 1; past the end: the last page.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                },
                {
                    "name": "unread",
                    "in": "query",
                    "required": False,
                    "description": "true: unread notifications only.",
                    "schema": {"type": "boolean"},
                },
            ],
            "responses": {
                "200": _json("One page of notifications.", _ref("NotificationList")),
                "401": NO_MEMBER,
                "422": _error("`unread` is neither true nor false, or `page` is not valid."),
            },
        },
    },
    "/notifications/read-all": {
        "post": {
            "operationId": "markAllNotificationsRead",
            "summary": "Mark every notification of the caller read.",
            "description": CSRF,
            "security": SIGNED_IN,
            "responses": {
                "200": _json("How many were marked.", _ref("NotificationsMarked")),
                "401": NO_MEMBER,
                "403": _error("A cookie session without its X-CSRF-Token header."),
            },
        },
    },
    "/notifications/{notification_id}/read": {
        "parameters": [
            {
                "name": "notification_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            }
        ],
        "post": {
            "operationId": "markNotificationRead",
            "summary": "Mark one of the caller's notifications read.",
            "description": CSRF,
            "security": SIGNED_IN,
            "responses": {
                "200": _json("The notification, now read.", _ref("NotificationRead")),
                "401": NO_MEMBER,
                "403": _error("A cookie session without its X-CSRF-Token header."),
                "404": _error(
                    "No such notification, someone else's, or about a post the caller may no "
                    "longer read (indistinguishable)."
                ),
            },
        },
    },
}
