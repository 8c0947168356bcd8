"""The Starlette WebSocket endpoint: authorize before accept, then serve the y-websocket protocol.

Order of a connection: check the document id and Origin, ask the Authorizer (a refusal
closes before accept: the client gets HTTP 403 and no frame), load the room (a failure is
accepted then closed with 4500: never an empty document), accept, join (the room sends sync
step 1 and the current presence), then read messages until the client leaves. Every message
passes the size cap, the rate limit and the guard; anything raised while handling it (a
pycrdt panic included) closes this connection only.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.types import Message
from starlette.websockets import WebSocket

from collab import closecodes
from collab.config import CollabSettings
from collab.framing import DirectSocket, WriteBatch
from collab.guard import ProtocolError
from collab.peer import Peer
from collab.protocol import MessageTooBig
from collab.registry import LoadError
from collab.room import Room
from collab.server import CollabServer

log = logging.getLogger(__name__)


def collab_route(server: CollabServer, path: str = "/collab/{document_id}") -> WebSocketRoute:
    """The route to mount: `WebsocketProvider("wss://host/collab", document_id, doc)`."""

    async def endpoint(websocket: WebSocket) -> None:
        await serve(server, websocket)

    return WebSocketRoute(path, endpoint, name="collab")


class WebSocketTransport:
    """A peer's Transport over a Starlette WebSocket.

    Data frames go straight to the ASGI `send` the WebSocket wraps: Starlette's own `send()`
    only checks the state for the handshake and close messages, which keep going through it,
    and it was a quarter of the cost of a delivery (a room sends one frame per peer per update).
    Under uvicorn, a room's prebuilt frames skip ASGI altogether (`collab.framing`).
    """

    __slots__ = ("_websocket", "_send", "direct")

    def __init__(self, websocket: WebSocket, batch: WriteBatch | None = None) -> None:
        self._websocket = websocket
        send: Callable[[Message], Coroutine[Any, Any, None]] | None = getattr(
            websocket, "_send", None
        )
        self._send = send if send is not None else websocket.send
        self.direct: DirectSocket | None = None
        if batch is not None:
            self.direct = DirectSocket.detect(getattr(websocket, "_receive", None), batch)

    def send(self, message: bytes) -> Coroutine[Any, Any, None]:
        """Send one binary frame."""
        return self._send({"type": "websocket.send", "bytes": message})

    def frame_writer(self) -> Callable[[bytes], bool] | None:
        """Under uvicorn: write a prebuilt binary frame without ASGI, if it can go now."""
        return None if self.direct is None else self.direct.write

    async def close(self, code: int, reason: str) -> None:
        """Send a close frame (after the frames taken before it)."""
        if self.direct is not None:
            self.direct.flush()
        await self._websocket.close(code, reason)


def acceptable_handshake(websocket: WebSocket, document_id: str, s: CollabSettings) -> bool:
    """A plausible document id, and an allowed Origin when origins are configured."""
    if not document_id or len(document_id) > s.max_document_id_length:
        return False
    if not document_id.isprintable():
        return False
    origin = websocket.headers.get("origin")
    return not (s.origins and origin is not None and origin not in s.origins)


async def serve(server: CollabServer, websocket: WebSocket) -> None:
    """Serve one WebSocket connection to /collab/{document_id}."""
    document_id = str(websocket.path_params.get("document_id", ""))
    if not acceptable_handshake(websocket, document_id, server.settings):
        await websocket.close(closecodes.FORBIDDEN)
        return
    try:
        grant = await server.authorizer.authorize(websocket, document_id)
    except Exception:
        log.exception("authorizer failed for %r: refused", document_id)
        grant = None
    if grant is None:
        await websocket.close(closecodes.FORBIDDEN)  # before accept: HTTP 403, no frame
        return
    try:
        room = await server.registry.acquire(document_id)
    except LoadError as exc:
        log.error("refusing %r: %s", document_id, exc)
        await websocket.accept()
        await websocket.close(closecodes.LOAD_FAILED, closecodes.REASONS[closecodes.LOAD_FAILED])
        return
    peer: Peer | None = None
    try:
        await websocket.accept()
        peer = Peer(
            WebSocketTransport(websocket, room.write_batch), grant, document_id, server.settings
        )
        server.connected(peer)
        peer.start()
        room.join(peer)
        await _read(websocket, room, peer, server.settings)
    finally:
        server.registry.release(room)
        if peer is not None:
            peer.disconnected()
            room.leave(peer)
            server.disconnected(peer)
            await peer.stop()


async def _read(websocket: WebSocket, room: Room, peer: Peer, settings: CollabSettings) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if peer.closed:
            continue  # closing: wait for the client's goodbye, apply nothing more
        data = message.get("bytes")
        if data is None:
            peer.close(closecodes.BAD_MESSAGE, "text frames are not part of the protocol")
        elif len(data) > settings.max_message_bytes:
            peer.close(closecodes.TOO_BIG)
        elif not peer.allow(len(data)):
            peer.close(closecodes.RATE_LIMITED)
        else:
            _handle(room, peer, data)


def _handle(room: Room, peer: Peer, data: bytes) -> None:
    """One message; whatever it raises closes this connection and nothing else."""
    try:
        room.receive(peer, data)
    except MessageTooBig:
        peer.close(closecodes.TOO_BIG)
    except ProtocolError as exc:
        log.info("closing %r: %s", peer, exc)
        peer.close(closecodes.BAD_MESSAGE)
    except (KeyboardInterrupt, SystemExit, asyncio.CancelledError):
        raise
    except BaseException:
        log.exception("closing %r: handling its message failed", peer)
        peer.close(closecodes.INTERNAL_ERROR)
