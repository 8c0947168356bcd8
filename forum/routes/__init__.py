"""HTML routes: thin handlers that parse, call one service, and render or redirect."""

from starlette.routing import BaseRoute

from forum.routes import (
    account,
    admin,
    admin_import,
    auth,
    directory,
    documents,
    files,
    help,
    home,
    moderation,
    notifications,
    polls,
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
        *admin_import.routes,
        *directory.routes,
        *topics.routes,
        *documents.routes,
        *moderation.routes,
        *notifications.routes,
        *polls.routes,
        *reading.routes,
        *search.routes,
        *help.routes,
        *files.routes,
    ]
