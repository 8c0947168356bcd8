"""The OpenAPI description of files under /api/v1 (merged by forum.api.openapi)."""

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

_FILE_PROPERTIES: JSON = {
    "id": {"type": "string", "description": "Random public id (never the file's name)."},
    "name": {"type": "string", "description": "The original name, kept for download."},
    "size": {"type": "integer", "description": "Bytes."},
    "type": {"type": "string", "description": "Media type decided by sniffing the content."},
    "url": {
        "type": "string",
        "description": "Images: the re-encoded display size (no EXIF). Others: the download.",
    },
    "download_url": {"type": "string", "description": "The file as shared, as an attachment."},
    "thumbnail_url": {"type": "string", "description": "Images only: a small thumbnail."},
}

SCHEMAS: dict[str, JSON] = {
    "File": {
        "type": "object",
        "required": ["id", "name", "size", "type", "url", "download_url"],
        "properties": _FILE_PROPERTIES,
        "additionalProperties": False,
    },
    "LibraryFile": {
        "type": "object",
        "required": ["id", "name", "size", "type", "url", "download_url", "folder", "created_at"],
        "properties": {
            **_FILE_PROPERTIES,
            "folder": {"type": ["integer", "null"], "description": "Folder id; null: the root."},
            "created_at": {"type": "string", "format": "date-time"},
        },
        "additionalProperties": False,
    },
    "FileList": {
        "type": "object",
        "required": ["files"],
        "properties": {"files": {"type": "array", "items": _ref("LibraryFile")}},
        "additionalProperties": False,
    },
    "NewFile": {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "folder": {"type": "string", "pattern": "^[0-9]{1,18}$"},
        },
    },
}

HIDDEN_BOARD = _error("No such board, or the caller may not see it.")

PATHS: dict[str, JSON] = {
    "/boards/{slug}/files": {
        "parameters": [SLUG_PARAMETER],
        "get": {
            "operationId": "listFiles",
            "summary": "The live files of a board's library, newest first.",
            "security": ANYONE,
            "responses": {
                "200": _json("The files.", _ref("FileList")),
                "401": BAD_TOKEN,
                "404": HIDDEN_BOARD,
            },
        },
        "post": {
            "operationId": "uploadFile",
            "summary": "Add one file to a board's library (then attach it to posts by id).",
            "description": (
                "Accepted: JPEG, PNG, GIF, WebP, PDF, OpenDocument and Office files, zip, "
                "and .txt/.csv/.md text; decided from the content. Cookie sessions must send "
                "the X-CSRF-Token header; tokens need not."
            ),
            "security": SIGNED_IN,
            "requestBody": {
                "required": True,
                "content": {"multipart/form-data": {"schema": _ref("NewFile")}},
            },
            "responses": {
                "201": _json("The stored file.", _ref("File")),
                "401": _error("Not signed in, or the bearer token is unknown or revoked."),
                "403": _error("The caller may read but not post in this board."),
                "404": HIDDEN_BOARD,
                "413": _error("The file is larger than the upload limit."),
                "422": _error("Refused file or invalid input; `fields` says why."),
            },
        },
    },
}
