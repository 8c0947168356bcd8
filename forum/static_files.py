"""Static files with fingerprinted URLs, so browsers on slow links keep them for a year."""

import hashlib
from functools import cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"


@cache
def fingerprint(name: str) -> str:
    """A short hash of a static file's content (computed once per process)."""
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """The URL of a static file, changing whenever its content does."""
    return f"/static/{name}?v={fingerprint(name)}"


class CachedStaticFiles(StaticFiles):
    """StaticFiles whose fingerprinted URLs are cached as immutable."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            if b"v=" in scope.get("query_string", b""):
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            else:
                response.headers["Cache-Control"] = "public, max-age=3600"
        return response
