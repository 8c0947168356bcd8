"""The standard Yjs client (yjs + y-websocket in Node) against the real forum app over uvicorn:
`WebsocketProvider("ws://host/collab", "{id}", doc)` with a token or a session cookie and
Origin; refusals are HTTP 403; read-only readers change nothing; a removed member is cut off."""

import json
import socket
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import uvicorn
import websockets.exceptions
import websockets.sync.client

from forum.app import create_app
from forum.auth.middleware import SESSION_COOKIE
from forum.bootstrap import prepare
from forum.db import Database, make_engine
from forum.services import groups as group_service
from forum.services import users as user_service
from forum.settings import Settings
from tests.conftest import Member, password_hash
from tests.discussions import PUBLIC_BOARD, A, People, arrange_people
from tests.document_helpers import new_document, session_cookie, token_for
from tests.interop.harness import NodeClient, free_port, node_clients, node_ready, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(node_ready() is not None, reason=str(node_ready())),
]

SECRET = "interop-secret"
MakeClient = Callable[..., NodeClient]


@dataclass
class Forum:
    """The forum served by uvicorn on a loopback port, and its database."""

    http: str  # http://127.0.0.1:port (also the Origin of its pages)
    ws: str  # ws://127.0.0.1:port/collab
    app: Any
    db: Database
    people: People

    def api(self, path: str, token: str) -> Any:
        request = urllib.request.Request(
            self.http + path, headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)


def arrange(tmp_path: Path, base_url: str, secret: str) -> tuple[Settings, Database, People]:
    """A data directory with the preset, the public board and the four people."""
    settings = Settings(data_dir=tmp_path / "data", base_url=base_url, secret_key=secret)
    prepare(settings)
    db = Database(make_engine(settings.resolved_database_url))

    def make_member(login: str, **kwargs: Any) -> Member:
        def create(session):  # type: ignore[no-untyped-def]
            user = user_service.create_user(
                session,
                login=login,
                display_name=kwargs.get("name") or login.capitalize(),
                email=None,
                is_admin=kwargs.get("admin", False),
                password_hash=password_hash(),
            )
            assert user.id is not None
            for slug, role in (kwargs.get("groups") or {}).items():
                group_service.set_membership(session, group_slug=slug, user_id=user.id, role=role)
            return Member(id=user.id, login=user.login)

        member: Member = db.transaction(create)
        return member

    return settings, db, arrange_people(db, make_member)


@contextmanager
def serving(settings: Settings, port: int) -> Iterator[Any]:
    """The forum app under uvicorn on this port; yields the app."""
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 15, "uvicorn to start")
        yield app
    finally:
        server.should_exit = True
        thread.join(15)


@contextmanager
def forum_server(tmp_path: Path) -> Iterator[Forum]:
    port = free_port()
    http = f"http://127.0.0.1:{port}"
    settings, db, people = arrange(tmp_path, http, SECRET)
    try:
        with serving(settings, port) as app:
            yield Forum(http, f"ws://127.0.0.1:{port}/collab", app, db, people)
    finally:
        db.dispose()


@pytest.fixture
def forum(tmp_path: Path) -> Iterator[Forum]:
    with forum_server(tmp_path) as running:
        yield running


@pytest.fixture
def clients() -> Iterator[MakeClient]:
    with node_clients() as make:
        yield make


def xml_of(client: NodeClient) -> str:
    client.send(op="dump", xml=["default"])
    text: str = client.expect("dump")["xml"]["default"]
    return text


def browser_query(forum: Forum, member: Member, origin: str | None) -> str:
    cookie = session_cookie(forum.db, member, SECRET)
    values = {"header:cookie": f"{SESSION_COOKIE}={cookie}"}
    if origin is not None:
        values["header:origin"] = origin
    return urlencode(values)


def handshake_status(url: str, headers: dict[str, str]) -> int:
    """The HTTP status of a refused WebSocket handshake (0 if it was accepted)."""
    try:
        with websockets.sync.client.connect(url, additional_headers=headers, open_timeout=5):
            return 0
    except websockets.exceptions.InvalidStatus as refused:
        return refused.response.status_code


def test_token_and_cookie_clients_write_together(forum: Forum, clients: MakeClient) -> None:
    people = forum.people
    document_id = new_document(forum.db, people.member_a, A)
    token = token_for(forum.db, people.moderator_a)
    script = clients(forum.ws, str(document_id), f"token={token}")
    script.expect("synced", timeout=15)
    browser = clients(forum.ws, str(document_id), browser_query(forum, people.member_a, forum.http))
    browser.expect("synced", timeout=15)
    script.send(op="xml_paragraph", name="default", text="Écrit par un script")
    browser.send(op="xml_paragraph", name="default", text="Œuvre du navigateur")
    for client in (script, browser):
        wait_until(
            lambda c=client: "script" in xml_of(c) and "navigateur" in xml_of(c),  # type: ignore[misc]
            10,
            "both paragraphs everywhere",
        )

    def rendered() -> bool:
        text = forum.api(f"/api/v1/documents/{document_id}", token)["text"]
        return "Écrit par un script" in text and "Œuvre du navigateur" in text

    wait_until(rendered, 10, "the server-side rendering to hold both paragraphs")


def test_refusals_are_http_403(forum: Forum) -> None:
    people = forum.people
    document_id = new_document(forum.db, people.member_a, A)
    url = f"{forum.ws}/{document_id}"
    cookie = {"Cookie": f"{SESSION_COOKIE}={session_cookie(forum.db, people.member_a, SECRET)}"}
    assert handshake_status(url, cookie) == 403  # a cookie without Origin
    assert handshake_status(url, {**cookie, "Origin": "https://evil.example"}) == 403
    outsider = {"Authorization": f"Bearer {token_for(forum.db, people.member_b)}"}
    assert handshake_status(url, outsider) == 403
    assert handshake_status(url, {}) == 403  # anonymous, private board
    assert handshake_status(url, {**cookie, "Origin": forum.http}) == 0


def test_a_refused_node_client_never_syncs(forum: Forum, clients: MakeClient) -> None:
    document_id = new_document(forum.db, forum.people.member_a, A)
    refused = clients(forum.ws, str(document_id), browser_query(forum, forum.people.member_a, None))
    refused.expect("closed", timeout=10)
    assert not any(e.get("event") == "synced" for e in refused.history)


def test_read_only_readers_change_nothing(forum: Forum, clients: MakeClient) -> None:
    people = forum.people
    document_id = new_document(forum.db, people.member_a, PUBLIC_BOARD)
    token = token_for(forum.db, people.member_a)
    writer = clients(forum.ws, str(document_id), f"token={token}")
    writer.expect("synced", timeout=15)
    reader = clients(forum.ws, str(document_id))  # anonymous: read-only on a public board
    reader.expect("synced", timeout=15)
    writer.send(op="xml_paragraph", name="default", text="Texte officiel")
    wait_until(lambda: "officiel" in xml_of(reader), 10, "the reader to see the text")
    reader.send(op="xml_paragraph", name="default", text="Vandalisme")
    writer.send(op="xml_paragraph", name="default", text="Suite officielle")
    wait_until(lambda: "Suite" in xml_of(reader), 10, "the reader to get the next edit")
    assert "Vandalisme" not in xml_of(writer)
    text = forum.api(f"/api/v1/documents/{document_id}", token)["text"]
    assert "Vandalisme" not in text and "Suite officielle" in text


def test_a_removed_member_is_cut_off_within_two_seconds(forum: Forum, clients: MakeClient) -> None:
    people = forum.people
    document_id = new_document(forum.db, people.member_a, A)
    amina = clients(forum.ws, str(document_id), browser_query(forum, people.member_a, forum.http))
    amina.expect("synced", timeout=15)
    app_db: Database = forum.app.state.db
    start = time.monotonic()
    app_db.transaction(group_service.remove_membership, group_slug=A, user_id=people.member_a.id)
    closed = amina.expect("closed", timeout=3, where=lambda e: e.get("code") == 4403)
    assert time.monotonic() - start < 2.0
    assert closed["reason"]


def redis_ready() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_ready(), reason="no Redis on 127.0.0.1:6379")
def test_two_processes_share_rooms_through_redis(tmp_path: Path, clients: MakeClient) -> None:
    ports = free_port(), free_port()
    secret = f"interop-{uuid.uuid4().hex}"  # its own pub/sub channels on the shared Redis
    first, db, people = arrange(tmp_path, f"http://127.0.0.1:{ports[0]}", secret)
    second = replace(first, base_url=f"http://127.0.0.1:{ports[1]}")
    first = replace(first, pubsub_url="redis://127.0.0.1:6379/0")
    second = replace(second, pubsub_url="redis://127.0.0.1:6379/0")
    document_id = new_document(db, people.member_a, A)
    token = token_for(db, people.member_a)
    try:
        with serving(first, ports[0]), serving(second, ports[1]):
            one = clients(f"ws://127.0.0.1:{ports[0]}/collab", str(document_id), f"token={token}")
            two = clients(f"ws://127.0.0.1:{ports[1]}/collab", str(document_id), f"token={token}")
            one.expect("synced", timeout=15)
            two.expect("synced", timeout=15)
            one.send(op="xml_paragraph", name="default", text="Écrit au premier processus")
            two.send(op="xml_paragraph", name="default", text="Écrit au second processus")
            for client in (one, two):
                wait_until(
                    lambda c=client: xml_of(c).count("processus") == 2,  # type: ignore[misc]
                    10,
                    "both edits in both processes",
                )
    finally:
        db.dispose()
