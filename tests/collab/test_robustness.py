"""Bad clients: malformed, crafted, oversize, panicking, flooding or slow ones close alone."""

import asyncio
from typing import Any

import pytest
from pycrdt import Doc, Text

from collab import CollabSettings, Grant, closecodes
from collab.peer import Peer
from collab.protocol import awareness_message, encode_awareness, update_message, varbytes
from tests.collab.conftest import FAST, Harness, serving
from tests.collab.test_guard import CRAFTED, FIXTURES, nested_any
from tests.collab.yclient import YClient

SMALL = CollabSettings(max_message_bytes=64 * 1024, recheck_seconds=None, maintenance_seconds=0.05)

BAD_MESSAGES = {
    **CRAFTED,
    "garbage": bytes([0xFF] * 12),
    "unknown message type": bytes([9, 0]),
    "truncated update": bytes([0, 2, 40, 1, 1]),
    "v2 update": bytes([0, 2]) + varbytes(bytes.fromhex(FIXTURES["v2"]["text"])),
    "xml hook": bytes([0, 2]) + varbytes(bytes.fromhex(FIXTURES["refused"]["xml_hook"])),
    "nested 10k deep": bytes([0, 2]) + varbytes(nested_any(10_000)),
    "awareness not JSON": awareness_message(bytes([1, 5, 1, 3]) + b"{x}"),
}


def assert_room_still_works(h: Harness, bystander: YClient) -> None:
    """Another connection of the same room keeps editing through the server."""
    with h.connect("doc", "chloe") as witness:
        witness.wait_for(lambda: witness.synced)
        text = bystander.text()
        text += " encore là"
        witness.wait_for(lambda: "encore là" in str(witness.text()))
    assert bystander.close_code is None


@pytest.mark.parametrize("name", sorted(BAD_MESSAGES))
def test_a_bad_message_closes_only_its_connection(name: str) -> None:
    with serving(settings=SMALL) as h:
        for user in ("amina", "bruno", "chloe"):
            h.authorizer.allow(user, "doc")
        with h.connect("doc", "amina") as bystander, h.connect("doc", "bruno") as culprit:
            bystander.wait_for(lambda: bystander.synced)
            culprit.wait_for(lambda: culprit.synced)
            culprit.send(BAD_MESSAGES[name])
            assert culprit.wait_closed() == closecodes.BAD_MESSAGE
            assert_room_still_works(h, bystander)


def test_an_oversize_message_closes_with_1009() -> None:
    with serving(settings=SMALL) as h:
        for user in ("amina", "bruno", "chloe"):
            h.authorizer.allow(user, "doc")
        with h.connect("doc", "amina") as bystander, h.connect("doc", "bruno") as culprit:
            bystander.wait_for(lambda: bystander.synced)
            big: Doc[Any] = Doc()
            big["texte"] = Text("é" * 40_000)  # 80 KB of UTF-8, over the 64 KiB cap
            culprit.send(update_message(big.get_update()))
            assert culprit.wait_closed() == closecodes.TOO_BIG
            assert_room_still_works(h, bystander)


def test_a_text_frame_is_a_bad_message(harness: Harness) -> None:
    with harness.connect("doc", "bruno") as culprit:
        culprit.wait_for(lambda: culprit.synced)
        culprit.session.send_text("bonjour")
        assert culprit.wait_closed() == closecodes.BAD_MESSAGE


class Panic(BaseException):
    """Stands for pyo3_runtime.PanicException, which `except Exception` does not catch."""


def test_a_pycrdt_panic_closes_only_that_connection(harness: Harness) -> None:
    with harness.connect("doc", "amina") as bystander, harness.connect("doc", "bruno") as culprit:
        bystander.wait_for(lambda: bystander.synced)
        culprit.wait_for(lambda: culprit.synced)
        room = harness.server.registry.rooms["doc"]
        real_apply = room.doc.apply_update

        def panicking(update: bytes) -> None:
            if b"panique" in update:
                raise Panic("attempt to subtract with overflow")
            real_apply(update)

        room.doc.apply_update = panicking  # type: ignore[method-assign]
        text = culprit.text()
        text += "panique"
        assert culprit.wait_closed() == closecodes.BAD_MESSAGE
        assert_room_still_works(harness, bystander)


def test_a_flood_is_rate_limited() -> None:
    settings = CollabSettings(rate_messages_per_second=10, rate_burst_messages=20, **_quick())
    with serving(settings=settings) as h:
        h.authorizer.allow("amina", "doc")
        h.authorizer.allow("bruno", "doc")
        with h.connect("doc", "amina") as calm, h.connect("doc", "bruno") as flood:
            calm.wait_for(lambda: calm.synced)
            for clock in range(1, 60):
                entry = (flood.doc.client_id, clock, '{"curseur":1}')
                flood.send(awareness_message(encode_awareness([entry])))
            assert flood.wait_closed() == closecodes.RATE_LIMITED
            assert calm.close_code is None


def test_normal_typing_is_far_below_the_default_rate_limit(harness: Harness) -> None:
    with harness.connect("doc", "amina") as typist, harness.connect("doc", "bruno") as reader:
        typist.wait_for(lambda: typist.synced)
        text = typist.text()
        for clock, letter in enumerate("Une phrase tapée très vite, lettre après lettre.", 1):
            text += letter  # one update per keystroke, and one cursor move
            typist.set_awareness({"curseur": clock})
        reader.wait_for(lambda: str(reader.text()).endswith("lettre après lettre."))
        assert typist.close_code is None


def _quick() -> dict[str, Any]:
    return {"recheck_seconds": None, "maintenance_seconds": FAST.maintenance_seconds}


class StuckTransport:
    """A client that never reads: every send blocks."""

    def __init__(self) -> None:
        self.sent = 0
        self.closed: tuple[int, str] | None = None
        self.sending = asyncio.Event()
        self.forever = asyncio.Event()

    async def send(self, message: bytes) -> None:
        self.sent += 1
        self.sending.set()
        await self.forever.wait()

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


@pytest.mark.anyio
async def test_a_slow_reader_is_closed_when_its_queue_overflows() -> None:
    settings = CollabSettings(send_queue_messages=5, close_grace_seconds=0.05)
    transport = StuckTransport()
    peer = Peer(transport, Grant("lent"), "doc", settings)
    left: list[Peer] = []
    peer.on_close = left.append
    task = peer.start()
    peer.send(b"\x00\x02\x02\x00\x00")
    await asyncio.wait_for(transport.sending.wait(), 5)  # the writer is now stuck
    for _ in range(6):
        peer.send(b"\x00\x02\x02\x00\x00")
    assert peer.close_code == closecodes.TOO_SLOW and left == [peer]
    await asyncio.wait({task}, timeout=5)
    # The writer, stuck on the first message, was abandoned and the close frame attempted.
    assert task.done() and transport.closed == (closecodes.TOO_SLOW, "too slow")
    assert transport.sent == 1


@pytest.mark.anyio
async def test_a_peer_sends_queued_messages_in_order() -> None:
    class Recorder:
        def __init__(self) -> None:
            self.messages: list[bytes] = []
            self.got_three = asyncio.Event()

        async def send(self, message: bytes) -> None:
            self.messages.append(message)
            if len(self.messages) == 3:
                self.got_three.set()

        async def close(self, code: int, reason: str) -> None:
            raise AssertionError("not closed")  # pragma: no cover

    recorder = Recorder()
    peer = Peer(recorder, Grant("ok"), "doc", CollabSettings())
    peer.start()
    for message in (b"a", b"b", b"c"):
        peer.send(message)
    await asyncio.wait_for(recorder.got_three.wait(), 5)
    assert recorder.messages == [b"a", b"b", b"c"]
    peer.disconnected()
    await peer.stop()
