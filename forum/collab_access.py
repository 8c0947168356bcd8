"""The forum's collab.Authorizer: who may open a document live, and whether they still may.

Browsers authenticate with their session cookie and must send an Origin equal to the
forum's (FORUM_BASE_URL): a cross-site page can't borrow the cookie. Scripts use a personal
access token (`Authorization: Bearer …` or `?token=…`) and need no Origin (one that is sent
must match). Without credentials, public boards are readable. Read = may see the board;
write = may post there and the document is not archived. Grants name the credential
("42/session/7"), never its secret, so that a recheck notices a revoked session or token.
"""

import asyncio
import logging
from typing import TYPE_CHECKING

from itsdangerous import BadSignature
from sqlmodel import Session

from collab import CollabServer, Grant
from forum.access import ANONYMOUS, Actor
from forum.auth.middleware import SESSION_COOKIE, bearer_token, cookie_signer, identify
from forum.db import Database
from forum.services import documents as document_service
from forum.settings import Settings

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection

log = logging.getLogger(__name__)

ANONYMOUS_ID = "anonymous"
REVOKED = "access revoked"  # the reason of a board or document no longer readable


def grant_id(actor: Actor, kind: str | None, credential_id: int | None) -> str:
    """The opaque user id of a Grant: user, credential kind and credential row id."""
    if actor.user_id is None or kind is None or credential_id is None:
        return ANONYMOUS_ID
    return f"{actor.user_id}/{kind}/{credential_id}"


def parse_grant_id(value: str) -> tuple[str, int] | None:
    """(kind, credential id) of a grant id; None for anonymous ones."""
    parts = value.split("/")
    if len(parts) != 3 or parts[1] not in ("session", "token") or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])


class ForumAuthorizer:
    """collab.Authorizer backed by the forum's sessions, tokens and access rules."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings
        self.server: CollabServer | None = None  # set once built: closes with a reason

    async def authorize(self, connection: "HTTPConnection", document_id: str) -> Grant | None:
        """A grant for this handshake, or None (HTTP 403 before accept)."""
        origin = connection.headers.get("origin")
        if origin is not None and origin != self._settings.origin:
            return None  # whatever the credentials: a page of another site
        bearer = bearer_token(connection)
        session_key: str | None = None
        if bearer is None:
            raw_cookie = connection.cookies.get(SESSION_COOKIE)
            if raw_cookie:
                try:
                    session_key = str(cookie_signer(self._settings.secret_key).loads(raw_cookie))
                except BadSignature:
                    return None
            if session_key is not None and origin is None:
                return None  # a cookie without Origin: not a browser we can vouch for
        identity = await self._db.run_read(identify, session_key=session_key, bearer=bearer)
        if identity.bad_token or (session_key is not None and identity.kind != "session"):
            return None  # unknown or revoked credentials are refused, not read as anonymous
        actor = identity.actor
        read_only = await self._db.run_read(document_service.document_grant, actor, document_id)
        if read_only is None:
            return None
        credential = identity.session_id if identity.kind == "session" else identity.token_id
        return Grant(
            user_id=grant_id(actor, identity.kind, credential),
            name=actor.display_name,
            read_only=read_only,
        )

    async def still_allowed(self, grant: Grant, document_id: str) -> Grant | None:
        """The grant as it stands now (perhaps read-only), or None to close with 4403."""
        verdict = await self._db.run_read(
            _current_read_only, credential=parse_grant_id(grant.user_id), document_id=document_id
        )
        if isinstance(verdict, str):
            if self.server is not None:  # close now, saying why (the editor shows it)
                self.server.revoke(user_id=grant.user_id, document_id=document_id, reason=verdict)
            return None
        read_only = verdict
        if read_only == grant.read_only:
            return grant
        return Grant(user_id=grant.user_id, name=grant.name, read_only=read_only)


def _current_read_only(
    session: Session, *, credential: tuple[str, int] | None, document_id: str
) -> bool | str:
    """Whether a credential (None: anonymous) may now only read the document, in one read;
    a string is the reason it may no longer open it."""
    actor: Actor | str = ANONYMOUS
    if credential is not None:
        kind, credential_id = credential
        actor = document_service.credential_actor(session, kind=kind, credential_id=credential_id)
    if isinstance(actor, str):
        return actor
    read_only = document_service.document_grant(session, actor, document_id)
    return REVOKED if read_only is None else read_only


class AccessNotifier:
    """Called (from any thread) after a commit that may take access away: schedules one
    recheck of every live connection on the server's event loop, coalescing bursts."""

    def __init__(self, server: CollabServer, loop: asyncio.AbstractEventLoop) -> None:
        self._server = server
        self._loop = loop
        self._task: asyncio.Task[int] | None = None
        self._again = False
        self._closed = False

    def __call__(self) -> None:
        if self._closed:
            return
        try:
            self._loop.call_soon_threadsafe(self._schedule)
        except RuntimeError:
            pass  # the loop is closed: the server is gone, and its connections with it

    def _schedule(self) -> None:
        if self._closed:
            return
        if self._task is not None and not self._task.done():
            self._again = True  # a recheck is running: run another once it ends
            return
        self._task = self._loop.create_task(self._server.recheck())
        self._task.add_done_callback(self._done)

    def _done(self, task: "asyncio.Task[int]") -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("access recheck failed", exc_info=task.exception())
        if self._again:
            self._again = False
            self._schedule()

    async def close(self) -> None:
        """Shutdown: no recheck after this one; wait for a running one to finish (its
        queries must not outlive the engine)."""
        self._again = False
        self._closed = True
        if self._task is not None and not self._task.done():
            await asyncio.wait({self._task})
