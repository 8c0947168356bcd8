"""Reading HTML forms: size limit, the CSRF field, and plain-string fields."""

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import Message, Receive

from forum.auth.keys import same
from forum.auth.middleware import CSRF_FIELD
from forum.errors import ForumError

MAX_FORM_BYTES = 1_000_000


class CsrfFailed(ForumError):
    """The form's CSRF token is missing or does not match the session."""


class FormTooLarge(ForumError):
    """The form body is larger than any of our forms can be."""


class Form:
    """A submitted form whose fields are read as stripped-free strings."""

    def __init__(self, data: FormData) -> None:
        self.data = data

    def get(self, name: str, default: str = "") -> str:
        """The text of a field (files and missing fields give the default)."""
        value = self.data.get(name)
        return value if isinstance(value, str) else default

    def getlist(self, name: str) -> list[str]:
        """Every text value of a repeated field."""
        return [v for v in self.data.getlist(name) if isinstance(v, str)]

    def flag(self, name: str) -> bool:
        """A checkbox: present and not empty."""
        return bool(self.get(name))

    def values(self) -> dict[str, str]:
        """All text fields, to re-fill a form after an error (secrets excluded)."""
        return {
            k: v
            for k, v in self.data.items()
            if isinstance(v, str) and "password" not in k and k != CSRF_FIELD
        }


def _counting(receive: Receive) -> Receive:
    """Wrap receive so that a body larger than MAX_FORM_BYTES fails whatever Content-Length said."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_FORM_BYTES:
                raise FormTooLarge(str(received))
        return message

    return counted


async def read_form(request: Request) -> Form:
    """Parse a urlencoded or multipart form, refusing oversize bodies and forged submissions."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise FormTooLarge(length)
    # A chunked body has no Content-Length: count the bytes as they arrive.
    counted = Request(request.scope, _counting(request.receive))
    data = await counted.form(max_files=0, max_fields=200, max_part_size=MAX_FORM_BYTES)
    form = Form(data)
    if request.scope.get("state", {}).get("csrf_form_check"):
        expected = request.state.csrf_token
        if not expected or not same(form.get(CSRF_FIELD), expected):
            raise CsrfFailed("csrf")
    return form
