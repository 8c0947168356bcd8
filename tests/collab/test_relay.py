"""Two instances joined by pub/sub: updates and presence cross, are stored once, gaps heal."""

import asyncio
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import anyio
import pytest
from starlette.testclient import TestClient

from collab import CollabServer, CollabSettings, MemoryPubSub, MemoryUpdateStore, PubSub
from collab.pubsub import open_pubsub
from tests.collab.conftest import FakeAuthorizer, Harness, make_app
from tests.collab.yclient import YClient

SETTINGS = CollabSettings(resync_seconds=0.2, recheck_seconds=None, maintenance_seconds=0.05)


class DroppingPubSub(MemoryPubSub):
    """Memory pub/sub that loses the messages published while `dropping` is set."""

    dropping = False
    dropped = 0

    async def publish(self, channel: str, message: bytes) -> None:
        if self.dropping:
            self.dropped += 1
            return
        await super().publish(channel, message)


def redis_pubsub() -> PubSub:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return open_pubsub("redis://127.0.0.1:6379/0")


@contextmanager
def two_instances(make_pubsub: Callable[[], PubSub], store: MemoryUpdateStore) -> Iterator[Harness]:
    """Instances /a and /b of one document, sharing a store and pub/sub channels."""
    authorizer = FakeAuthorizer()
    for user in ("amina", "bruno"):
        authorizer.allow(user, "doc")
    prefix = f"test-{uuid.uuid4().hex}:"  # channels of this test only (Redis is shared)
    servers = [
        CollabServer(
            store=store,
            authorizer=authorizer,
            pubsub=make_pubsub(),
            settings=SETTINGS,
            channel_prefix=prefix,
        )
        for _ in range(2)
    ]
    with TestClient(make_app(("/a", servers[0]), ("/b", servers[1]))) as client:
        yield Harness(client, servers[0], authorizer)


def has_everything(client: YClient) -> bool:
    text = str(client.text())
    return (
        "Réunion du bureau. " in text
        and "Ordre du jour : trésorerie." in text
        and client.map().to_py() == {"lieu": "salle des fêtes"}
    )


def memory_pair() -> Callable[[], PubSub]:
    shared = MemoryPubSub()
    return lambda: shared


BACKENDS = [
    pytest.param(memory_pair, id="memory"),
    pytest.param(lambda: redis_pubsub, id="redis", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_edits_and_presence_cross_instances_and_are_stored_once(backend: Any) -> None:
    store = MemoryUpdateStore()
    with two_instances(backend(), store) as h:
        with h.connect("doc", "amina", "/a") as a, h.connect("doc", "bruno", "/b") as b:
            a.wait_for(lambda: a.synced)
            b.wait_for(lambda: b.synced)
            text_a, text_b = a.text(), b.text()
            text_a += "Réunion du bureau. "
            text_b += "Ordre du jour : trésorerie."
            a.map()["lieu"] = "salle des fêtes"
            for client in (a, b):
                client.wait_for(partial(has_everything, client))
            assert str(a.text()) == str(b.text())
            a.set_awareness({"user": {"name": "Amina"}})
            b.wait_for(lambda: a.doc.client_id in b.presence)
        with h.connect("doc", "bruno", "/b") as watcher:
            # amina's connection to /a closed: /b's clients see her leave.
            watcher.wait_for(lambda: watcher.synced)
            watcher.wait_for(lambda: a.doc.client_id not in watcher.presence)
    assert len(store.rows["doc"]) == 3  # three edits, each stored by its own instance only


def test_a_lost_message_is_healed_by_resync() -> None:
    pubsub = DroppingPubSub()
    with two_instances(lambda: pubsub, MemoryUpdateStore()) as h:
        with h.connect("doc", "amina", "/a") as a, h.connect("doc", "bruno", "/b") as b:
            a.wait_for(lambda: a.synced)
            b.wait_for(lambda: b.synced)
            pubsub.dropping = True
            text = a.text()
            text += "perdu en route, puis retrouvé"
            room_a = h.server.registry.rooms["doc"]
            a.wait_for(lambda: "retrouvé" in str(room_a.doc.get("texte", type=type(text))))
            a.wait_for(lambda: pubsub.dropped > 0)
            pubsub.dropping = False
            b.wait_for(lambda: str(b.text()) == "perdu en route, puis retrouvé")


@pytest.mark.slow
def test_redis_carries_bytes_unchanged() -> None:
    pubsub = redis_pubsub()
    received: list[bytes] = []
    channel = f"test-{uuid.uuid4().hex}"
    payload = bytes(range(256)) + "é".encode()

    async def roundtrip() -> None:
        got = asyncio.Event()

        def callback(message: bytes) -> None:
            received.append(message)
            got.set()

        subscription = await pubsub.subscribe(channel, callback)
        await pubsub.publish(channel, payload)
        await asyncio.wait_for(got.wait(), 5)
        await subscription.close()
        await pubsub.close()

    anyio.run(roundtrip)
    assert received == [payload] and type(received[0]) is bytes
