"""Collab fixtures: a fake Authorizer, a tiny Starlette app mounting the endpoint, test clients."""

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.testclient import TestClient

from collab import CollabServer, CollabSettings, Grant, MemoryUpdateStore, PubSub, collab_route
from collab.store import UpdateStore
from tests.collab.yclient import YClient

# Upkeep and access rechecks run often so that tests wait little.
FAST = CollabSettings(recheck_seconds=0.2, maintenance_seconds=0.05)


@dataclass
class FakeAuthorizer:
    """Grants by (user, document), the user named by `?user=` on the WebSocket URL."""

    access: dict[tuple[str, str], Grant] = field(default_factory=dict)
    failing: bool = False

    def allow(self, user: str, document_id: str, *, read_only: bool = False) -> None:
        self.access[(user, document_id)] = Grant(user, user.capitalize(), read_only)

    def deny(self, user: str, document_id: str) -> None:
        self.access.pop((user, document_id), None)

    async def authorize(self, connection: HTTPConnection, document_id: str) -> Grant | None:
        if self.failing:
            raise RuntimeError("database unavailable")
        return self.access.get((connection.query_params.get("user", ""), document_id))

    async def still_allowed(self, grant: Grant, document_id: str) -> Grant | None:
        return self.access.get((grant.user_id, document_id))


def make_app(*servers: tuple[str, CollabServer]) -> Starlette:
    """An app mounting each server's endpoint under its prefix, all started by the lifespan."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for _prefix, server in servers:
                await stack.enter_async_context(server.running())
            yield

    routes = [
        collab_route(server, f"{prefix}/collab/{{document_id}}") for prefix, server in servers
    ]
    return Starlette(routes=routes, lifespan=lifespan)


@dataclass
class Harness:
    """A running app with one or more collab servers, and ways to connect to them."""

    client: TestClient
    server: CollabServer
    authorizer: FakeAuthorizer

    @contextmanager
    def connect(self, document_id: str, user: str = "amina", prefix: str = "") -> Iterator[YClient]:
        """A y-websocket client of document_id, acting as user."""
        with self.client.websocket_connect(f"{prefix}/collab/{document_id}?user={user}") as ws:
            yield YClient(ws)

    def call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run function (sync or async) on the server's event loop."""
        assert self.client.portal is not None
        return self.client.portal.call(partial(function, *args, **kwargs))


@contextmanager
def serving(
    store: UpdateStore | None = None,
    *,
    settings: CollabSettings = FAST,
    authorizer: FakeAuthorizer | None = None,
    pubsub: PubSub | None = None,
) -> Iterator[Harness]:
    """Run a collab server in a TestClient (lifespan on) until the block ends."""
    authorizer = authorizer or FakeAuthorizer()
    server = CollabServer(
        store=store or MemoryUpdateStore(), authorizer=authorizer, pubsub=pubsub, settings=settings
    )
    with TestClient(make_app(("", server))) as client:
        yield Harness(client, server, authorizer)


@pytest.fixture
def harness() -> Iterator[Harness]:
    """A server on an in-memory store; amina, bruno and chloe may edit `doc`."""
    with serving() as running:
        for user in ("amina", "bruno", "chloe"):
            running.authorizer.allow(user, "doc")
        yield running
