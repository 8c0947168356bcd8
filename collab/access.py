"""The access seam: a Grant per connection, and the Authorizer Protocol the forum implements."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection


@dataclass(frozen=True, slots=True)
class Grant:
    """Who is connected and what they may do; user_id and name are opaque to collab."""

    user_id: str
    name: str = ""
    read_only: bool = False


class Authorizer(Protocol):
    """Decides who may open a document, and whether they still may (the forum implements it)."""

    async def authorize(self, connection: "HTTPConnection", document_id: str) -> Grant | None:
        """Before accept(): a Grant, or None to refuse (the client gets HTTP 403).

        The connection carries the handshake's cookies, headers (Origin) and query string."""
        ...

    async def still_allowed(self, grant: Grant, document_id: str) -> Grant | None:
        """Periodic recheck: the current Grant (possibly now read-only), or None to close the
        connections of grant.user_id to document_id with code 4403."""
        ...
