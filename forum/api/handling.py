"""What the JSON API handlers share: the database, the calling member, path ids, JSON bodies."""

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from forum.access import Actor
from forum.db import Database
from forum.errors import InvalidInput, NotFound
from forum.forms import MAX_FORM_BYTES, FormTooLarge
from forum.i18n import gettext as _
from forum.urls import parse_id

JSON = dict[str, Any]


def database(request: Request) -> Database:
    """The application's database."""
    db: Database = request.app.state.db
    return db


def path_id(request: Request, name: str) -> int:
    """An id from the path; anything but digits names nothing."""
    raw = str(request.path_params[name])
    number = parse_id(raw)
    if number is None:
        raise NotFound(raw)
    return number


async def read_payload(request: Request) -> JSON:
    """The request's JSON object, read with the same size limit as forms."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise FormTooLarge(length)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_FORM_BYTES:
            raise FormTooLarge(str(len(received)))
    try:
        data = json.loads(bytes(received))
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise InvalidInput({"request": _("Envoyez un objet JSON.")})
    return data


def text_field(data: JSON, name: str, errors: dict[str, str]) -> str:
    """A text field of a payload ("" when absent); a wrong type is recorded in errors."""
    value = data.get(name, "")
    if isinstance(value, str):
        return value
    errors[name] = _("Texte attendu.")
    return ""


def signed_in(request: Request) -> Actor | None:
    """The calling member, or None for an anonymous caller."""
    actor: Actor = request.state.actor
    return actor if actor.is_authenticated else None


def unauthenticated() -> Response:
    """401, as forum.api.routes answers it: writing needs a member."""
    return JSONResponse(
        {"error": "unauthenticated", "message": _("Connectez-vous ou présentez un jeton d'accès.")},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )
