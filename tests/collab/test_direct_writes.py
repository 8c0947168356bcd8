"""Over a real uvicorn: a room's frames skip ASGI (an upgrade that silently turns that off
fails here), and a client that stops reading is still closed as too slow (4408)."""

import socket
from typing import Any, cast

import pytest
from pycrdt import Doc, Text
from websockets.sync.client import connect

from collab import CollabServer, CollabSettings, MemoryUpdateStore, closecodes
from collab.endpoint import WebSocketTransport
from collab.protocol import Kind, sync_step1, update_message
from tests.collab.conftest import FakeAuthorizer
from tests.collab.test_uvicorn import receive, running
from tests.collab.yclient import wait_until

pytestmark = pytest.mark.slow


def make_server(**settings: Any) -> CollabServer:
    authorizer = FakeAuthorizer()
    for user in ("amina", "basile"):
        authorizer.allow(user, "doc")
    return CollabServer(
        store=MemoryUpdateStore(),
        authorizer=authorizer,
        settings=CollabSettings(recheck_seconds=None, **settings),
    )


def test_a_rooms_frames_go_straight_to_uvicorns_transport() -> None:
    server = make_server()
    with running(server, ws="auto") as base:  # what `forum serve` gets
        with (
            connect(f"{base}/collab/doc?user=amina", open_timeout=5) as amina,
            connect(f"{base}/collab/doc?user=basile", open_timeout=5) as basile,
        ):
            for ws in (amina, basile):
                assert receive(ws).kind is Kind.SYNC_STEP1
            wait_until(lambda: len(server.peers(document_id="doc")) == 2, timeout=5)
            local: Doc[Any] = Doc()
            amina.send(sync_step1(local.get_state()))
            assert receive(amina).kind is Kind.SYNC_STEP2
            local["texte"] = Text("par le chemin direct")
            amina.send(update_message(local.get_update()))
            for ws in (amina, basile):
                assert receive(ws).kind is Kind.SYNC_UPDATE
            transports = [
                cast(WebSocketTransport, peer.transport) for peer in server.peers(document_id="doc")
            ]
            assert all(t.direct is not None and t.direct.frames >= 1 for t in transports)


def small_socket(base: str) -> socket.socket:
    """A connected client socket with a small receive buffer: the server's fills sooner."""
    host, port = base.removeprefix("ws://").rsplit(":", 1)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    return sock


def test_a_client_that_stops_reading_is_closed_as_too_slow() -> None:
    server = make_server(
        send_queue_messages=64,
        send_queue_bytes=256 * 1024,
        close_grace_seconds=0.2,  # the writer blocked on the client that does not read
        rate_bytes_per_second=1e9,
        rate_burst_bytes=1_000_000_000,
    )
    with running(server) as base:
        with (
            connect(f"{base}/collab/doc?user=amina", open_timeout=5, max_size=None) as amina,
            connect(
                f"{base}/collab/doc?user=basile", sock=small_socket(base), close_timeout=0.1
            ) as _b,
        ):
            wait_until(lambda: len(server.peers(user_id="basile")) == 1, timeout=5)
            slow = server.peers(user_id="basile")[0]
            local: Doc[Any] = Doc()
            text = local.get("texte", type=Text)
            for i in range(400):  # 40 MB at most; kernel buffers hold a few
                if slow.close_code is not None:
                    break
                before = local.get_state()
                text += f"{i:06d}" + "x" * 100_000
                amina.send(update_message(local.get_update(before)))
                while receive(amina).kind is not Kind.SYNC_UPDATE:  # her echo
                    pass
            wait_until(lambda: slow.close_code is not None, timeout=5)
            assert slow.close_code == closecodes.TOO_SLOW
            direct = cast(WebSocketTransport, slow.transport).direct
            assert direct is not None and direct.frames > 0  # direct first, queued at the end
