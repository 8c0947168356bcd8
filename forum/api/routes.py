"""JSON API routes: filled in below."""

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    """Every route of /api/v1."""
    return []
