"""The OpenAPI 3.1 document of /api/v1, assembled from small schema dicts kept next to the code."""

from typing import Any

from forum.auth.middleware import SESSION_COOKIE
from forum.i18n import LOCALES
from forum.models import Role, Visibility
from forum.services.groups import SLUG_RE
from forum.services.search import MAX_PAGE

JSON = dict[str, Any]

API_PREFIX = "/api/v1"

# Responses are described strictly (no undeclared properties), so that the schema
# tests notice a field added to the code but not to this document.
SCHEMAS: dict[str, JSON] = {
    "Error": {
        "type": "object",
        "description": "Every error body: a short code and a message in the caller's language.",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "fields": {
                "type": "object",
                "description": "Per-field messages, for invalid input.",
                "additionalProperties": {"type": "string"},
            },
        },
        "additionalProperties": False,
    },
    "GroupRef": {
        "type": "object",
        "required": ["slug", "name"],
        "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
        "additionalProperties": False,
    },
    "GroupMembership": {
        "type": "object",
        "required": ["slug", "name", "role"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "role": {"enum": [r.value for r in Role]},
        },
        "additionalProperties": False,
    },
    "Permissions": {
        "type": "object",
        "description": "What the caller may do in the board.",
        "required": ["read", "post", "moderate", "administer"],
        "properties": {
            "read": {"const": True},
            "post": {"type": "boolean"},
            "moderate": {"type": "boolean"},
            "administer": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
    "Board": {
        "type": "object",
        "required": [
            "slug",
            "name",
            "description",
            "visibility",
            "group",
            "url",
            "created_at",
            "permissions",
        ],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "visibility": {"enum": [v.value for v in Visibility]},
            "group": {"oneOf": [{"$ref": "#/components/schemas/GroupRef"}, {"type": "null"}]},
            "url": {"type": "string", "description": "The board's page."},
            "created_at": {"type": "string", "format": "date-time"},
            "permissions": {"$ref": "#/components/schemas/Permissions"},
        },
        "additionalProperties": False,
    },
    "Me": {
        "type": "object",
        "required": [
            "id",
            "login",
            "display_name",
            "email",
            "is_admin",
            "locale",
            "created_at",
            "groups",
        ],
        "properties": {
            "id": {"type": "integer"},
            "login": {"type": "string"},
            "display_name": {"type": "string"},
            "email": {"type": ["string", "null"]},
            "is_admin": {"type": "boolean"},
            "locale": {"enum": [*LOCALES, None], "description": "null: follow the browser."},
            "created_at": {"type": "string", "format": "date-time"},
            "groups": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/GroupMembership"},
            },
        },
        "additionalProperties": False,
    },
}

SECURITY_SCHEMES: JSON = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token (fpat_…), created on the account page.",
    },
    "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
}

SIGNED_IN: list[JSON] = [{"bearer": []}, {"session": []}]
ANYONE: list[JSON] = [{}, *SIGNED_IN]


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: JSON) -> JSON:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> JSON:
    return _json(description, _ref("Error"))


BAD_TOKEN = _error("The bearer token is unknown or revoked.")
HIDDEN = _error("No such board, or the caller may not see it (the two are indistinguishable).")

SLUG_PARAMETER: JSON = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": SLUG_RE.pattern},
}


def _get(
    operation_id: str,
    summary: str,
    security: list[JSON],
    responses: JSON,
    parameters: list[JSON] | None = None,
) -> JSON:
    operation: JSON = {
        "operationId": operation_id,
        "summary": summary,
        "security": security,
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def _query(name: str, description: str) -> JSON:
    """An optional text filter in the query string (accents and case are ignored)."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


# Paths are relative to the server URL, /api/v1, as the routes are to their mount.
PATHS: dict[str, JSON] = {
    "/me": _get(
        "getMe",
        "The caller's account and groups.",
        SIGNED_IN,
        {
            "200": _json("The caller.", _ref("Me")),
            "401": _error("Not signed in, or the bearer token is unknown or revoked."),
        },
    ),
    "/boards": _get(
        "listBoards",
        "The boards the caller may read (anonymous callers: public boards only).",
        ANYONE,
        {
            "200": _json("Boards in display order.", {"type": "array", "items": _ref("Board")}),
            "401": BAD_TOKEN,
        },
    ),
    "/boards/{slug}": {
        "parameters": [SLUG_PARAMETER],
        **_get(
            "getBoard",
            "One board the caller may read.",
            ANYONE,
            {"200": _json("The board.", _ref("Board")), "401": BAD_TOKEN, "404": HIDDEN},
        ),
    },
    "/search": _get(
        "search",
        "Full-text search over the boards the caller may read, best matches first.",
        ANYONE,
        {
            "200": _json("One page of results (none for an empty q).", _ref("SearchResults")),
            "401": BAD_TOKEN,
            "422": _error("A date or the page number is not valid."),
        },
        [
            _query(
                "q",
                "Words to find, accents and case ignored; a word matches as a prefix, "
                '"a quoted phrase" exactly.',
            ),
            _query("board", "Only this board (a slug); a board the caller can't read: none."),
            _query("author", "Only by this member (a login)."),
            {
                "name": "from",
                "in": "query",
                "required": False,
                "description": "From this day on (site time zone).",
                "schema": {"type": "string", "format": "date"},
            },
            {
                "name": "to",
                "in": "query",
                "required": False,
                "description": "Up to and including this day (site time zone).",
                "schema": {"type": "string", "format": "date"},
            },
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
        ],
    ),
    "/openapi.json": _get(
        "getOpenApi",
        "This document.",
        ANYONE,
        {"200": _json("An OpenAPI 3.1 document.", {"type": "object"}), "401": BAD_TOKEN},
    ),
}


def openapi_document() -> JSON:
    """The OpenAPI document served at /api/v1/openapi.json."""
    # Imported here: openapi_topics and openapi_directory build on this module's helpers.
    from forum.api import (
        openapi_directory,
        openapi_documents,
        openapi_files,
        openapi_notifications,
        openapi_polls,
        openapi_topics,
    )

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Forum API",
            "version": "1",
            "description": (
                "Read the forum as a member. Authenticate with a personal access token "
                "(`Authorization: Bearer …`) or a browser session. Hidden and missing "
                "things answer the same 404."
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "paths": {
            **PATHS,
            **openapi_topics.PATHS,
            **openapi_directory.PATHS,
            **openapi_polls.PATHS,
            **openapi_files.PATHS,
            **openapi_documents.PATHS,
            **openapi_notifications.PATHS,
        },
        "components": {
            "schemas": {
                **SCHEMAS,
                **openapi_topics.SCHEMAS,
                **openapi_directory.SCHEMAS,
                **openapi_polls.SCHEMAS,
                **openapi_files.SCHEMAS,
                **openapi_documents.SCHEMAS,
                **openapi_notifications.SCHEMAS,
            },
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
