"""The OpenAPI description of documents under /api/v1 (merged by forum.api.openapi)."""

from forum.api.openapi import (
    ANYONE,
    BAD_TOKEN,
    JSON,
    SIGNED_IN,
    SLUG_PARAMETER,
    _error,
    _json,
    _ref,
)
from forum.services.document_versions import NAME_MAX
from forum.services.documents import TITLE_MAX, TITLE_MIN

_DATE = {"type": "string", "format": "date-time"}
_SUMMARY_FIELDS: JSON = {
    "id": {"type": "integer", "description": "Also the room name on the WebSocket."},
    "title": {"type": "string"},
    "board": _ref("BoardRef"),
    "topic_id": {"type": ["integer", "null"], "description": "Its discussion topic."},
    "url": {"type": "string", "description": "The document's page."},
    "ws_url": {
        "type": "string",
        "description": "For Yjs: `new WebsocketProvider(ws_url, String(id), doc)`.",
    },
    "websocket_url": {
        "type": "string",
        "description": (
            "The y-websocket endpoint of this document (ws_url/id). Authenticate with "
            "`Authorization: Bearer` or `?token=`; browsers with their session cookie, from "
            "the forum's origin. Refusals are HTTP 403; losing access closes with 4403."
        ),
    },
    "created_at": _DATE,
    "updated_at": _DATE,
    "archived": {"type": "boolean", "description": "Archived documents are read-only."},
}

SCHEMAS: dict[str, JSON] = {
    "DocumentSummary": {
        "type": "object",
        "required": list(_SUMMARY_FIELDS),
        "properties": _SUMMARY_FIELDS,
        "additionalProperties": False,
    },
    "Document": {
        "type": "object",
        "required": [*_SUMMARY_FIELDS, "can_edit", "text", "html"],
        "properties": {
            **_SUMMARY_FIELDS,
            "can_edit": {"type": "boolean", "description": "May the caller change its text?"},
            "text": {"type": "string", "description": "Plain text, one line per paragraph."},
            "html": {"type": "string", "description": "Sanitised HTML rendered from the CRDT."},
        },
        "additionalProperties": False,
    },
    "DocumentList": {
        "type": "object",
        "required": ["board", "documents"],
        "properties": {
            "board": _ref("BoardRef"),
            "documents": {"type": "array", "items": _ref("DocumentSummary")},
        },
        "additionalProperties": False,
    },
    "NewDocument": {
        "type": "object",
        "required": ["title"],
        "properties": {
            "title": {
                "type": "string",
                "minLength": TITLE_MIN,
                "maxLength": TITLE_MAX,
                "pattern": r"\S\s*\S\s*\S|\S\s+\S",
                "description": f"{TITLE_MIN} to {TITLE_MAX} characters, spaces collapsed.",
            }
        },
    },
    "DocumentVersion": {
        "type": "object",
        "required": ["id", "name", "automatic", "author", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string", "description": "Empty for automatic versions."},
            "automatic": {"type": "boolean"},
            "author": {"type": ["string", "null"]},
            "created_at": _DATE,
        },
        "additionalProperties": False,
    },
    "DocumentVersionList": {
        "type": "object",
        "required": ["versions"],
        "properties": {"versions": {"type": "array", "items": _ref("DocumentVersion")}},
        "additionalProperties": False,
    },
    "NewDocumentVersion": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX, "pattern": r"\S"}
        },
    },
}

DOCUMENT_ID: JSON = {
    "name": "document_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
HIDDEN_BOARD = _error("No such board, or the caller may not see it.")
HIDDEN_DOCUMENT = _error("No such document, or the caller may not see it (indistinguishable).")
INVALID = _error("Invalid input; `fields` says what is wrong with each field.")
NO_MEMBER = _error("Not signed in, or the bearer token is unknown or revoked.")
REFUSED = _error("The caller may read but not write here.")
TOO_LARGE = _error("The request body is larger than 1 MB.")
COOKIE_CSRF = "Cookie sessions must send the X-CSRF-Token header; tokens need not."


def _body(schema: str) -> JSON:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


_FILE_TYPES = {
    "text/markdown": {"schema": {"type": "string"}},
    "text/html": {"schema": {"type": "string"}},
    "application/vnd.oasis.opendocument.text": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
        "schema": {"type": "string", "format": "binary"}
    },
}

PATHS: dict[str, JSON] = {
    "/boards/{slug}/documents": {
        "parameters": [SLUG_PARAMETER],
        "get": {
            "operationId": "listDocuments",
            "summary": "A board's documents, latest edited first.",
            "security": ANYONE,
            "parameters": [
                {
                    "name": "archived",
                    "in": "query",
                    "required": False,
                    "description": "1: include archived documents.",
                    "schema": {"enum": ["0", "1", "true", "false"]},
                }
            ],
            "responses": {
                "200": _json("The documents.", _ref("DocumentList")),
                "401": BAD_TOKEN,
                "404": HIDDEN_BOARD,
            },
        },
        "post": {
            "operationId": "createDocument",
            "summary": "Create an empty document, and its discussion topic, in a board.",
            "description": COOKIE_CSRF,
            "security": SIGNED_IN,
            "requestBody": _body("NewDocument"),
            "responses": {
                "201": _json("The new document.", _ref("DocumentSummary")),
                "401": NO_MEMBER,
                "403": REFUSED,
                "404": HIDDEN_BOARD,
                "413": TOO_LARGE,
                "422": INVALID,
            },
        },
    },
    "/documents/{document_id}": {
        "parameters": [DOCUMENT_ID],
        "get": {
            "operationId": "getDocument",
            "summary": "A document with its current text and HTML.",
            "security": ANYONE,
            "responses": {
                "200": _json("The document.", _ref("Document")),
                "401": BAD_TOKEN,
                "404": HIDDEN_DOCUMENT,
            },
        },
    },
    "/documents/{document_id}/export": {
        "parameters": [DOCUMENT_ID],
        "get": {
            "operationId": "exportDocument",
            "summary": "The document as a file (an attachment).",
            "security": ANYONE,
            "parameters": [
                {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "schema": {"enum": ["md", "html", "odt", "docx"], "default": "md"},
                }
            ],
            "responses": {
                "200": {"description": "The file.", "content": _FILE_TYPES},
                "401": BAD_TOKEN,
                "404": HIDDEN_DOCUMENT,
                "422": _error("Unknown format."),
            },
        },
    },
    "/documents/{document_id}/versions": {
        "parameters": [DOCUMENT_ID],
        "get": {
            "operationId": "listDocumentVersions",
            "summary": "A document's versions (named and automatic), newest first.",
            "security": ANYONE,
            "responses": {
                "200": _json("The versions.", _ref("DocumentVersionList")),
                "401": BAD_TOKEN,
                "404": HIDDEN_DOCUMENT,
            },
        },
        "post": {
            "operationId": "createDocumentVersion",
            "summary": "Save the document's current state under a name.",
            "description": COOKIE_CSRF,
            "security": SIGNED_IN,
            "requestBody": _body("NewDocumentVersion"),
            "responses": {
                "201": _json("The version.", _ref("DocumentVersion")),
                "401": NO_MEMBER,
                "403": REFUSED,
                "404": HIDDEN_DOCUMENT,
                "413": TOO_LARGE,
                "422": INVALID,
            },
        },
    },
}
