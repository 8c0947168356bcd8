"""Over a real uvicorn server: a refusal is an HTTP 403, close codes reach the client."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from pycrdt import Doc, Text
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from collab import CollabServer, CollabSettings, MemoryUpdateStore, closecodes
from collab.protocol import Kind, parse_message, sync_step1, update_message
from tests.collab.conftest import FakeAuthorizer, make_app
from tests.collab.yclient import wait_until

pytestmark = pytest.mark.slow


@contextmanager
def running(server: CollabServer, ws: str = "websockets-sansio") -> Iterator[str]:
    """Serve on a free loopback port with uvicorn in a thread; yield the ws:// base URL."""
    config = uvicorn.Config(
        make_app(("", server)),
        host="127.0.0.1",
        port=0,
        ws=ws,
        ws_per_message_deflate=False,
        ws_max_size=server.settings.max_message_bytes + 1024,
        log_level="warning",
        lifespan="on",
    )
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: web.started, timeout=10)
        port = web.servers[0].sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}"
    finally:
        web.should_exit = True
        thread.join(10)


def receive(ws: ClientConnection) -> Any:
    data = ws.recv(timeout=5)
    assert isinstance(data, bytes)
    return parse_message(data, max_bytes=1 << 30, max_depth=1 << 30)


def test_refusal_is_http_403_and_revocation_a_4403_close() -> None:
    authorizer = FakeAuthorizer()
    authorizer.allow("amina", "doc")
    server = CollabServer(
        store=MemoryUpdateStore(),
        authorizer=authorizer,
        settings=CollabSettings(recheck_seconds=0.2),
    )
    with running(server) as base:
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{base}/collab/doc?user=intrus", open_timeout=5)
        assert refused.value.response.status_code == 403

        with connect(f"{base}/collab/doc?user=amina", open_timeout=5) as ws:
            assert receive(ws).kind is Kind.SYNC_STEP1
            local: Doc[Any] = Doc()
            ws.send(sync_step1(local.get_state()))
            assert receive(ws).kind is Kind.SYNC_STEP2
            local["texte"] = Text("écrit à travers uvicorn")
            ws.send(update_message(local.get_update()))
            echo = receive(ws)  # the room's fan-out reaches its sender too
            assert echo.kind is Kind.SYNC_UPDATE
            authorizer.deny("amina", "doc")
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    ws.recv(timeout=3)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == closecodes.FORBIDDEN
