"""Live events: the broker, the /live stream over a real uvicorn, privacy, shutdown, Redis.

Streams are read with httpx over loopback from a uvicorn server (in a thread, or a real
`forum serve` process when signals or several processes matter): an in-process ASGI client
would wait for the endless response to finish.
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
import uvicorn
from starlette.applications import Starlette

from collab.pubsub import MemoryPubSub
from forum.db import Database
from forum.errors import RateLimited
from forum.live import MAX_STREAMS_PER_MEMBER, LiveBroker, LiveEvent, channel_for
from forum.services import groups as group_service
from forum.services import tokens as token_service
from forum.settings import Settings
from tests.conftest import PASSWORD, MakeMember, Member
from tests.discussions import (
    MEMBERS_BOARD,
    PUBLIC_BOARD,
    A,
    People,
    arrange_people,
    new_topic,
    soup,
)

TIMEOUT = 10.0


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Poll a condition until it holds, or fail."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, f"condition not met within {timeout}s"
        pause.wait(0.02)


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve the app with uvicorn on a free loopback port, in a thread; yield its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "uvicorn did not stop"


@contextmanager
def browser(base: str, member: Member | None = None) -> Iterator[httpx2.Client]:
    """An HTTP client of the server, signed in through the real form when a member is given."""
    with httpx2.Client(base_url=base, timeout=TIMEOUT) as client:
        if member is not None:
            response = client.post("/login", data={"login": member.login, "password": PASSWORD})
            assert response.status_code == 303, response.text
        yield client


class Events:
    """Server-sent events read from a streaming response."""

    def __init__(self, response: httpx2.Response) -> None:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        self.lines = response.iter_lines()
        self.comments: list[str] = []

    def next(self) -> tuple[str, dict[str, Any]]:
        """The next event (name, data); comments and the retry field are skipped."""
        name, data = "message", None
        for line in self.lines:
            if line == "":
                if data is not None:
                    return name, json.loads(data)
                name = "message"
            elif line.startswith(":"):
                self.comments.append(line)
            elif line.startswith("event:"):
                name = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data = line.removeprefix("data:").strip()
        raise EOFError("the stream ended")

    def rest(self) -> list[str]:
        """Every line until the stream ends."""
        return list(self.lines)


def bearer(db: Database, member: Member) -> dict[str, str]:
    token, _row = db.transaction(token_service.create_token, user_id=member.id, name="live")
    return {"Authorization": f"Bearer {token}"}


def reply(base: str, headers: dict[str, str], topic_id: int, body: str = "Réponse.") -> int:
    """Reply through the JSON API of a running server: the new post's id."""
    response = httpx2.post(
        f"{base}/api/v1/topics/{topic_id}/posts", json={"body": body}, headers=headers
    )
    assert response.status_code == 201, response.text
    post_id: int = response.json()["id"]
    return post_id


# --- the broker alone -------------------------------------------------------------------------


def test_events_travel_as_bytes_and_garbage_is_ignored() -> None:
    event = LiveEvent(3, 14, (1, 5))
    assert LiveEvent.decode(event.encode()) == event
    for junk in (b"", b"\xff", b"[]", b'{"topic_id": "x"}', b'{"topic_id": 1, "post_id": 2}'):
        assert LiveEvent.decode(junk) is None
    assert channel_for("sqlite:///a.db") != channel_for("sqlite:///b.db")
    assert "secret" not in channel_for("postgresql://u:secret@h/db")


def test_the_broker_routes_by_topic_and_member_and_caps_streams() -> None:
    async def scenario() -> None:
        broker = LiveBroker(MemoryPubSub(), channel="test")
        await broker.start()
        reader = broker.open("visitor", user_id=None, topic_id=7, limit=2)
        member = broker.open(("member", 1), user_id=1, topic_id=None, limit=2)
        await broker.publish(LiveEvent(7, 70, (2,)))
        await broker.publish(LiveEvent(8, 80, (1,)))
        await broker.pubsub.publish("test", b"not json")
        await broker.publish(LiveEvent(9, 90, ()))
        assert await reader.next(TIMEOUT) == LiveEvent(7, 70, (2,))
        assert await member.next(TIMEOUT) == LiveEvent(8, 80, (1,))
        assert await reader.next(0.05) is None and await member.next(0.05) is None
        broker.open(("member", 1), user_id=1, topic_id=3, limit=2)
        with pytest.raises(RateLimited):
            broker.open(("member", 1), user_id=1, topic_id=4, limit=2)
        assert broker.stream_count == 3
        broker.release(member)
        assert broker.stream_count == 2
        await broker.close()
        assert reader.queue.get_nowait().post_id == 0  # told to stop
        with pytest.raises(RateLimited):
            broker.open("late", user_id=None, topic_id=1, limit=2)

    asyncio.run(scenario())


# --- the stream, over a real server -----------------------------------------------------------


def test_an_open_topic_hears_of_replies_and_the_count_follows(
    people: People, app: Starlette, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    chloe = bearer(db, people.moderator_a)
    with serving(app) as base, browser(base, people.member_a) as amina:
        with amina.stream("GET", f"/live?topic={topic_id}") as response:
            assert response.headers["cache-control"] == "no-store"
            events = Events(response)
            assert events.next() == ("count", {"unread": 0})
            post_id = reply(base, chloe, topic_id)
            assert events.next() == (
                "post",
                {
                    "topic_id": topic_id,
                    "post_id": post_id,
                    "number": 2,
                    "page": 1,
                    "author": "Chloé Petit",
                },
            )
            assert events.next() == ("count", {"unread": 1})


def test_a_member_of_another_group_gets_nothing_not_even_the_count(
    people: People, app: Starlette, db: Database
) -> None:
    private, _first = new_topic(db, people.member_a, A)
    common, _f = new_topic(db, people.member_a, MEMBERS_BOARD)
    chloe, amina = bearer(db, people.moderator_a), bearer(db, people.member_a)
    with serving(app) as base, browser(base, people.member_b) as bruno:
        assert bruno.get(f"/live?topic={private}").status_code == 404
        with bruno.stream("GET", "/live") as response:
            events = Events(response)
            assert events.next() == ("count", {"unread": 0})
            reply(base, chloe, private, "Et @bruno, qu'en dit-il ?")  # he can't read it
            mention = reply(base, amina, common, "@bruno, à toi.")
            # Events arrive in order: the first one delivered is the second post's count.
            assert events.next() == ("count", {"unread": 1})
            assert mention


def test_losing_access_stops_the_events_at_once(
    people: People, app: Starlette, db: Database
) -> None:
    private, _first = new_topic(db, people.member_a, A)
    common, _f = new_topic(db, people.member_b, MEMBERS_BOARD)
    chloe, bruno = bearer(db, people.moderator_a), bearer(db, people.member_b)
    with serving(app) as base, browser(base, people.member_a) as amina:
        with amina.stream("GET", f"/live?topic={private}") as response:
            events = Events(response)
            assert events.next() == ("count", {"unread": 0})
            db.transaction(
                lambda s: group_service.remove_membership(
                    s, group_slug=A, user_id=people.member_a.id
                )
            )
            reply(base, chloe, private, "Réservé au pôle.")
            reply(base, bruno, common, "Bonjour @amina.")
            assert events.next() == ("count", {"unread": 1})  # no "post" before it


def test_visitors_follow_public_topics_only(people: People, app: Starlette, db: Database) -> None:
    public, _first = new_topic(db, people.member_a, PUBLIC_BOARD)
    private, _f = new_topic(db, people.member_a, A)
    chloe = bearer(db, people.moderator_a)
    with serving(app) as base, browser(base) as visitor:
        assert visitor.get("/live").status_code == 404
        assert visitor.get(f"/live?topic={private}").status_code == 404
        assert visitor.get("/live?topic=abc").status_code == 404
        assert visitor.get("/live?topic=99999999999999999999").status_code == 404
        head = visitor.head(f"/live?topic={public}")
        assert head.status_code == 200
        assert head.headers["content-type"].startswith("text/event-stream")
        with visitor.stream("GET", f"/live?topic={public}") as response:
            events = Events(response)
            post_id = reply(base, chloe, public, "Pour tout le monde.")
            name, data = events.next()
            assert name == "post" and data["post_id"] == post_id
            page = visitor.get(f"/t/{public}").text
            assert f'data-live-topic="{public}"' in page


def test_streams_per_member_are_capped(people: People, app: Starlette) -> None:
    with serving(app) as base, browser(base, people.member_a) as amina, ExitStack() as streams:
        broker: LiveBroker = app.state.live
        opened = [
            streams.enter_context(amina.stream("GET", "/live"))
            for _n in range(MAX_STREAMS_PER_MEMBER)
        ]
        assert all(response.status_code == 200 for response in opened)
        refused = amina.get("/live")
        assert refused.status_code == 429 and refused.headers["retry-after"]
        opened[0].close()
        wait_until(lambda: broker.stream_count == MAX_STREAMS_PER_MEMBER - 1)
        with amina.stream("GET", "/live") as again:
            assert again.status_code == 200


def test_heartbeats_and_the_end_of_a_long_stream(
    people: People, app: Starlette, db: Database
) -> None:
    with serving(app) as base, browser(base, people.member_a) as amina:
        broker: LiveBroker = app.state.live
        broker.heartbeat_seconds, broker.max_stream_seconds = 0.05, 0.5
        with amina.stream("GET", "/live") as response:
            events = Events(response)
            assert events.next() == ("count", {"unread": 0})
            rest = events.rest()  # ends by itself: the browser reconnects
        assert ": ping" in rest
        wait_until(lambda: broker.stream_count == 0)


def test_signing_out_ends_the_stream(people: People, app: Starlette, db: Database) -> None:
    common, _f = new_topic(db, people.member_a, MEMBERS_BOARD)
    bruno = bearer(db, people.member_b)
    with serving(app) as base, browser(base, people.member_a) as amina:
        with amina.stream("GET", "/live") as response:
            events = Events(response)
            assert events.next() == ("count", {"unread": 0})
            field = soup(amina.get("/account").text).find("input", attrs={"name": "csrf_token"})
            assert field is not None
            logout = amina.post("/logout", data={"csrf_token": str(field["value"])})
            assert logout.status_code == 303
            reply(base, bruno, common, "@amina ?")
            assert events.rest() == []  # no count for a signed-out browser: the end


def test_an_edit_refreshes_counts_but_is_no_new_reply(
    people: People, app: Starlette, db: Database
) -> None:
    common, first = new_topic(db, people.member_a, MEMBERS_BOARD)
    with (
        serving(app) as base,
        browser(base, people.member_a) as amina,
        browser(base, people.member_b) as bruno,
    ):
        with bruno.stream("GET", f"/live?topic={common}") as response:
            events = Events(response)
            assert events.next() == ("count", {"unread": 0})
            form = soup(amina.get(f"/p/{first}/edit").text)
            field = form.find("input", attrs={"name": "csrf_token"})
            assert field is not None
            edited = amina.post(
                f"/p/{first}/edit",
                data={"csrf_token": str(field["value"]), "body": "Premier, pour @bruno."},
            )
            assert edited.status_code == 303
            assert events.next() == ("count", {"unread": 1})  # and no "post" before it


# --- real processes: shutdown and Redis ------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def forum_process(settings: Settings, **env: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`forum serve` on a free port over the test's data directory; yields (base URL, process)."""
    executable = Path(sys.executable).with_name("forum")
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    environ.update(
        FORUM_DATA_DIR=str(settings.data_dir),
        FORUM_SECRET_KEY=settings.secret_key,
        FORUM_DATABASE_URL=settings.database_url,  # "" (SQLite in the data dir) or PostgreSQL
        PYTHONUNBUFFERED="1",
        **env,
    )
    base = f"http://127.0.0.1:{port}"
    with subprocess.Popen(
        [str(executable), "serve", "--port", str(port)],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:

            def up() -> bool:
                assert process.poll() is None, process.stderr and process.stderr.read()
                try:
                    return httpx2.get(f"{base}/healthz", timeout=1).status_code == 200
                except httpx2.TransportError:
                    return False

            wait_until(up, timeout=60)
            yield base, process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(TIMEOUT)


@pytest.mark.slow
def test_open_streams_end_cleanly_when_the_server_stops(
    people: People, settings: Settings, db: Database
) -> None:
    public, _first = new_topic(db, people.member_a, PUBLIC_BOARD)
    with forum_process(settings) as (base, process), browser(base, people.member_a) as amina:
        with amina.stream("GET", "/live") as mine, amina.stream("GET", f"/live?topic={public}"):
            events = Events(mine)
            assert events.next() == ("count", {"unread": 0})
            asked = time.monotonic()
            process.send_signal(signal.SIGTERM)
            assert events.rest() == []  # the response ends properly (no broken chunk)
            process.wait(TIMEOUT)
            assert time.monotonic() - asked < 5
        assert process.returncode in (0, -signal.SIGTERM)
        stderr = process.stderr.read() if process.stderr else ""
        assert "Application shutdown complete" in stderr
        assert "Waiting for connections to close" not in stderr or "Finished" in stderr


def redis_url() -> str:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/0"


@pytest.mark.slow
def test_events_cross_processes_through_redis(
    people: People, settings: Settings, db: Database
) -> None:
    url = redis_url()
    private, _first = new_topic(db, people.member_a, A)
    chloe = bearer(db, people.moderator_a)
    with (
        forum_process(settings, FORUM_PUBSUB_URL=url) as (one, _p1),
        forum_process(settings, FORUM_PUBSUB_URL=url) as (two, _p2),
        browser(one, people.member_a) as amina,
        browser(one, people.member_b) as bruno,
    ):
        with (
            amina.stream("GET", f"/live?topic={private}") as mine,
            bruno.stream("GET", "/live") as his,
        ):
            events, others = Events(mine), Events(his)
            assert events.next() == ("count", {"unread": 0})
            assert others.next() == ("count", {"unread": 0})
            post_id = reply(two, chloe, private, "Écrit sur l'autre processus, @bruno.")
            name, data = events.next()
            assert name == "post" and data["post_id"] == post_id
            assert events.next() == ("count", {"unread": 1})
            common, _f = new_topic(db, people.member_a, MEMBERS_BOARD)
            reply(two, chloe, common, "@bruno, ici tu peux lire.")
            assert others.next() == ("count", {"unread": 1})  # nothing from the private post
