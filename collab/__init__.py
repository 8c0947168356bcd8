"""A Yjs (y-websocket protocol) server library on pycrdt; it never imports forum.

Mounting it in a Starlette application (the forum does this in `create_app`)::

    from collab import CollabServer, CollabSettings, SqlUpdateStore, collab_route, open_pubsub

    server = CollabServer(
        store=SqlUpdateStore(engine, write_engine=engine.execution_options(begin_immediate=True)),
        authorizer=ForumCollabAuthorizer(db),  # forum.collab_access: implements collab.Authorizer
        pubsub=open_pubsub("memory://"),  # or "redis://127.0.0.1:6379/0" with several processes
        settings=CollabSettings(origins=("https://forum.example.org",)),
    )

    @asynccontextmanager
    async def lifespan(app):
        async with server.running():  # writer, relay, upkeep, access rechecks; flush at the end
            yield

    app = Starlette(routes=[..., collab_route(server)], lifespan=lifespan)

A browser then connects with `new WebsocketProvider("wss://host/collab", documentId, ydoc)`.
Run uvicorn with `ws_max_size` at least `CollabSettings.max_message_bytes` and
`ws_per_message_deflate=False` (deflate costs ~35 % CPU). The tables are `collab.metadata`
(collab_updates, collab_checkpoints): add it to Alembic's target metadata. When the forum
takes access away, it calls `server.revoke(user_id=..., document_id=...)` after the commit;
`Authorizer.still_allowed` is also asked every `recheck_seconds`. Close codes are named in
`collab.closecodes` (4403 forbidden or revoked, 4500 load failed, ...).
"""

from collab import closecodes
from collab.access import Authorizer, Grant
from collab.config import CollabSettings
from collab.endpoint import collab_route, serve
from collab.pubsub import MemoryPubSub, PubSub, RedisPubSub, open_pubsub
from collab.server import CollabServer
from collab.store import (
    MemoryUpdateStore,
    SqlUpdateStore,
    StoredDocument,
    UpdateStore,
    create_tables,
    metadata,
)

__all__ = [
    "Authorizer",
    "CollabServer",
    "CollabSettings",
    "Grant",
    "MemoryPubSub",
    "MemoryUpdateStore",
    "PubSub",
    "RedisPubSub",
    "SqlUpdateStore",
    "StoredDocument",
    "UpdateStore",
    "closecodes",
    "collab_route",
    "create_tables",
    "metadata",
    "open_pubsub",
    "serve",
]
