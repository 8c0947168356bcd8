"""Access: refusal before accept, revocation (explicit and by recheck), grants that change."""

import time

import pytest
from starlette.websockets import WebSocketDisconnect

from collab import CollabSettings, closecodes
from tests.collab.conftest import FAST, Harness, serving
from tests.collab.yclient import wait_until


def test_refused_handshake_is_closed_before_accept(harness: Harness) -> None:
    # TestClient reports a close before accept as a WebSocketDisconnect on connect (uvicorn
    # answers HTTP 403 there; test_uvicorn checks that), and nothing was loaded for it.
    with pytest.raises(WebSocketDisconnect) as refused:
        with harness.client.websocket_connect("/collab/doc?user=intrus"):
            pass  # pragma: no cover - the connection is refused
    assert refused.value.code == closecodes.FORBIDDEN
    with pytest.raises(WebSocketDisconnect):
        with harness.client.websocket_connect("/collab/autre-document?user=amina"):
            pass  # pragma: no cover
    assert harness.server.registry.rooms == {}


def test_a_failing_authorizer_refuses(harness: Harness) -> None:
    harness.authorizer.failing = True
    with pytest.raises(WebSocketDisconnect) as refused:
        with harness.client.websocket_connect("/collab/doc?user=amina"):
            pass  # pragma: no cover
    assert refused.value.code == closecodes.FORBIDDEN


@pytest.mark.parametrize("document_id", ["x" * 201, "tab%09here"])
def test_implausible_document_ids_are_refused(harness: Harness, document_id: str) -> None:
    harness.authorizer.allow("amina", document_id.replace("%09", "\t"))
    with pytest.raises(WebSocketDisconnect):
        with harness.client.websocket_connect(f"/collab/{document_id}?user=amina"):
            pass  # pragma: no cover


def test_origin_must_be_listed_when_origins_are_set() -> None:
    settings = CollabSettings(origins=("https://forum.example.org",), recheck_seconds=None)
    with serving(settings=settings) as h:
        h.authorizer.allow("amina", "doc")
        with pytest.raises(WebSocketDisconnect):
            headers = {"origin": "https://evil.example"}
            with h.client.websocket_connect("/collab/doc?user=amina", headers=headers):
                pass  # pragma: no cover
        headers = {"origin": "https://forum.example.org"}
        with h.client.websocket_connect("/collab/doc?user=amina", headers=headers) as ws:
            ws.receive_bytes()  # sync step 1: accepted


def test_explicit_revoke_closes_with_4403_within_two_seconds(harness: Harness) -> None:
    with (
        harness.connect("doc", "amina") as a,
        harness.connect("doc", "bruno") as b,
        harness.connect("doc", "bruno") as b_other_tab,
    ):
        for client in (a, b, b_other_tab):
            client.wait_for(lambda: client.synced)  # noqa: B023
        harness.authorizer.deny("bruno", "doc")
        started = time.monotonic()
        closed = harness.call(harness.server.revoke, user_id="bruno", document_id="doc")
        assert closed == 2
        assert b.wait_closed(timeout=2.0) == closecodes.FORBIDDEN
        assert b_other_tab.wait_closed(timeout=2.0) == closecodes.FORBIDDEN
        assert time.monotonic() - started < 2.0
        assert b.close_reason == "access revoked"
        # amina is untouched and keeps editing.
        text = a.text()
        text += "toujours là"
        a.wait_for(lambda: len(harness.server.peers(document_id="doc")) == 1)
        room = harness.server.registry.rooms["doc"]
        a.wait_for(lambda: "toujours là" in str(room.doc.get("texte", type=type(text))))


def test_recheck_closes_a_member_who_lost_access_within_two_seconds() -> None:
    with serving(settings=FAST) as h:
        h.authorizer.allow("amina", "doc")
        h.authorizer.allow("amina", "autre")
        with h.connect("doc", "amina") as a, h.connect("autre", "amina") as other:
            a.wait_for(lambda: a.synced)
            other.wait_for(lambda: other.synced)
            h.authorizer.deny("amina", "doc")  # the forum changed the rules: nothing else
            started = time.monotonic()
            assert a.wait_closed(timeout=2.0) == closecodes.FORBIDDEN
            assert time.monotonic() - started < 2.0
            # The other document stays open: an edit still round-trips.
            text = other.text()
            text += "encore ouvert"
            room = h.server.registry.rooms["autre"]
            other.wait_for(lambda: "encore ouvert" in str(room.doc.get("texte", type=type(text))))
            assert other.close_code is None


def test_updates_sent_after_revocation_are_not_applied(harness: Harness) -> None:
    with harness.connect("doc", "amina") as a, harness.connect("doc", "bruno") as b:
        a.wait_for(lambda: a.synced)
        b.wait_for(lambda: b.synced)
        harness.call(harness.server.revoke, user_id="bruno")
        text = b.text()
        text += "trop tard"  # sent before bruno's client learnt of the close
        assert b.wait_closed() == closecodes.FORBIDDEN
        a.set_awareness({"user": {"name": "Amina"}})
        a.drain()
        room = harness.server.registry.rooms["doc"]
        assert "trop tard" not in str(room.doc.get("texte", type=type(text)))
        assert "trop tard" not in str(a.text())


def test_a_grant_turned_read_only_stops_edits_but_keeps_the_connection() -> None:
    with serving(settings=FAST) as h:
        h.authorizer.allow("amina", "doc")
        h.authorizer.allow("bruno", "doc")
        with h.connect("doc", "amina") as a, h.connect("doc", "bruno") as b:
            a.wait_for(lambda: a.synced)
            b.wait_for(lambda: b.synced)
            h.authorizer.allow("bruno", "doc", read_only=True)
            wait_until(lambda: h.server.peers(user_id="bruno")[0].read_only)
            text = b.text()
            text += "refusé"
            b.set_awareness({"user": {"name": "Bruno"}})
            a.wait_for(lambda: b.doc.client_id in a.presence)
            assert str(a.text()) == ""
            assert b.close_code is None
