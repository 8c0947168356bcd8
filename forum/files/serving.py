"""HTTP responses for stored files: safe headers, ETag (304), Range (206/416) and names.

Downloads are always attachments; only our own re-encoded images are shown inline. Every
response carries nosniff and a CSP that forbids everything, so that even a file a browser
chose to render could run nothing. Access is decided before, by forum.access.access_file.
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from forum.access import Actor
from forum.files.storage import FileStorage
from forum.services import files as file_service
from forum.services.files import Served

log = logging.getLogger(__name__)

FILE_CSP = "default-src 'none'; sandbox"
SMALL_FILE = 256 * 1024  # thumbnails and display sizes: read in one go

# Already compressed (zip containers, PDF streams): gzip would burn CPU for nothing.
PRECOMPRESSED_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)


def content_disposition(kind: str, name: str) -> str:
    """RFC 6266 with an RFC 5987 filename* for the real name and an ASCII fallback."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name)
    encoded = quote(name, safe="")
    return f"{kind}; filename=\"{fallback or 'fichier'}\"; filename*=UTF-8''{encoded}"


def _etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    candidates = [value.strip().removeprefix("W/") for value in header.split(",")]
    return "*" in candidates or etag in candidates


@dataclass(frozen=True)
class Loaded:
    """A file ready to send: what to send, where its bytes are, and small ones already read."""

    served: Served
    path: Path
    stat: os.stat_result
    body: bytes | None


def load_for_serving(
    session: Session, actor: Actor, public_id: str, variant: str, storage: FileStorage
) -> Loaded | None:
    """Access check, then the blob (read at once when small); None when its bytes are missing.

    Runs on the worker thread that holds the read: a thumbnail costs one thread hop, not five.
    """
    served = file_service.file_for_serving(session, actor, public_id, variant)
    try:
        path = storage.path(served.sha256)
        stat = path.stat()
        body = path.read_bytes() if stat.st_size <= SMALL_FILE else None
    except FileNotFoundError:
        log.error("blob %s is missing from the storage", served.sha256)
        return None
    return Loaded(served, path, stat, body)


def file_response(request: Request, loaded: Loaded) -> Response:
    """The response sending a loaded file (304 when the client has it, 206 for a Range)."""
    served = loaded.served
    etag = f'"{served.sha256}"'  # content-addressed: the hash is a strong validator
    headers = {
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_CSP,
        "Cross-Origin-Resource-Policy": "same-origin",
        # Private files are revalidated every time, so that access is checked on each request.
        "Cache-Control": "public, max-age=300" if served.public else "private, no-cache",
        "Content-Disposition": content_disposition(
            "inline" if served.inline else "attachment", served.name
        ),
        "Accept-Ranges": "bytes",
    }
    if _etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    if loaded.body is not None and "range" not in request.headers:
        return Response(loaded.body, media_type=served.content_type, headers=headers)
    return FileResponse(
        loaded.path, media_type=served.content_type, headers=headers, stat_result=loaded.stat
    )
