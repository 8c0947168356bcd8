"""One connection: its grant, a bounded send queue drained by one writer task, a rate limit.

Senders never await. When nothing is queued or being sent, a transport that can write a
prebuilt frame at once (uvicorn's, see `collab.framing`) takes it; otherwise `send()` starts
the transport's send right away: a WebSocket send that does not have to wait for the socket
finishes there and then, without waking a task (per recipient of an update, that wake-up
cost more than the send). A send that has to wait, and every message behind it, goes to the
one writer task, which keeps the order. A client that reads too slowly overflows its queue
and is closed (4408) instead of making the server buffer without end or slowing the room
down.
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import Any, Protocol

from collab import closecodes
from collab.access import Grant
from collab.config import CollabSettings
from collab.framing import binary_frame

log = logging.getLogger(__name__)


class Transport(Protocol):
    """Where a peer's bytes go (the endpoint adapts a WebSocket).

    Optionally also `frame_writer() -> Callable[[bytes], bool] | None`: None, or a function
    that writes a whole prebuilt binary frame at once when the connection can take it
    without waiting, and returns False (writing nothing) when not (`collab.framing`).
    """

    def send(self, message: bytes) -> Coroutine[Any, Any, None]:
        """Send one binary message (an `async def`, or a function returning a coroutine)."""
        ...

    async def close(self, code: int, reason: str) -> None:
        """Close with a code and a reason."""
        ...


class TokenBucket:
    """`rate` tokens a second, at most `capacity` saved up."""

    __slots__ = ("rate", "capacity", "tokens", "stamp", "now")

    def __init__(self, rate: float, capacity: float, now: Callable[[], float]) -> None:
        self.rate, self.capacity, self.tokens = rate, capacity, capacity
        self.now = now
        self.stamp = now()

    def take(self, cost: float) -> bool:
        """Spend cost tokens if there are enough."""
        now = self.now()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True


class Peer:
    """A connected client of one document."""

    __slots__ = (
        "transport",
        "grant",
        "document_id",
        "awareness_ids",
        "on_close",
        "close_code",
        "close_reason",
        "dropped_updates",
        "_settings",
        "_queue",
        "_queued_bytes",
        "_wake",
        "_send_frame",
        "_write_frame",
        "_sending",
        "_idle",
        "_started_send",
        "_abandoned",
        "_task",
        "_messages",
        "_bytes",
    )

    def __init__(
        self,
        transport: Transport,
        grant: Grant,
        document_id: str,
        settings: CollabSettings,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.transport = transport
        self.grant = grant
        self.document_id = document_id
        self.awareness_ids: set[int] = set()
        self.on_close: Callable[[Peer], None] | None = None
        self.close_code: int | None = None
        self.close_reason = ""
        self.dropped_updates = 0  # updates of a read-only peer, not applied
        self._settings = settings
        self._queue: deque[bytes] = deque()
        self._queued_bytes = 0
        self._wake = asyncio.Event()
        self._send_frame = False
        frame_writer: Callable[[], Callable[[bytes], bool] | None] | None = getattr(
            transport, "frame_writer", None
        )
        self._write_frame = None if frame_writer is None else frame_writer()
        self._sending = False
        self._idle = False  # the writer waits for work: send() may send by itself
        self._started_send: tuple[Coroutine[Any, Any, None], Any] | None = None
        self._abandoned = False
        self._task: asyncio.Task[None] | None = None
        s = settings
        self._messages = TokenBucket(s.rate_messages_per_second, s.rate_burst_messages, now)
        self._bytes = TokenBucket(s.rate_bytes_per_second, s.rate_burst_bytes, now)

    def __repr__(self) -> str:
        return f"<Peer {self.grant.user_id} on {self.document_id!r}>"

    @property
    def closed(self) -> bool:
        """True once closing started: nothing more is sent, nothing received is applied."""
        return self.close_code is not None

    @property
    def writer_idle(self) -> bool:
        """The writer task waits for work: a send now goes straight out (diagnostics)."""
        return self._idle

    @property
    def writer_sending(self) -> bool:
        """The writer task is finishing a send that had to wait (diagnostics)."""
        return self._sending

    @property
    def read_only(self) -> bool:
        """The peer's document updates are dropped (its awareness still flows)."""
        return self.grant.read_only

    def allow(self, size: int) -> bool:
        """The rate limit: may this peer send us a message of size bytes now?"""
        return self._messages.take(1) and self._bytes.take(size)

    def send(self, message: bytes, frame: bytes | None = None) -> None:
        """Queue a message for this peer; close it (4408) when it cannot keep up.

        frame: the message as a binary frame, built once by a room for all its recipients.
        """
        if self.close_code is not None:
            return
        if self._idle:
            write = self._write_frame
            if write is not None and write(binary_frame(message) if frame is None else frame):
                return
            self._send_now(message)
            return
        if (
            len(self._queue) >= self._settings.send_queue_messages
            or self._queued_bytes + len(message) > self._settings.send_queue_bytes
        ):
            self.close(closecodes.TOO_SLOW)
            return
        self._queue.append(message)
        self._queued_bytes += len(message)
        self._wake.set()

    def _send_now(self, message: bytes) -> None:
        """Run the transport's send up to its first wait; hand it to the writer if it waits."""
        coroutine = self.transport.send(message)
        try:
            waiting = coroutine.send(None)
        except StopIteration:
            return
        except Exception as exc:  # the connection broke under us
            log.debug("send to %r failed: %r", self, exc)
            self._finish(closecodes.NORMAL, "", False)
            return
        except BaseException:
            coroutine.close()
            raise
        self._idle = False
        self._started_send = (coroutine, waiting)
        self._wake.set()

    def close(self, code: int, reason: str | None = None) -> None:
        """Close from the server side: stop sending data, then send a close frame."""
        self._finish(code, closecodes.REASONS.get(code, "") if reason is None else reason, True)

    def disconnected(self) -> None:
        """The client went away: no close frame to send."""
        self._finish(closecodes.NORMAL, "", False)

    def _finish(self, code: int, reason: str, send_frame: bool) -> None:
        if self.close_code is not None:
            return
        self.close_code, self.close_reason, self._send_frame = code, reason, send_frame
        self._queue.clear()
        self._queued_bytes = 0
        self._wake.set()
        self._idle = False
        started, self._started_send = self._started_send, None
        if started is not None:  # a send the writer has not taken over yet: drop it
            started[0].close()
        if self._sending and self._task is not None:
            # The writer is blocked on a client that does not read: give up on it in a while.
            loop = asyncio.get_running_loop()
            loop.call_later(self._settings.close_grace_seconds, self._abandon)
        if self.on_close is not None:
            callback, self.on_close = self.on_close, None
            callback(self)

    def _abandon(self) -> None:
        if self._task is not None and not self._task.done() and self._sending:
            self._abandoned = True
            self._task.cancel()

    def start(self) -> "asyncio.Task[None]":
        """Start the writer task (one per peer)."""
        self._task = asyncio.get_running_loop().create_task(self._write())
        return self._task

    async def _write(self) -> None:
        queue, wake, transport = self._queue, self._wake, self.transport
        try:
            while self.close_code is None:
                started = self._started_send
                if started is not None:
                    self._started_send = None
                    self._sending = True
                    try:
                        await _Finish(*started)
                    finally:
                        self._sending = False
                while queue and self.close_code is None:
                    message = queue.popleft()
                    self._queued_bytes -= len(message)
                    self._sending = True
                    try:
                        await transport.send(message)
                    finally:
                        self._sending = False
                if self.close_code is None and self._started_send is None:
                    wake.clear()
                    self._idle = True
                    try:
                        await wake.wait()
                    finally:
                        self._idle = False
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not self._abandoned or task is None:
                raise
            task.uncancel()
        except Exception as exc:  # the connection broke under us
            log.debug("send to %r failed: %r", self, exc)
            self._finish(closecodes.NORMAL, "", False)
            return
        if self._send_frame:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(self._settings.close_grace_seconds):
                    await transport.close(self.close_code or closecodes.NORMAL, self.close_reason)

    async def stop(self) -> None:
        """Wait for the writer to finish (close_grace_seconds at most, then cancel it)."""
        task = self._task
        if task is None:
            return
        await asyncio.wait({task}, timeout=self._settings.close_grace_seconds)
        if not task.done():
            task.cancel()
            await asyncio.wait({task})


class _Finish:
    """Await, inside the writer task, a send coroutine that started outside any task and
    stopped at `waiting` (what it awaits): its waits become the task's, as if it had been
    awaited from the start. Cancelling the task cancels the send."""

    __slots__ = ("coroutine", "waiting")

    def __init__(self, coroutine: Coroutine[Any, Any, None], waiting: Any) -> None:
        self.coroutine, self.waiting = coroutine, waiting

    def __await__(self) -> Generator[Any, None, None]:
        coroutine, waiting = self.coroutine, self.waiting
        while True:
            try:
                yield waiting
            except BaseException as exc:  # thrown into the task: cancellation
                try:
                    waiting = coroutine.throw(exc)
                except StopIteration:
                    return
                continue
            try:
                waiting = coroutine.send(None)
            except StopIteration:
                return
