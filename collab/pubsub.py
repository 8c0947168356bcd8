"""PubSub: bytes published on named channels; memory:// in one process, redis:// across several."""

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from redis.asyncio.client import PubSub as RedisPubSubConnection

log = logging.getLogger(__name__)

Callback = Callable[[bytes], None]


class Subscription(Protocol):
    """One callback subscribed to one channel."""

    async def close(self) -> None:
        """Stop receiving."""
        ...


class PubSub(Protocol):
    """Publish/subscribe of bytes (never text) by channel name."""

    async def publish(self, channel: str, message: bytes) -> None:
        """Send message to every subscriber of channel (this process's included)."""
        ...

    async def subscribe(self, channel: str, callback: Callback) -> Subscription:
        """Call callback(message) for each message on channel, on the event loop."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def open_pubsub(url: str) -> PubSub:
    """The backend named by url: `memory://`, or `redis://host:port/db` (needs `redis`)."""
    scheme = url.partition("://")[0].lower()
    if scheme == "memory":
        return MemoryPubSub()
    if scheme in ("redis", "rediss", "unix"):
        return RedisPubSub(url)
    raise ValueError(f"unknown pub/sub URL scheme: {scheme!r}")


class _Subscription:
    __slots__ = ("_owner", "channel", "callback")

    def __init__(self, owner: "MemoryPubSub | RedisPubSub", channel: str, callback: Callback):
        self._owner, self.channel, self.callback = owner, channel, callback

    def deliver(self, message: bytes) -> None:
        try:
            self.callback(message)
        except Exception:
            log.exception("pub/sub callback failed on %r", self.channel)

    async def close(self) -> None:
        await self._owner._unsubscribe(self)


class MemoryPubSub:
    """In-process pub/sub; delivery is asynchronous (call_soon), as with Redis."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, list[_Subscription]] = {}

    async def publish(self, channel: str, message: bytes) -> None:
        """Deliver to the channel's subscribers on the next loop iterations."""
        loop = asyncio.get_running_loop()
        for subscription in self._subscriptions.get(channel, ()):
            loop.call_soon(subscription.deliver, bytes(message))

    async def subscribe(self, channel: str, callback: Callback) -> Subscription:
        """Subscribe callback to channel."""
        subscription = _Subscription(self, channel, callback)
        self._subscriptions.setdefault(channel, []).append(subscription)
        return subscription

    async def _unsubscribe(self, subscription: _Subscription) -> None:
        subscribers = self._subscriptions.get(subscription.channel, [])
        if subscription in subscribers:
            subscribers.remove(subscription)
        if not subscribers:
            self._subscriptions.pop(subscription.channel, None)

    async def close(self) -> None:
        """Forget every subscription."""
        self._subscriptions.clear()


class RedisPubSub:
    """Redis PUBLISH/SUBSCRIBE through redis.asyncio: one connection for publishing (a pool),
    one for subscriptions read by one task. Messages lost while Redis reconnects are healed by
    the relay's periodic state-vector resync."""

    def __init__(self, url: str) -> None:
        try:
            from redis.asyncio import Redis
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError("redis:// pub/sub needs the `redis` package") from exc
        self._redis: Redis = Redis.from_url(url)
        self._pubsub: RedisPubSubConnection = self._redis.pubsub()
        self._subscriptions: dict[bytes, list[_Subscription]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def publish(self, channel: str, message: bytes) -> None:
        """PUBLISH the bytes as they are."""
        await self._redis.publish(channel, message)

    async def subscribe(self, channel: str, callback: Callback) -> Subscription:
        """SUBSCRIBE (once per channel) and start the reader task."""
        key = channel.encode()
        subscription = _Subscription(self, channel, callback)
        first = key not in self._subscriptions
        self._subscriptions.setdefault(key, []).append(subscription)
        if first:
            try:
                await self._pubsub.subscribe(key)
            except BaseException:
                self._subscriptions.pop(key, None)
                raise
        if self._reader is None:
            self._reader = asyncio.get_running_loop().create_task(self._read())
        return subscription

    async def _unsubscribe(self, subscription: _Subscription) -> None:
        key = subscription.channel.encode()
        subscribers = self._subscriptions.get(key, [])
        if subscription in subscribers:
            subscribers.remove(subscription)
        if not subscribers and self._subscriptions.pop(key, None) is not None:
            await self._pubsub.unsubscribe(key)

    async def _read(self) -> None:
        while True:
            try:
                message: dict[str, Any] | None = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading from Redis failed; retrying")
                await asyncio.sleep(1.0)
                continue
            if message is None or message.get("type") != "message":
                continue
            for subscription in tuple(self._subscriptions.get(message["channel"], ())):
                subscription.deliver(message["data"])

    async def close(self) -> None:
        """Stop reading, close both connections."""
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.wait({self._reader})
            self._reader = None
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._redis.aclose()
