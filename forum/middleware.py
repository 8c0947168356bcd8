"""HTTP middleware that isn't about identity: security headers and a token-free access log."""

import logging
import time
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("forum.access")
SECRET_PARAMS = frozenset({"token", "access_token", "key"})


def content_security_policy(origin_ws: str) -> str:
    """Our CSP: only our own scripts, styles and sockets; no framing, no plugins."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            f"connect-src 'self' {origin_ws}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(csp: str) -> list[tuple[bytes, bytes]]:
    """Our security headers, as an ASGI message carries them."""
    return [
        (b"content-security-policy", csp.encode("latin-1")),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]


NO_STORE = (b"cache-control", b"no-store")


def add_security_headers(headers: MutableHeaders, *, csp: str, path: str) -> None:
    """Set our security headers on a response (those it already has are kept)."""
    _add_missing(headers.raw, security_headers(csp), path)


def _add_missing(
    raw: list[tuple[bytes, bytes]], ours: list[tuple[bytes, bytes]], path: str
) -> None:
    present = {name.lower() for name, _value in raw}
    raw.extend(header for header in ours if header[0] not in present)
    if b"cache-control" not in present and not path.startswith("/static/"):
        raw.append(NO_STORE)


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff, Referrer-Policy and frame protections to every response.

    Unhandled errors are answered outside every middleware (Starlette's ServerErrorMiddleware),
    so the app's 500 handler calls add_security_headers itself.
    """

    def __init__(self, app: ASGIApp, *, csp: str) -> None:
        self.app = app
        self.headers = security_headers(csp)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.setdefault("headers", [])
                if not isinstance(raw, list):  # the ASGI spec allows any iterable
                    raw = message["headers"] = list(raw)
                _add_missing(raw, self.headers, scope["path"])
            await send(message)

        await self.app(scope, receive, send_with_headers)


def redact_query(query: str) -> str:
    """The query string with secret parameters (tokens, one-time keys) blanked."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in pairs], safe="*")


def redact_path(path: str) -> str:
    """The path with one-time link keys blanked (/welcome/<key>)."""
    if path.startswith("/welcome/"):
        return "/welcome/***"
    return path


class AccessLogMiddleware:
    """One log line per request, never carrying a token or a one-time key."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_logging(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and not status:
                status = 403
            await send(message)

        try:
            await self.app(scope, receive, send_logging)
        except Exception:
            status = status or 500
            raise
        finally:
            query = redact_query(scope.get("query_string", b"").decode("latin-1"))
            target = redact_path(scope["path"]) + (f"?{query}" if query else "")
            client = scope.get("client")
            access_log.info(
                '%s "%s %s" %s %.1fms',
                client[0] if client else "-",
                scope.get("method", "WS"),
                target,
                status,
                (time.perf_counter() - started) * 1000,
            )
