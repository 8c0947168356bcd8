"""Who is asking (session cookie or bearer token), in which language, and the CSRF gate."""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum import i18n
from forum.access import ANONYMOUS, Actor, actor_for
from forum.auth.keys import same
from forum.db import Database
from forum.errors import ForumError
from forum.services import notifications as notification_service
from forum.services import sessions as session_service
from forum.services import tokens as token_service
from forum.settings import Settings

SESSION_COOKIE = "forum_session"
LANGUAGE_COOKIE = "forum_lang"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STATIC_PREFIX = "/static/"
UNREAD_STATE = "unread_notifications"  # the header's count, read by base.html
# Pages whose header shows the count: a browser's GET, but not the API, files or streams.
NO_COUNT_PREFIXES = ("/api/", "/static/", "/live", "/mentions", "/f/")

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Identity:
    """The outcome of authentication for one request."""

    actor: Actor
    kind: str | None = None  # "session", "token" or None
    session_id: int | None = None
    token_id: int | None = None
    csrf_token: str = ""
    touch: bool = False
    bad_token: bool = False


def cookie_signer(secret_key: str) -> URLSafeSerializer:
    """Signs the session key kept in the cookie, so forged cookies never reach the database."""
    return URLSafeSerializer(secret_key, salt="forum-session")


def identify(session: Session, *, session_key: str | None, bearer: str | None) -> Identity:
    """Resolve a bearer token or a session key to an actor (read-only)."""
    if bearer is not None:
        found = token_service.resolve_token(session, token=bearer)
        if found is None:
            return Identity(actor=ANONYMOUS, bad_token=True)
        row, user = found
        return Identity(
            actor=actor_for(session, user),
            kind="token",
            token_id=row.id,
            touch=token_service.needs_touch(row),
        )
    if session_key:
        found_session = session_service.resolve_session(session, key=session_key)
        if found_session is not None:
            return Identity(
                actor=found_session.actor,
                kind="session",
                session_id=found_session.id,
                csrf_token=found_session.csrf_token,
                touch=session_service.needs_touch(found_session),
            )
    return Identity(actor=ANONYMOUS)


def identify_for_page(
    session: Session, *, session_key: str | None, bearer: str | None, count_unread: bool
) -> tuple[Identity, int | None]:
    """identify(), plus the unread notification count of a signed-in browser when asked:
    one read transaction for both, since every page of a member needs them."""
    identity = identify(session, session_key=session_key, bearer=bearer)
    if count_unread and identity.kind == "session":
        return identity, notification_service.unread_count(session, identity.actor)
    return identity, None


def _touch(session: Session, identity: Identity) -> None:
    if identity.session_id is not None:
        session_service.touch_session(session, session_id=identity.session_id)
    elif identity.token_id is not None:
        token_service.touch_token(session, token_id=identity.token_id)


def bearer_token(conn: HTTPConnection) -> str | None:
    """The token of an `Authorization: Bearer` header, or of `?token=` on a WebSocket."""
    header = conn.headers.get("authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if conn.scope["type"] == "websocket" and conn.query_params.get("token"):
        return conn.query_params["token"]
    return None


def request_origin(conn: HTTPConnection) -> str:
    """scheme://host of the request as the browser addressed it."""
    scheme = "https" if conn.url.scheme in ("https", "wss") else "http"
    return f"{scheme}://{conn.headers.get('host', '')}"


SAFE_READS = frozenset({"GET", "HEAD"})
# A topic's and a board's page: they identify the member in the same read transaction as the
# page (one thread hop and one transaction instead of two, on the two busiest pages).
OWN_READ_PAGES = re.compile(r"/t/[0-9]{1,9}|/b/[^/]+")  # ids the routes' int matches
PENDING = "pending_identity"


@dataclass(frozen=True)
class PendingIdentity:
    """A request whose session key the page itself resolves (see read_as_member)."""

    session_key: str
    count_unread: bool


def settle(scope: Scope, identity: Identity, unread: int | None, session_key: str | None) -> None:
    """Record who is asking in the request's state."""
    scope_state: dict[str, Any] = scope.setdefault("state", {})
    scope_state["actor"] = identity.actor
    scope_state["auth_kind"] = identity.kind
    scope_state["session_key"] = session_key if identity.kind == "session" else None
    scope_state["csrf_token"] = identity.csrf_token
    scope_state["session_id"] = identity.session_id
    scope_state["csrf_form_check"] = False
    if unread is not None:
        scope_state[UNREAD_STATE] = unread


def choose_locale(conn: HTTPConnection, settings: Settings, actor: Actor) -> None:
    """The request's language: the member's choice, else the cookie's, else the browser's."""
    chosen = actor.locale or conn.cookies.get(LANGUAGE_COOKIE)
    if chosen not in i18n.LOCALES:
        chosen = i18n.negotiate(conn.headers.get("accept-language"), settings.default_locale)
    i18n.set_locale(chosen)


MAX_REMEMBERED_COOKIE = 200  # ours is about 75 characters


def session_key_of(secret_key: str, raw_cookie: str) -> str | None:
    """The session key a cookie carries, None when its signature is wrong.

    Remembered for cookies of our size: the same browser sends the same cookie with every
    request, and checking it costs more than a page's session lookup. A longer cookie is
    none of ours: checked, never kept (4,096 huge forged cookies would fill the memory).
    """
    if len(raw_cookie) > MAX_REMEMBERED_COOKIE:
        return _verified(secret_key, raw_cookie)
    return _remembered(secret_key, raw_cookie)


def _verified(secret_key: str, raw_cookie: str) -> str | None:
    try:
        return str(cookie_signer(secret_key).loads(raw_cookie))
    except BadSignature:
        return None


_remembered = lru_cache(maxsize=4096)(_verified)


async def read_as_member(
    request: Request,
    fn: Callable[Concatenate[Session, Actor, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """fn(session, actor, ...) in a read transaction, for the request's actor (read_then_write)."""

    def read(session: Session, actor: Actor) -> T:
        return fn(session, actor, *args, **kwargs)

    return await read_then_write(request, read)


async def read_then_write(
    request: Request,
    read: Callable[[Session, Actor], T],
    write: Callable[[Actor, T], Callable[[Session], object] | None] | None = None,
) -> T:
    """read(session, actor) in a read transaction, for the request's actor; then the write
    that what was read needs, if any (write(actor, what was read) gives it, or None), in a
    short write transaction of its own (`Database.writing`): see _read_and_write for where
    each runs.

    When the middleware left the identification to the page (OWN_READ_PAGES), the session
    key is resolved first in the read's transaction, then the request's state is settled as
    the middleware would have (actor, CSRF token, unread count, language), also when read
    raises a ForumError (a 404 is shown to the member, in their language; nothing written).
    """
    db: Database = request.app.state.db
    path = request.scope["path"]
    pending: PendingIdentity | None = request.scope.get("state", {}).pop(PENDING, None)
    if pending is None:
        actor: Actor = request.state.actor
        return await _read_and_write(
            db,
            lambda session: read(session, actor),
            lambda result: None if write is None else write(actor, result),
            path,
        )

    def needed(
        what: tuple[Identity, int | None, T | ForumError],
    ) -> Callable[[Session], object] | None:
        identity, _unread, outcome = what
        if write is None or isinstance(outcome, ForumError):
            return None
        return write(identity.actor, outcome)

    identity, unread, outcome = await _read_and_write(
        db, lambda session: _identified(session, pending, read), needed, path
    )
    if identity.touch:
        await db.run_in_transaction(_touch, identity)
    settle(request.scope, identity, unread, pending.session_key)
    if identity.actor.locale in i18n.LOCALES:  # else the visitor's language chosen before
        i18n.set_locale(identity.actor.locale)
    if isinstance(outcome, ForumError):
        raise outcome
    return outcome


async def _read_and_write(
    db: Database,
    read: Callable[[Session], R],
    needed: Callable[[R], Callable[[Session], object] | None],
    path: str,
) -> R:
    """read(session) in a read transaction, then the write needed(what was read) gives, if
    any. On SQLite, the read at once on the event loop (Database.read_soon) and a needed write
    on a worker thread (a write may wait for the lock); elsewhere both on one worker thread."""
    if db.reads_inline:
        result = await db.read_soon(read)
        if (write := needed(result)) is not None:
            await db.run_sync(partial(_write_after_read, db, write, path))
        return result

    def read_then_write() -> R:
        result = db.reading(read)
        _write_after_read(db, needed(result), path)
        return result

    return await db.run_sync(read_then_write)


def _write_after_read(db: Database, needed: Callable[[Session], object] | None, path: str) -> None:
    """The write a read asked for (a visit's reading point). The page was read: a database
    that refuses the write (locked past the busy timeout, the topic removed at that moment)
    does not turn it into an error. Nothing the member wrote is lost: their next visit
    records the reading point again."""
    if needed is None:
        return
    try:
        db.writing(needed)
    except DBAPIError:
        log.warning("the write after reading %s failed; the page is shown", path, exc_info=True)


def _identified(
    session: Session, pending: PendingIdentity, read: Callable[[Session, Actor], T]
) -> tuple[Identity, int | None, T | ForumError]:
    identity, unread = identify_for_page(
        session, session_key=pending.session_key, bearer=None, count_unread=pending.count_unread
    )
    try:
        return identity, unread, read(session, identity.actor)
    except ForumError as error:
        return identity, unread, error


class AuthMiddleware:
    """Sets scope state: actor, auth kind, session key, CSRF token; sets the locale; checks CSRF."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"].startswith(STATIC_PREFIX):
            # Stylesheets and scripts are the same for everyone: no database round trip.
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        settings: Settings = state.settings
        db: Database = state.db
        conn = HTTPConnection(scope)
        raw_cookie = conn.cookies.get(SESSION_COOKIE)
        session_key = session_key_of(settings.secret_key, raw_cookie) if raw_cookie else None
        bearer = bearer_token(conn)
        count_unread = (
            session_key is not None
            and scope["type"] == "http"
            and scope["method"] in SAFE_READS
            and not scope["path"].startswith(NO_COUNT_PREFIXES)
        )
        if (
            session_key
            and bearer is None
            and scope["type"] == "http"
            and scope["method"] in SAFE_READS
            and not scope.get("root_path")
            and OWN_READ_PAGES.fullmatch(scope["path"])
        ):
            # The page identifies the member in its own read (read_as_member). Until then,
            # nobody: a page that did not would be shown as to a visitor, never more.
            scope.setdefault("state", {})[PENDING] = PendingIdentity(session_key, count_unread)
            settle(scope, Identity(actor=ANONYMOUS), None, None)
            choose_locale(conn, settings, ANONYMOUS)
            await self.app(scope, receive, send)
            return
        if not session_key and bearer is None:  # a visitor: nothing to look up
            identity, unread = Identity(actor=ANONYMOUS), None
        else:
            identity, unread = await db.read_soon(  # a few indexed rows: at once on SQLite
                identify_for_page, session_key=session_key, bearer=bearer, count_unread=count_unread
            )
        if identity.touch:
            await db.run_in_transaction(_touch, identity)
        settle(scope, identity, unread, session_key)
        choose_locale(conn, settings, identity.actor)

        if scope["type"] == "http":
            if identity.bad_token:
                await _unauthorized(scope)(scope, receive, send)
                return
            refusal = self._csrf_refusal(conn, settings, identity, raw_cookie is not None)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
            if raw_cookie and session_key is None:
                send = _clearing_cookie(send)
        await self.app(scope, receive, send)

    def _csrf_refusal(
        self, conn: HTTPConnection, settings: Settings, identity: Identity, has_cookie: bool
    ) -> Response | None:
        """A 403 response when an unsafe request carrying a session cookie looks forged."""
        if conn.scope["method"] in SAFE_METHODS:
            return None
        if not has_cookie and identity.kind == "token":
            return None  # a script with its token: no browser, no ambient credentials
        # Also without a cookie: a cross-site post to /login would sign the browser in as
        # someone else (login CSRF). Browsers say where a request comes from; believe them.
        fetch_site = conn.headers.get("sec-fetch-site")
        if fetch_site is not None and fetch_site not in ("same-origin", "none"):
            return csrf_failure(conn)
        origin = conn.headers.get("origin")
        if origin is not None and origin not in (settings.origin, request_origin(conn)):
            return csrf_failure(conn)
        if identity.kind != "session":
            return None
        header = conn.headers.get(CSRF_HEADER)
        if header is not None:
            return None if same(header, identity.csrf_token) else csrf_failure(conn)
        content_type = conn.headers.get("content-type", "").split(";")[0].strip().lower()
        is_form = content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        if is_form and not conn.url.path.startswith("/api/"):
            # The form's csrf_token field is checked by forum.forms.read_form. The JSON API
            # reads no forms that way, so there the header is required.
            conn.scope["state"]["csrf_form_check"] = True
            return None
        return csrf_failure(conn)


def csrf_failure(conn: HTTPConnection) -> Response:
    """The answer to a request that failed the CSRF check."""
    message = i18n.gettext(
        "Requête refusée : le formulaire a expiré ou ne vient pas de ce site. "
        "Rechargez la page et recommencez."
    )
    if conn.url.path.startswith("/api/"):
        return JSONResponse({"error": "csrf", "message": message}, status_code=403)
    return PlainTextResponse(message, status_code=403)


def _unauthorized(scope: Scope) -> Response:
    message = i18n.gettext("Jeton d'accès inconnu ou révoqué.")
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    if scope["path"].startswith("/api/"):
        return JSONResponse(
            {"error": "invalid_token", "message": message}, status_code=401, headers=headers
        )
    return PlainTextResponse(message, status_code=401, headers=headers)


def _clearing_cookie(send: Send) -> Send:
    """Wrap send so that a cookie whose signature failed is removed from the browser."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            if SESSION_COOKIE not in headers.get("set-cookie", ""):
                headers.append(
                    "set-cookie", f"{SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
                )
        await send(message)

    return wrapped
