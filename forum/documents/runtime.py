"""The live collaboration service inside the forum: built and run by the app's lifespan.

One CollabServer per process, its updates in the forum's database (collab's own tables),
its rooms shared between processes through FORUM_PUBSUB_URL. Commits that may take access
away trigger a recheck of the open connections (forum.db.mark_access_changed); the watcher
keeps dates, search and automatic versions up to date once edits settle.
"""

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine
from starlette.datastructures import State
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from collab import CollabServer, CollabSettings, SqlUpdateStore, open_pubsub, serve
from forum.collab_access import AccessNotifier, ForumAuthorizer
from forum.db import Database
from forum.documents.watcher import DocumentTimings, DocumentWatcher
from forum.settings import Settings

WS_PATH = "/collab"


def collab_settings(settings: Settings) -> CollabSettings:
    """The collaboration server's limits for this forum: browsers must come from its origin."""
    return CollabSettings(origins=(settings.origin,))


def channel_prefix(settings: Settings) -> str:
    """Pub/sub channels of this forum: the processes of one installation share them, two
    forums on one Redis never hear each other's documents (ids start at 1 in both)."""
    digest = hashlib.sha256(b"forum-collab:" + settings.secret_key.encode()).hexdigest()
    return f"collab:{digest[:16]}:"


def ws_base_url(settings: Settings) -> str:
    """What a WebsocketProvider is given: ws(s)://host/collab."""
    return settings.origin.replace("http", "ws", 1) + WS_PATH


async def collab_endpoint(websocket: WebSocket) -> None:
    """`/collab/{document_id}`: the y-websocket protocol, served by this process's server."""
    server: CollabServer = websocket.app.state.collab
    await serve(server, websocket)


def collab_routes() -> list[WebSocketRoute]:
    """The WebSocket route to mount at the root of the app."""
    return [WebSocketRoute(WS_PATH + "/{document_id}", collab_endpoint, name="collab")]


@asynccontextmanager
async def running(
    state: State, *, settings: Settings, engine: Engine, db: Database
) -> AsyncIterator[CollabServer]:
    """Start the collaboration server, the access notifier and the watcher; stop them all
    (flushing every pending update) at the end."""
    collab: CollabSettings = getattr(state, "collab_settings", None) or collab_settings(settings)
    timings: DocumentTimings = getattr(state, "document_timings", None) or DocumentTimings()
    authorizer = ForumAuthorizer(db, settings)
    server = CollabServer(
        store=SqlUpdateStore(engine, write_engine=engine.execution_options(begin_immediate=True)),
        authorizer=authorizer,
        pubsub=open_pubsub(settings.pubsub_url),
        settings=collab,
        channel_prefix=channel_prefix(settings),
    )
    authorizer.server = server
    state.collab = server
    async with server.running():
        notifier = AccessNotifier(server, asyncio.get_running_loop())
        db.access_listeners.append(notifier)
        watcher = DocumentWatcher(db, server, state.search, timings)
        state.document_watcher = watcher
        task = asyncio.get_running_loop().create_task(watcher.run())
        try:
            yield server
        finally:
            db.access_listeners.remove(notifier)
            watcher.stop()
            await task
            await notifier.close()
