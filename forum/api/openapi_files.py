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

_FOLDER_NAME = {"type": "string", "maxLength": 120, "description": "1 to 120 characters."}
_PARENT = {
    "type": ["integer", "null"],
    "description": "A folder of the same board; null: the library's root.",
}
SCHEMAS["Folder"] = {
    "type": "object",
    "required": ["id", "name", "parent", "path", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "parent": {"type": ["integer", "null"], "description": "Null: the library's root."},
        "path": {"type": "string", "description": 'Names from the root: "2026 / Ateliers".'},
        "created_at": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": False,
}
SCHEMAS["FolderList"] = {
    "type": "object",
    "required": ["folders"],
    "properties": {"folders": {"type": "array", "items": _ref("Folder")}},
    "additionalProperties": False,
}
SCHEMAS["NewFolder"] = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": _FOLDER_NAME, "parent": _PARENT},
}
SCHEMAS["FolderChange"] = {
    "type": "object",
    "description": "A field left out stays as it is.",
    "properties": {"name": _FOLDER_NAME, "parent": _PARENT},
}
SCHEMAS["FolderDeleted"] = {
    "type": "object",
    "required": ["parent", "files_moved", "folders_moved"],
    "properties": {
        "parent": {
            "type": ["integer", "null"],
            "description": "Where its files and sub-folders went (null: the root).",
        },
        "files_moved": {"type": "integer"},
        "folders_moved": {"type": "integer"},
    },
    "additionalProperties": False,
}

HIDDEN_BOARD = _error("No such board, or the caller may not see it.")
HIDDEN_FOLDER = _error("No such board or folder, or the caller may not see it.")
NOT_MODERATOR = _error("Only the board's moderators rename, move and delete folders.")
INVALID_FOLDER = _error("Invalid input; `fields` says what is wrong with each field.")
NO_MEMBER = _error("Not signed in, or the bearer token is unknown or revoked.")
TOO_LARGE = _error("The request body is larger than 1 MB.")
FOLDER_ID: JSON = {
    "name": "folder_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}


def _json_body(schema: str) -> JSON:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


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
    "/boards/{slug}/folders": {
        "parameters": [SLUG_PARAMETER],
        "get": {
            "operationId": "listFolders",
            "summary": "Every folder of a board's library, sorted by path.",
            "security": ANYONE,
            "responses": {
                "200": _json("The folders.", _ref("FolderList")),
                "401": BAD_TOKEN,
                "404": HIDDEN_BOARD,
            },
        },
        "post": {
            "operationId": "createFolder",
            "summary": "Add a folder (anyone who may post in the board).",
            "description": "Cookie sessions must send the X-CSRF-Token header; tokens need not.",
            "security": SIGNED_IN,
            "requestBody": _json_body("NewFolder"),
            "responses": {
                "201": _json("The new folder.", _ref("Folder")),
                "401": NO_MEMBER,
                "403": _error("The caller may read but not post in this board."),
                "404": HIDDEN_BOARD,
                "413": TOO_LARGE,
                "422": INVALID_FOLDER,
            },
        },
    },
    "/boards/{slug}/folders/{folder_id}": {
        "parameters": [SLUG_PARAMETER, FOLDER_ID],
        "patch": {
            "operationId": "changeFolder",
            "summary": "Rename a folder, move it into another (never into itself), or both.",
            "description": "Cookie sessions must send the X-CSRF-Token header; tokens need not.",
            "security": SIGNED_IN,
            "requestBody": _json_body("FolderChange"),
            "responses": {
                "200": _json("The folder as it now is.", _ref("Folder")),
                "401": NO_MEMBER,
                "403": NOT_MODERATOR,
                "404": HIDDEN_FOLDER,
                "413": TOO_LARGE,
                "422": INVALID_FOLDER,
            },
        },
        "delete": {
            "operationId": "deleteFolder",
            "summary": "Delete a folder; no file is deleted: its contents go up into its parent.",
            "description": "Cookie sessions must send the X-CSRF-Token header; tokens need not.",
            "security": SIGNED_IN,
            "responses": {
                "200": _json("What moved where.", _ref("FolderDeleted")),
                "401": NO_MEMBER,
                "403": NOT_MODERATOR,
                "404": HIDDEN_FOLDER,
            },
        },
    },
}
