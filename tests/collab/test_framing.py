"""Prebuilt frames: the encoder against websockets' own parser, the direct writer's rules
(one write per connection and pass, refusals that keep flow control, nothing after a close),
and a peer that uses it when its writer is idle and falls back to ASGI when it must."""

import asyncio
from collections.abc import Generator
from typing import Any

import pytest
from websockets.frames import Frame, Opcode
from websockets.protocol import CLOSING, OPEN, State
from websockets.streams import StreamReader

from collab import CollabSettings, Grant
from collab.framing import MAX_PENDING_BYTES, DirectSocket, WriteBatch, binary_frame
from collab.peer import Peer
from tests.collab.waiting import until


def parse(data: bytes) -> Frame:
    """Parse data with websockets' frame parser, as a client (server frames are unmasked)."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser: Generator[None, None, Frame] = Frame.parse(
        reader.read_exact, mask=False, max_size=None, extensions=None
    )
    try:
        next(parser)
    except StopIteration as done:
        frame: Frame = done.value
        return frame
    raise AssertionError("incomplete frame")  # pragma: no cover


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_binary_frame_is_what_websockets_parses_and_builds(size: int) -> None:
    payload = bytes(i % 251 for i in range(size))
    data = binary_frame(payload)
    frame = parse(data)
    assert frame.opcode is Opcode.BINARY and frame.fin and frame.data == payload
    assert not (frame.rsv1 or frame.rsv2 or frame.rsv3)
    assert data == Frame(Opcode.BINARY, payload).serialize(mask=False)


def test_detect_refuses_whatever_is_not_uvicorn() -> None:
    async def receive() -> dict[str, Any]:  # pragma: no cover
        return {}

    class Other:
        async def receive(self) -> dict[str, Any]:  # pragma: no cover
            return {}

    batch = WriteBatch()
    assert DirectSocket.detect(receive, batch) is None
    assert DirectSocket.detect(Other().receive, batch) is None
    assert DirectSocket.detect(None, batch) is None


class FakeConn:
    def __init__(self) -> None:
        self.state: State = OPEN


class FakeTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closing


class FakeProtocol:
    """What DirectSocket uses of uvicorn's WebSocketsSansIOProtocol."""

    def __init__(self) -> None:
        self.conn = FakeConn()
        self.writable = asyncio.Event()
        self.writable.set()
        self.transport = FakeTransport()


async def end_of_pass() -> None:
    """Let the event loop finish its pass: the moment a WriteBatch flushes is what these tests
    are about (its flush is scheduled with call_soon), so one turn is the behaviour, not a wait."""
    await asyncio.sleep(0)


def direct() -> tuple[DirectSocket, FakeProtocol, WriteBatch]:
    protocol, batch = FakeProtocol(), WriteBatch()
    return DirectSocket(protocol, batch), protocol, batch


@pytest.mark.anyio
async def test_frames_of_one_pass_go_out_in_one_write() -> None:
    socket, protocol, _batch = direct()
    assert socket.write(b"a") and socket.write(b"b") and socket.write(b"c")
    assert protocol.transport.writes == []  # not before the pass ends
    await end_of_pass()
    assert protocol.transport.writes == [b"abc"] and socket.frames == 3
    assert socket.write(b"d")
    await end_of_pass()
    assert protocol.transport.writes == [b"abc", b"d"]


@pytest.mark.anyio
async def test_a_full_buffer_or_a_close_refuses_and_nothing_follows_a_close() -> None:
    socket, protocol, _batch = direct()
    protocol.writable.clear()  # above the high-water mark: the caller queues (flow control)
    assert not socket.write(b"x")
    protocol.writable.set()
    assert socket.write(b"taken")
    protocol.conn.state = CLOSING  # a close went out before this pass ended
    assert socket.write(b"after")  # taken with the rest: refusing now would reorder
    await end_of_pass()
    assert protocol.transport.writes == []  # dropped: no data frame after a close frame
    assert not socket.write(b"later")
    protocol.conn.state = OPEN
    protocol.transport.closing = True
    assert not socket.write(b"later")


@pytest.mark.anyio
async def test_pending_bytes_are_bounded() -> None:
    socket, protocol, _batch = direct()
    chunk = b"x" * (MAX_PENDING_BYTES // 2)
    assert socket.write(chunk) and socket.write(chunk)
    assert protocol.transport.writes == []
    assert socket.write(b"y")  # past the bound: written at once, in order
    assert protocol.transport.writes == [chunk + chunk + b"y"]
    await end_of_pass()
    assert len(protocol.transport.writes) == 1


class FramedTransport:
    """A transport with a frame writer that can be told to refuse."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.frames: list[bytes] = []
        self.refuse = False
        self.closed: tuple[int, str] | None = None

    async def send(self, message: bytes) -> None:
        self.sent.append(message)

    def frame_writer(self) -> Any:
        def write(frame: bytes) -> bool:
            if self.refuse:
                return False
            self.frames.append(frame)
            return True

        return write

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


@pytest.mark.anyio
async def test_a_peer_writes_prebuilt_frames_when_idle_and_falls_back_to_send() -> None:
    transport = FramedTransport()
    peer = Peer(transport, Grant("amina"), "doc", CollabSettings())
    peer.send(b"queued")  # the writer has not started: queued, then sent through send()
    peer.start()
    await until(lambda: peer.writer_idle)
    assert transport.sent == [b"queued"]
    peer.send(b"one", binary_frame(b"one"))
    peer.send(b"two")  # framed by the peer itself
    assert transport.frames == [binary_frame(b"one"), binary_frame(b"two")]
    transport.refuse = True
    peer.send(b"three", binary_frame(b"three"))
    assert transport.sent == [b"queued", b"three"]
    peer.close(1000)
    await peer.stop()
    assert transport.closed is not None
