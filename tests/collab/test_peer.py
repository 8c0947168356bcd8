"""A peer's sending: straight through while the socket keeps up, in order through its writer
task when a send has to wait, and closed cleanly whichever way it fails."""

import asyncio

import pytest

from collab import CollabSettings, Grant, closecodes
from collab.peer import Peer
from tests.collab.waiting import until

GRANT = Grant("amina", "Amina")


class SlowTransport:
    """Records what was sent; while `blocked` is clear, a send waits for it (a full socket)."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.blocked = asyncio.Event()
        self.blocked.set()
        self.waiting = 0
        self.failing = False
        self.closed: tuple[int, str] | None = None
        self.delivered = asyncio.Event()

    async def send(self, message: bytes) -> None:
        if self.failing:
            raise ConnectionResetError("gone")
        if not self.blocked.is_set():
            self.waiting += 1
            try:
                await self.blocked.wait()
            finally:
                self.waiting -= 1
        self.sent.append(message)
        self.delivered.set()

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


async def started_peer(transport: SlowTransport, **settings: float) -> Peer:
    peer = Peer(transport, GRANT, "doc", CollabSettings(**settings))  # type: ignore[arg-type]
    peer.start()
    await until(lambda: peer.writer_idle)  # the writer started and waits for work
    return peer


@pytest.mark.anyio
async def test_sends_go_out_at_once_while_the_socket_keeps_up() -> None:
    transport = SlowTransport()
    peer = await started_peer(transport)
    peer.send(b"un")
    peer.send(b"deux")
    assert transport.sent == [b"un", b"deux"]  # no task switch was needed
    peer.close(closecodes.GOING_AWAY)
    await asyncio.wait_for(peer.stop(), 5)
    assert transport.closed is not None and transport.closed[0] == closecodes.GOING_AWAY


@pytest.mark.anyio
async def test_a_send_that_waits_is_finished_by_the_writer_in_order() -> None:
    transport = SlowTransport()
    peer = await started_peer(transport)
    transport.blocked.clear()
    for word in (b"un", b"deux", b"trois"):
        peer.send(word)
    assert transport.sent == [] and transport.waiting == 1  # the first one waits
    await until(lambda: peer.writer_sending)  # the writer took it over
    transport.blocked.set()
    async with asyncio.timeout(5):
        while len(transport.sent) < 3:
            transport.delivered.clear()
            await transport.delivered.wait()
    assert transport.sent == [b"un", b"deux", b"trois"]
    peer.send(b"quatre")  # the writer is idle again: straight through
    assert transport.sent[-1] == b"quatre"
    peer.close(closecodes.GOING_AWAY)
    await asyncio.wait_for(peer.stop(), 5)


@pytest.mark.anyio
async def test_a_send_stuck_on_a_client_that_never_reads_is_abandoned() -> None:
    transport = SlowTransport()
    peer = await started_peer(transport, close_grace_seconds=0.1)
    transport.blocked.clear()
    peer.send(b"jamais lu")
    await until(lambda: peer.writer_sending)  # the writer took the waiting send over
    assert transport.waiting == 1
    peer.close(closecodes.FORBIDDEN, "retiré")
    await asyncio.wait_for(peer.stop(), 5)
    assert transport.waiting == 0 and transport.sent == []
    assert peer.close_code == closecodes.FORBIDDEN


@pytest.mark.anyio
async def test_closing_drops_a_waiting_send_not_taken_over_yet() -> None:
    transport = SlowTransport()
    peer = await started_peer(transport)
    transport.blocked.clear()
    peer.send(b"en attente")
    assert transport.waiting == 1
    peer.close(closecodes.GOING_AWAY)  # before the writer ran
    assert transport.waiting == 0  # the started send was closed, not left dangling
    await asyncio.wait_for(peer.stop(), 5)
    assert transport.sent == []


@pytest.mark.anyio
async def test_a_broken_connection_closes_the_peer_only() -> None:
    transport = SlowTransport()
    peer = await started_peer(transport)
    gone: list[Peer] = []
    peer.on_close = gone.append
    transport.failing = True
    peer.send(b"perdu")
    assert gone == [peer] and peer.closed and peer.close_code == closecodes.NORMAL
    peer.send(b"ignored")  # closed: nothing more is attempted
    await asyncio.wait_for(peer.stop(), 5)
    assert transport.closed is None  # the client is gone: no close frame
