"""A room's outgoing WebSocket frames: built once per message, written straight to uvicorn.

Through ASGI, every recipient of an update paid for a coroutine, uvicorn's `send`, the
websockets library's frame serialisation and one socket write: most of the server's CPU,
for bytes that are the same for every recipient. A server frame is not masked, so it is
the same bytes for every connection: `binary_frame()` builds it once, and `DirectSocket`
hands it to the connection's asyncio transport (what websockets' own `broadcast()` does).

Only when that is safe: the connection is served by uvicorn's websockets-sansio protocol
(detected from the ASGI `receive` callable, a bound method of it), no extension was
negotiated (permessage-deflate would have to compress), the WebSocket is OPEN (no close
sent or received), the transport is not closing and its buffer is below the high-water
mark (uvicorn's `writable`). Otherwise `write()` says no and the peer falls back to the
ASGI path, which keeps flow control (the peer's queue, then 4408). Any other ASGI server,
Starlette's TestClient included, always takes the ASGI path.

Frames written during one pass of the event loop wait in a `WriteBatch` and go out as one
`transport.write` per connection when the pass ends (a bounded number of bytes: past
`MAX_PENDING_BYTES` a connection's frames go out at once): under load, one system call
carries several updates. Control frames (pong, close) are written by uvicorn directly, at
frame boundaries; a close always finds the data before it written or dropped: frames wait
only while nothing else goes through ASGI for that peer (`Peer.send` tries this path only
when its writer is idle; a refusal happens only with nothing waiting; the transport's
`close()` flushes first), and `flush()` drops them once the WebSocket is no longer OPEN.
"""

import asyncio
import struct
from typing import Any

try:  # uvicorn is optional: without it (or with another ASGI server) frames go through ASGI
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    from websockets.protocol import OPEN, SERVER
except ImportError:  # pragma: no cover
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]

FIN_BINARY = 0x82  # FIN set, opcode 2 (binary); the second byte's MASK bit stays clear
MAX_PENDING_BYTES = 64 * 1024  # asyncio's and uvloop's default high-water mark
_MEDIUM = struct.Struct("!BBH")
_LONG = struct.Struct("!BBQ")


def binary_frame(payload: bytes) -> bytes:
    """One unfragmented, unmasked binary frame (RFC 6455 5.2), as a server sends it."""
    size = len(payload)
    if size < 126:
        return bytes((FIN_BINARY, size)) + payload
    if size < 65536:
        return _MEDIUM.pack(FIN_BINARY, 126, size) + payload
    return _LONG.pack(FIN_BINARY, 127, size) + payload


class WriteBatch:
    """Connections with frames waiting for the end of this pass of the event loop."""

    __slots__ = ("_dirty",)

    def __init__(self) -> None:
        self._dirty: list[DirectSocket] = []

    def add(self, socket: "DirectSocket") -> None:
        """Flush socket when this pass of the event loop ends."""
        if not self._dirty:
            asyncio.get_running_loop().call_soon(self.flush)
        self._dirty.append(socket)

    def flush(self) -> None:
        """Write what every connection of the batch has waiting."""
        dirty, self._dirty = self._dirty, []
        for socket in dirty:
            socket.flush()


class DirectSocket:
    """Writes whole prebuilt frames to a uvicorn WebSocket connection's transport."""

    __slots__ = (
        "_protocol",
        "_conn",
        "_writable",
        "_transport",
        "_batch",
        "_pending",
        "_size",
        "frames",
    )

    def __init__(self, protocol: Any, batch: WriteBatch) -> None:
        self._protocol = protocol
        self._conn = protocol.conn
        self._writable: asyncio.Event = protocol.writable
        self._transport: asyncio.Transport = protocol.transport
        self._batch = batch
        self._pending: list[bytes] | None = None
        self._size = 0
        self.frames = 0  # frames written this way (diagnostics, and the tests' evidence)

    @classmethod
    def detect(cls, receive: object, batch: WriteBatch) -> "DirectSocket | None":
        """The direct writer of the connection whose ASGI `receive` this is, if it has one."""
        protocol = getattr(receive, "__self__", None)
        if WebSocketsSansIOProtocol is None or type(protocol) is not WebSocketsSansIOProtocol:
            return None
        conn = getattr(protocol, "conn", None)
        if (
            getattr(conn, "side", None) is not SERVER
            or getattr(conn, "extensions", True)  # negotiated extensions transform frames
            or not isinstance(getattr(protocol, "writable", None), asyncio.Event)
            or not callable(getattr(getattr(protocol, "transport", None), "write", None))
        ):
            return None
        return cls(protocol, batch)

    def write(self, frame: bytes) -> bool:
        """Take frame for this pass's write, or say no (closing, or the buffer is full)."""
        pending = self._pending
        if pending is not None:  # taken this pass already: open and writable then
            pending.append(frame)
            self.frames += 1
            self._size += len(frame)
            if self._size > MAX_PENDING_BYTES:
                self.flush()
            return True
        if (
            not self._writable.is_set()
            or self._conn.state is not OPEN
            or self._transport.is_closing()
        ):
            return False
        self._pending = [frame]
        self._size = len(frame)
        self.frames += 1
        self._batch.add(self)
        return True

    def flush(self) -> None:
        """Write the frames taken so far (dropped if the WebSocket is no longer OPEN)."""
        pending = self._pending
        if pending is None:
            return
        self._pending = None
        if self._conn.state is OPEN and not self._transport.is_closing():
            self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))
