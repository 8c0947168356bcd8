"""Sync and presence through the endpoint: first sync, convergence, late joiners, awareness."""

import threading
from contextlib import ExitStack
from typing import Any

import anyio.to_thread
import pytest
from pycrdt import Array, Doc, Map, Text

from collab import CollabSettings, MemoryUpdateStore, StoredDocument
from collab.protocol import update_message
from collab.store import merge_state
from tests.collab.conftest import Harness, serving
from tests.collab.yclient import YClient, wait_until


def stored_document() -> tuple[MemoryUpdateStore, Doc[Any]]:
    """A store holding a document as a checkpoint (two updates) plus three log rows."""
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    doc["texte"] = text = Text("Compte rendu de l'assemblée générale")
    doc["carte"] = Map({"lieu": "Maison des associations", "présents": 12})
    doc["liste"] = Array(["ordre du jour", "vote du budget"])
    text += " — séance levée à 22 h."
    store = MemoryUpdateStore()
    store.checkpoints["doc"] = merge_state(updates[:2])
    store.rows["doc"] = updates[2:]
    return store, doc


def test_first_sync_carries_the_whole_stored_document() -> None:
    store, expected = stored_document()
    with serving(store) as h:
        h.authorizer.allow("amina", "doc")
        with h.connect("doc") as client:
            client.wait_for(lambda: client.synced)
            # Right at the first step 2, before any other message: everything is there.
            assert str(client.text()) == str(expected["texte"])
            assert client.map().to_py() == {"lieu": "Maison des associations", "présents": 12.0}
            assert client.array().to_py() == ["ordre du jour", "vote du budget"]


def test_two_clients_converge_with_concurrent_accented_edits(harness: Harness) -> None:
    with harness.connect("doc", "amina") as a, harness.connect("doc", "bruno") as b:
        a.wait_for(lambda: a.synced)
        b.wait_for(lambda: b.synced)
        # Both edit before seeing each other's changes: true concurrency.
        ta, tb = a.text(), b.text()
        ta += "Élodie a écrit : « déjà vu »"
        tb += "Ça marche ? Oui, très bien — merci ! 😀"
        a.map()["clé"] = "forêt"
        b.map()["œuvre"] = "naïve"
        a.array().append("première")
        b.array().append("deuxième")
        with a.doc.transaction():
            ta.insert(0, "¶ ")

        def same() -> bool:
            b.pump_once(0.01)
            return _snapshot(a) == _snapshot(b)

        a.wait_for(lambda: len(a.array()) == 2 and len(a.map()) == 2 and "merci" in str(a.text()))
        b.wait_for(lambda: len(b.array()) == 2 and len(b.map()) == 2 and "¶" in str(b.text()))
        a.wait_for(same)
        text = str(a.text())
        assert "Élodie a écrit : « déjà vu »" in text
        assert "Ça marche ? Oui, très bien — merci ! 😀" in text
        assert a.map().to_py() == {"clé": "forêt", "œuvre": "naïve"}
        assert sorted(a.array().to_py() or []) == ["deuxième", "première"]
        room = harness.server.registry.rooms["doc"]
        assert str(room.doc.get("texte", type=Text)) == text


def _snapshot(client: YClient) -> tuple[str, Any, Any]:
    return str(client.text()), client.map().to_py(), client.array().to_py()


def test_late_joiner_gets_everything(harness: Harness) -> None:
    with harness.connect("doc", "amina") as a:
        a.wait_for(lambda: a.synced)
        for word in ("un ", "deux ", "trois ", "quatre à la suite"):
            text = a.text()
            text += word
        with harness.connect("doc", "bruno") as b:
            b.wait_for(lambda: b.synced and str(b.text()) == "un deux trois quatre à la suite")


def test_client_offline_changes_reach_the_room(harness: Harness) -> None:
    offline: Doc[Any] = Doc()
    offline["texte"] = Text("écrit hors ligne")
    with harness.connect("doc", "amina") as a:
        a.wait_for(lambda: a.synced)
        with harness.client.websocket_connect("/collab/doc?user=bruno") as ws:
            b = YClient(ws, doc=offline)
            # b answers the server's step 1 with step 2: its offline text reaches a.
            b.wait_for(lambda: b.synced and b.step1_count == 1)
            a.wait_for(lambda: str(a.text()) == "écrit hors ligne")


def test_concurrent_first_join_loads_once_and_serves_both() -> None:
    class GatedStore(MemoryUpdateStore):
        def __init__(self) -> None:
            super().__init__()
            self.loads = 0
            self.gate = threading.Event()

        async def load(self, document_id: str) -> StoredDocument:
            self.loads += 1
            await anyio.to_thread.run_sync(self.gate.wait, 10)
            return await super().load(document_id)

    store = GatedStore()
    store.rows["doc"] = [_update_with_text("déjà là")]
    with serving(store) as h, ExitStack() as stack:
        h.authorizer.allow("amina", "doc")
        h.authorizer.allow("bruno", "doc")
        clients: dict[str, YClient] = {}

        def join(user: str) -> None:
            session = h.client.websocket_connect(f"/collab/doc?user={user}")
            clients[user] = YClient(stack.enter_context(session))

        first = threading.Thread(target=join, args=("amina",))
        first.start()
        wait_until(lambda: store.loads == 1)
        second = threading.Thread(target=join, args=("bruno",))
        second.start()
        locks = h.server.registry._locks._locks  # the second join waits on the room's lock
        wait_until(lambda: locks.get("doc", (None, 0))[1] == 2)
        store.gate.set()
        first.join(10)
        second.join(10)
        assert store.loads == 1
        for client in clients.values():
            client.wait_for(lambda: client.synced and str(client.text()) == "déjà là")  # noqa: B023


def _update_with_text(value: str) -> bytes:
    doc: Doc[Any] = Doc()
    doc["texte"] = Text(value)
    return doc.get_update()


def test_presence_is_sent_to_joiners_and_removed_when_a_connection_closes(
    harness: Harness,
) -> None:
    with harness.connect("doc", "amina") as a:
        a.set_awareness({"user": {"name": "Amina", "couleur": "#ffb61e"}})
        a.wait_for(lambda: a.synced)
        with harness.connect("doc", "bruno") as b:
            # The joiner gets the current presence without asking.
            b.wait_for(lambda: b.presence.get(a.doc.client_id) is not None)
            assert b.presence[a.doc.client_id]["user"]["name"] == "Amina"
            b.set_awareness({"user": {"name": "Bruno"}})
            a.wait_for(lambda: b.doc.client_id in a.presence)
            # b goes away without saying goodbye (no null state): the server removes it.
        a.wait_for(lambda: b.doc.client_id not in a.presence)
        room = harness.server.registry.rooms["doc"]
        assert [entry[0] for entry in room.presence.snapshot()] == [a.doc.client_id]


def test_presence_of_a_reconnected_tab_survives_the_old_connection(harness: Harness) -> None:
    tab: Doc[Any] = Doc()
    with harness.connect("doc", "amina") as watcher:
        watcher.wait_for(lambda: watcher.synced)
        with harness.client.websocket_connect("/collab/doc?user=bruno") as old_ws:
            old = YClient(old_ws, doc=tab)
            old.set_awareness({"user": {"name": "Bruno"}})
            watcher.wait_for(lambda: tab.client_id in watcher.presence)
            with harness.client.websocket_connect("/collab/doc?user=bruno") as new_ws:
                new = YClient(new_ws, doc=tab)
                new._clock = old._clock
                new.set_awareness({"user": {"name": "Bruno (revenu)"}})
                watcher.wait_for(
                    lambda: (
                        watcher.presence.get(tab.client_id, {}).get("user", {}).get("name")
                        == "Bruno (revenu)"
                    )
                )
                old_ws.close()  # the old connection finally dies
                wait_until(lambda: len(harness.server.peers(user_id="bruno")) == 1)
                watcher.drain()  # a removal, had one been sent, is queued by now
                assert tab.client_id in watcher.presence
                room = harness.server.registry.rooms["doc"]
                assert tab.client_id in [entry[0] for entry in room.presence.snapshot()]


def test_read_only_updates_are_dropped_but_awareness_flows() -> None:
    with serving() as h:
        h.authorizer.allow("amina", "doc")
        h.authorizer.allow("lea", "doc", read_only=True)
        with h.connect("doc", "amina") as a, h.connect("doc", "lea") as reader:
            a.wait_for(lambda: a.synced)
            reader.wait_for(lambda: reader.synced)
            text = reader.text()
            text += "je ne devrais pas écrire"
            reader.set_awareness({"user": {"name": "Léa"}})
            # Messages are handled in order: once a sees the awareness, the update was handled.
            a.wait_for(lambda: reader.doc.client_id in a.presence)
            assert str(a.text()) == ""
            room = h.server.registry.rooms["doc"]
            assert str(room.doc.get("texte", type=Text)) == ""
            assert h.server.peers(user_id="lea")[0].dropped_updates >= 1
            # The reader still receives the others' edits.
            writer_text = a.text()
            writer_text += "lu par Léa"
            reader.wait_for(lambda: "lu par Léa" in str(reader.text()))


@pytest.mark.parametrize("name", ["carte", "liste"])
def test_any_shared_type_name_is_accepted(harness: Harness, name: str) -> None:
    with harness.connect("doc", "amina") as a, harness.connect("doc", "bruno") as b:
        a.wait_for(lambda: a.synced)
        if name == "carte":
            a.doc["nom libre éà"] = Map({"x": 1})
            b.wait_for(lambda: b.doc.get("nom libre éà", type=Map).to_py() == {"x": 1.0})
        else:
            a.doc["autre liste"] = Array([1, "deux"])
            b.wait_for(lambda: b.doc.get("autre liste", type=Array).to_py() == [1.0, "deux"])


def test_a_gap_is_healed_by_the_periodic_resync() -> None:
    settings = CollabSettings(resync_seconds=0.2, recheck_seconds=None, maintenance_seconds=0.05)
    with serving(settings=settings) as h:
        h.authorizer.allow("amina", "doc")
        h.authorizer.allow("bruno", "doc")
        with h.connect("doc", "amina") as a, h.connect("doc", "bruno") as b:
            a.wait_for(lambda: a.synced)
            b.wait_for(lambda: b.synced)
            updates: list[bytes] = []
            a.doc.observe(lambda event: updates.append(event.update))
            a._applying = True  # edit without sending, to lose the first update on the way
            text = a.text()
            text += "d'abord, "
            text += "ensuite"
            a._applying = False
            alone: Doc[Any] = Doc()
            alone.apply_update(updates[1])  # it depends on updates[0]: it stays pending
            assert str(alone.get("texte", type=Text)) == ""
            a.send(update_message(updates[1]))
            # The server's periodic step 1 makes a send what the server lacks.
            a.wait_for(lambda: a.step1_count >= 2)
            b.wait_for(lambda: str(b.text()) == "d'abord, ensuite")
