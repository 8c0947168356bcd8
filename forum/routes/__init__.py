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
    """Every HTML route of the forum.

    Starlette tries routes in order: the busiest (files and thumbnails, topics, boards) come
    first. No two patterns overlap across modules, so the order changes nothing else.
    """
    return [
        *files.routes,
        *topics.routes,
        *home.routes,
        *auth.routes,
        *account.routes,
        *admin.routes,
        *admin_import.routes,
        *directory.routes,
        *documents.routes,
        *moderation.routes,
        *notifications.routes,
        *polls.routes,
        *reading.routes,
        *search.routes,
        *help.routes,
    ]
