"""HTML routes: thin handlers that parse, call one service, and render or redirect."""

from starlette.routing import BaseRoute

from forum.routes import (
    account,
    admin,
    auth,
    directory,
    home,
    moderation,
    reading,
    search,
    topics,
)


def routes() -> list[BaseRoute]:
    """Every HTML route of the forum."""
    return [
        *home.routes,
        *auth.routes,
        *account.routes,
        *admin.routes,
        *directory.routes,
        *topics.routes,
        *moderation.routes,
        *reading.routes,
        *search.routes,
    ]
