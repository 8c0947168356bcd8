"""Where to send the browser next: safe local redirects and the client's address."""

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse

from forum.settings import Settings


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to after a form; anything pointing off-site gives the default."""
    if not target or len(target) > 500:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target


def see_other(path: str) -> RedirectResponse:
    """The 303 redirect that follows a successful form."""
    return RedirectResponse(path, status_code=303)


def client_ip(request: Request) -> str:
    """The client's address, believing X-Forwarded-For only from configured proxies."""
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else "unknown"
    if peer in settings.trusted_proxies:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        while hops and hops[-1] in settings.trusted_proxies:
            hops.pop()
        if hops:
            return hops[-1]
    return peer
