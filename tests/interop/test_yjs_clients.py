"""The standard Yjs client (yjs + y-websocket in Node) against our collab server, over uvicorn."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from collab import CollabServer, CollabSettings, SqlUpdateStore, closecodes, create_tables
from tests.collab.conftest import FakeAuthorizer, make_app
from tests.interop.harness import NodeClient, node_clients, node_ready, serve_in_thread, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(node_ready() is not None, reason=str(node_ready())),
]

USERS = ("amina", "bruno", "chloe", "driss")
MakeClient = Callable[..., NodeClient]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file holding collab's tables."""
    value = create_engine(f"sqlite:///{tmp_path / 'collab.db'}")
    create_tables(value)
    yield value
    value.dispose()


@pytest.fixture
def authorizer() -> FakeAuthorizer:
    """Everyone in USERS may write the document "plan"; `?user=` names the client."""
    grants = FakeAuthorizer()
    for user in USERS:
        grants.allow(user, "plan")
    return grants


def make_server(engine: Engine, authorizer: FakeAuthorizer) -> CollabServer:
    return CollabServer(
        store=SqlUpdateStore(engine),
        authorizer=authorizer,
        settings=CollabSettings(recheck_seconds=0.2, presence_timeout_seconds=30),
    )


@contextmanager
def running(engine: Engine, authorizer: FakeAuthorizer) -> Iterator[str]:
    server = make_server(engine, authorizer)
    with serve_in_thread(make_app(("", server))) as base:
        yield f"{base}/collab"


@pytest.fixture
def clients() -> Iterator[MakeClient]:
    with node_clients() as make:
        yield make


def join(make: MakeClient, base: str, user: str) -> NodeClient:
    client = make(base, "plan", f"user={user}")
    client.expect("synced", timeout=15)
    return client


def test_concurrent_french_edits_converge_on_text_map_and_array(
    engine: Engine, authorizer: FakeAuthorizer, clients: MakeClient
) -> None:
    with running(engine, authorizer) as base:
        amina, bruno = join(clients, base, "amina"), join(clients, base, "bruno")
        amina.send(op="text_insert", name="plan", index=0, text="Écrire à plusieurs : ")
        bruno.send(op="text_insert", name="plan", index=0, text="Œuvre commune, été ")
        amina.send(op="map_set", name="meta", key="statut", value="brouillon élaboré")
        bruno.send(op="map_set", name="meta", key="pôle", value="ESS")
        amina.send(op="array_push", name="actions", values=["séminaire"])
        bruno.send(op="array_push", name="actions", values=["visites croisées"])

        def same() -> bool:
            views = [c.dump(text=["plan"], map=["meta"], array=["actions"]) for c in (amina, bruno)]
            keys = ("text", "map", "array")
            return (
                all(views[0][k] == views[1][k] for k in keys)
                and len(views[0]["array"]["actions"]) == 2
            )

        wait_until(same, 15, "both clients to converge")
        view = amina.dump(text=["plan"], map=["meta"], array=["actions"])
        assert "Écrire à plusieurs : " in view["text"]["plan"]
        assert "Œuvre commune, été " in view["text"]["plan"]
        assert view["map"]["meta"] == {"statut": "brouillon élaboré", "pôle": "ESS"}
        assert sorted(view["array"]["actions"]) == ["séminaire", "visites croisées"]


def test_late_joiner_and_restart_get_the_whole_document(
    engine: Engine, authorizer: FakeAuthorizer, clients: MakeClient
) -> None:
    text = "Plan d'action 2009 : état des lieux, séminaire national, « GIT » tourisme solidaire."
    with running(engine, authorizer) as base:
        amina = join(clients, base, "amina")
        amina.send(op="text_insert", name="plan", index=0, text=text)
        chloe = join(clients, base, "chloe")
        chloe.wait_text("plan", text)
        amina.close()
        chloe.close()
    # A new server process state on the same database: nothing was lost.
    with running(engine, authorizer) as base:
        driss = join(clients, base, "driss")
        driss.wait_text("plan", text)


def test_presence_on_join_leave_and_kill(
    engine: Engine, authorizer: FakeAuthorizer, clients: MakeClient
) -> None:
    with running(engine, authorizer) as base:
        amina = join(clients, base, "amina")
        amina.send(op="awareness", state={"user": {"name": "Amina", "color": "#0b5d8f"}})
        bruno = join(clients, base, "bruno")

        def names(client: NodeClient) -> set[str]:
            event = client.expect("awareness", timeout=10)
            states: dict[str, Any] = event["states"]
            return {s["user"]["name"] for s in states.values() if s and "user" in s}

        # The joiner receives the presence already in the room.
        wait_until(lambda: "Amina" in names(bruno), 10, "Bruno to see Amina")
        bruno.send(op="awareness", state={"user": {"name": "Bruno", "color": "#a4161a"}})
        wait_until(lambda: "Bruno" in names(amina), 10, "Amina to see Bruno")
        # A crashed client (no close frame, no awareness goodbye) disappears for the others.
        bruno.kill()
        wait_until(lambda: "Bruno" not in names(amina), 10, "Bruno's departure")
        chloe = join(clients, base, "chloe")
        chloe.send(op="awareness", state={"user": {"name": "Chloé"}})
        wait_until(lambda: "Chloé" in names(amina), 10, "Amina to see Chloé")
        chloe.close()
        wait_until(lambda: "Chloé" not in names(amina), 10, "Chloé's departure")


def test_reconnect_catches_up_and_offline_edits_merge(
    engine: Engine, authorizer: FakeAuthorizer, clients: MakeClient
) -> None:
    with running(engine, authorizer) as base:
        amina, bruno = join(clients, base, "amina"), join(clients, base, "bruno")
        bruno.send(op="disconnect")
        amina.send(op="text_insert", name="plan", index=0, text="pendant l'absence ")
        bruno.send(op="text_insert", name="plan", index=0, text="hors ligne ")
        bruno.send(op="connect")
        bruno.expect("synced", timeout=15)

        def merged(client: NodeClient) -> bool:
            text = client.dump(text=["plan"])["text"]["plan"]
            return "pendant l'absence " in text and "hors ligne " in text

        wait_until(lambda: merged(amina) and merged(bruno), 15, "both edits on both sides")
        assert amina.dump(text=["plan"])["text"] == bruno.dump(text=["plan"])["text"]


def test_read_only_client_cannot_change_the_document(
    engine: Engine, authorizer: FakeAuthorizer, clients: MakeClient
) -> None:
    authorizer.allow("chloe", "plan", read_only=True)
    with running(engine, authorizer) as base:
        amina = join(clients, base, "amina")
        chloe = join(clients, base, "chloe")
        chloe.send(op="text_insert", name="plan", index=0, text="intrusion ")
        amina.send(op="text_insert", name="plan", index=0, text="légitime")
        wait_until(
            lambda: "légitime" in chloe.dump(text=["plan"])["text"]["plan"],
            10,
            "the reader to receive the writer's text",
        )
        assert amina.dump(text=["plan"])["text"]["plan"] == "légitime"
        # A newcomer sees only what writers wrote.
        driss = join(clients, base, "driss")
        driss.wait_text("plan", "légitime")


def test_revoked_member_is_cut_off_with_4403(
    engine: Engine, authorizer: FakeAuthorizer, clients: MakeClient
) -> None:
    with running(engine, authorizer) as base:
        bruno = join(clients, base, "bruno")
        authorizer.deny("bruno", "plan")
        closed = bruno.expect("closed", timeout=5)
        assert closed["code"] == closecodes.FORBIDDEN
