"""Live events to browsers: a broker over pub/sub and the server-sent events stream at /live.

After a post is committed, `publish_post` sends one small event (topic, post, members it
notified) on the pub/sub channel: memory:// within one process, redis:// across several. Each
process's broker hands it to its open streams: a topic page's stream learns of new replies, a
member's stream that their unread count changed. Nothing leaves the server unchecked: for each
event the stream re-reads its viewer's rights (forum.services.live_events) and sends only what
they may read, the count included.

Streams end on their own: when the client goes, after MAX_STREAM_SECONDS (the browser's
EventSource reconnects), and at shutdown. uvicorn waits for open responses before it finishes
shutting down, and tells the application nothing, so a watcher looks at the signal handler
uvicorn installs and ends every stream as soon as the server is asked to stop.
"""

import asyncio
import contextlib
import hashlib
import json
import logging
import signal
import time
from collections.abc import AsyncIterator, Hashable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import State
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from collab.pubsub import PubSub, Subscription, open_pubsub
from forum.db import Database
from forum.errors import RateLimited
from forum.services import live_events
from forum.services.live_events import Viewer, ViewerGone

log = logging.getLogger(__name__)

CHANNEL = "forum:live"
HEARTBEAT_SECONDS = 20.0
MAX_STREAM_SECONDS = 600.0
RETRY_MILLISECONDS = 5000
# A browser opens at most 6 HTTP/1.1 connections to a site, for all its tabs: streams must
# leave some for the pages themselves (a refused EventSource gives up; pages still work).
MAX_STREAMS_PER_MEMBER = 4
MAX_STREAMS_PER_ADDRESS = 20  # visitors reading public topics, per IP address
QUEUE_SIZE = 64
WATCH_SECONDS = 0.5


@dataclass(frozen=True)
class LiveEvent:
    """A committed post: its topic, and the members whose unread count it changed."""

    topic_id: int
    post_id: int
    notify: tuple[int, ...] = ()

    def encode(self) -> bytes:
        """The event as pub/sub bytes."""
        return json.dumps(
            {"topic_id": self.topic_id, "post_id": self.post_id, "notify": list(self.notify)}
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> "LiveEvent | None":
        """An event from pub/sub bytes; anything malformed is None."""
        try:
            raw = json.loads(data)
            event = cls(int(raw["topic_id"]), int(raw["post_id"]), tuple(map(int, raw["notify"])))
        except (ValueError, TypeError, KeyError):
            return None
        return event


CLOSED = LiveEvent(0, 0)  # put in every queue when the broker stops


class Listener:
    """One open stream: whose it is, which topic it follows, and its queue of events."""

    def __init__(self, key: Hashable, user_id: int | None, topic_id: int | None) -> None:
        self.key = key
        self.user_id = user_id
        self.topic_id = topic_id
        self.queue: asyncio.Queue[LiveEvent] = asyncio.Queue(QUEUE_SIZE)

    def wants(self, event: LiveEvent) -> bool:
        """Is the event about this stream's topic or its member's notifications?"""
        return (self.topic_id is not None and event.topic_id == self.topic_id) or (
            self.user_id is not None and self.user_id in event.notify
        )

    def offer(self, event: LiveEvent) -> None:
        """Queue an event; a stream too slow to keep up loses it (pages still work by reload)."""
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(event)

    async def next(self, within: float) -> LiveEvent | None:
        """The next event, or None when `within` seconds pass without one."""
        try:
            async with asyncio.timeout(within):
                return await self.queue.get()
        except TimeoutError:
            return None


def _uvicorn_is_exiting() -> bool:
    """Has the uvicorn server of this process been asked to stop (its signal handler knows)?"""
    handler = signal.getsignal(signal.SIGTERM)
    server = getattr(handler, "__self__", None)
    return bool(getattr(server, "should_exit", False))


class LiveBroker:
    """The streams of this process, fed from one pub/sub channel."""

    def __init__(self, pubsub: PubSub, *, channel: str = CHANNEL) -> None:
        self.pubsub = pubsub
        self.channel = channel
        self.closing = asyncio.Event()
        self.max_stream_seconds = MAX_STREAM_SECONDS
        self.heartbeat_seconds = HEARTBEAT_SECONDS
        self._listeners: set[Listener] = set()
        self._subscription: Subscription | None = None
        self._watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Subscribe to the channel and watch for the server's shutdown."""
        self._subscription = await self.pubsub.subscribe(self.channel, self._deliver)
        self._watcher = asyncio.get_running_loop().create_task(self._watch_shutdown())

    async def _watch_shutdown(self) -> None:
        while not self.closing.is_set():
            if _uvicorn_is_exiting():
                self.stop_streams()
                return
            await asyncio.sleep(WATCH_SECONDS)

    def stop_streams(self) -> None:
        """End every open stream (and refuse new ones)."""
        self.closing.set()
        for listener in self._listeners:
            with contextlib.suppress(asyncio.QueueFull):
                listener.queue.put_nowait(CLOSED)

    async def close(self) -> None:
        """End the streams, unsubscribe, release the pub/sub connections."""
        self.stop_streams()
        if self._watcher is not None:
            self._watcher.cancel()
            # An application torn down with its loop (a failed test) can't wait any more.
            with contextlib.suppress(RuntimeError):
                await asyncio.wait({self._watcher})
        if self._subscription is not None:
            await self._subscription.close()
        await self.pubsub.close()

    async def publish(self, event: LiveEvent) -> None:
        """Send an event to every process's streams."""
        await self.pubsub.publish(self.channel, event.encode())

    def _deliver(self, data: bytes) -> None:
        event = LiveEvent.decode(data)
        if event is None:
            log.warning("live: ignored a malformed event")
            return
        for listener in self._listeners:
            if listener.wants(event):
                listener.offer(event)

    def open(
        self, key: Hashable, *, user_id: int | None, topic_id: int | None, limit: int
    ) -> Listener:
        """Register a stream; RateLimited when its owner already has `limit` open."""
        if self.closing.is_set():
            raise RateLimited(RETRY_MILLISECONDS // 1000)
        if sum(1 for listener in self._listeners if listener.key == key) >= limit:
            raise RateLimited(RETRY_MILLISECONDS // 1000)
        listener = Listener(key, user_id, topic_id)
        self._listeners.add(listener)
        return listener

    def release(self, listener: Listener) -> None:
        """Forget a finished stream."""
        self._listeners.discard(listener)

    @property
    def stream_count(self) -> int:
        """How many streams are open in this process."""
        return len(self._listeners)


def channel_for(database_url: str) -> str:
    """The channel of one forum: processes sharing a database share it, other forums don't
    (Redis channels are global, whatever the database number in the URL)."""
    return f"{CHANNEL}:{hashlib.sha256(database_url.encode()).hexdigest()[:16]}"


async def start_broker(pubsub_url: str, database_url: str) -> LiveBroker:
    """A started broker on the pub/sub named by pubsub_url (memory:// or redis://)."""
    broker = LiveBroker(open_pubsub(pubsub_url), channel=channel_for(database_url))
    await broker.start()
    return broker


# --- after commit -----------------------------------------------------------------------------


async def publish_post(state: State, post_id: int, *, new: bool = True) -> None:
    """Announce a committed post (a failure is logged, never raised: the post is written).

    An edited post (new=False) only refreshes the counts of the members it notifies now.
    """
    db: Database = state.db
    broker: LiveBroker = state.live
    try:
        published = await db.run_read(live_events.published_post, post_id=post_id)
        if published is not None:
            topic_id = published.topic_id if new else 0
            await broker.publish(LiveEvent(topic_id, published.post_id, tuple(published.notify)))
    except Exception:
        log.exception("live: could not publish post %s", post_id)


async def publish_count(state: State, user_id: int) -> None:
    """Tell a member's open pages that their unread count changed (logged on failure)."""
    broker: LiveBroker = state.live
    try:
        await broker.publish(LiveEvent(0, 0, (user_id,)))
    except Exception:
        log.exception("live: could not publish a count for member %s", user_id)


# --- the stream -------------------------------------------------------------------------------


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _stream(
    broker: LiveBroker, listener: Listener, db: Database, viewer: Viewer
) -> AsyncIterator[str]:
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        if listener.user_id is not None:
            count = await db.run_read(live_events.count_event, viewer)
            if count is not None:
                yield _sse("count", count)
        deadline = time.monotonic() + broker.max_stream_seconds
        while not broker.closing.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            event = await listener.next(min(broker.heartbeat_seconds, left))
            if event is CLOSED:
                break
            if event is None:
                yield ": ping\n\n"
                continue
            if listener.topic_id is not None and event.topic_id == listener.topic_id:
                post = await db.run_read(live_events.post_event, viewer, event.post_id)
                if post is not None:
                    yield _sse("post", post)
            if listener.user_id is not None and listener.user_id in event.notify:
                count = await db.run_read(live_events.count_event, viewer)
                if count is not None:
                    yield _sse("count", count)
    except ViewerGone:
        pass  # signed out meanwhile: the stream just ends


class EventStream(StreamingResponse):
    """A text/event-stream response that releases its listener however it ends.

    (A generator's own `finally` would not run if the client left before the first chunk.)
    """

    def __init__(self, broker: LiveBroker, listener: Listener, body: AsyncIterator[str]) -> None:
        super().__init__(
            body,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
        self.broker, self.listener = broker, listener

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.broker.release(self.listener)


def open_stream(
    broker: LiveBroker,
    db: Database,
    *,
    key: Hashable,
    limit: int,
    user_id: int | None,
    session_id: int | None,
    topic_id: int | None,
) -> EventStream:
    """The response of a new stream (RateLimited when its owner has `limit` open already)."""
    listener = broker.open(key, user_id=user_id, topic_id=topic_id, limit=limit)
    viewer = Viewer(session_id=session_id)
    return EventStream(broker, listener, _stream(broker, listener, db, viewer))
