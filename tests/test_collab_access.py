"""The forum's collab Authorizer: cookies with Origin, tokens, anonymous readers, refusals
before accept, read-only grants, and connections cut within 2 s when access goes away."""

import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from collab import CollabSettings, closecodes
from forum.app import create_app
from forum.db import Database
from forum.services import accounts as account_service
from forum.services import boards as board_service
from forum.services import documents as document_service
from forum.services import groups as group_service
from forum.services import sessions as session_service
from forum.services import tokens as token_service
from forum.settings import Settings
from tests.collab.yclient import YClient
from tests.conftest import BASE_URL, MakeMember
from tests.discussions import MEMBERS_BOARD, PUBLIC_BOARD, A, People, actor, arrange_people
from tests.document_helpers import (
    add_paragraph,
    cookie_headers,
    fragment,
    live,
    new_document,
    session_cookie,
    token_for,
)

GROUP_BOARD = A  # the preset's private board of group A has the group's slug


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def app(settings):  # type: ignore[no-untyped-def]
    """The app, its periodic recheck off: only the after-commit notifier closes connections,
    so these tests show that it does (and fast)."""
    value = create_app(settings)
    value.state.collab_settings = CollabSettings(origins=(BASE_URL,), recheck_seconds=None)
    return value


def refused(client: TestClient, document_id: int, **kwargs: Any) -> int:
    """Connect expecting a refusal before accept; the close code."""
    with pytest.raises(WebSocketDisconnect) as caught:
        with live(client, document_id, **kwargs):
            pass  # pragma: no cover - refused
    return caught.value.code


def paragraph_count(y: YClient) -> int:
    return len(fragment(y.doc).children)


def wait_closed_within(y: YClient, seconds: float) -> tuple[int, str]:
    start = time.monotonic()
    code = y.wait_closed(timeout=seconds + 1)
    assert time.monotonic() - start < seconds, "closed, but too late"
    return code, y.close_reason


def test_member_with_cookie_and_origin_writes(
    client: TestClient, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, GROUP_BOARD)
    cookie = session_cookie(db, people.member_a)
    with live(client, document_id, headers=cookie_headers(cookie)) as y:
        y.wait_for(lambda: y.synced)
        add_paragraph(y.doc, "Écrit par Amina")
        server = client.app.state.collab  # type: ignore[attr-defined]
        room = server.registry.rooms[str(document_id)]
        y.wait_for(lambda: "Écrit par Amina" in str(fragment(room.doc)))
    page = client.get(f"/d/{document_id}", headers={"cookie": f"forum_session={cookie}"})
    assert "Écrit par Amina" in page.text


@pytest.mark.parametrize("origin", [None, "https://evil.example", "http://testserver.evil"])
def test_cookie_without_the_forum_origin_is_refused(
    client: TestClient, db: Database, people: People, origin: str | None
) -> None:
    document_id = new_document(db, people.member_a, GROUP_BOARD)
    cookie = session_cookie(db, people.member_a)
    code = refused(client, document_id, headers=cookie_headers(cookie, origin=origin))
    assert code == closecodes.FORBIDDEN


def test_forged_or_revoked_cookies_are_refused(
    client: TestClient, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, MEMBERS_BOARD)
    assert refused(client, document_id, headers=cookie_headers("forged")) == closecodes.FORBIDDEN
    cookie = session_cookie(db, people.member_a)
    db.transaction(session_service.revoke_all_sessions, user_id=people.member_a.id)
    assert refused(client, document_id, headers=cookie_headers(cookie)) == closecodes.FORBIDDEN


def test_tokens_need_no_origin_but_a_wrong_one_is_refused(
    client: TestClient, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, GROUP_BOARD)
    token = token_for(db, people.member_a)
    with live(client, document_id, query=f"token={token}") as y:
        y.wait_for(lambda: y.synced)
    with live(client, document_id, headers={"authorization": f"Bearer {token}"}) as y:
        y.wait_for(lambda: y.synced)
    evil = {"authorization": f"Bearer {token}", "origin": "https://evil.example"}
    assert refused(client, document_id, headers=evil) == closecodes.FORBIDDEN
    assert refused(client, document_id, query="token=fpat_inconnu") == closecodes.FORBIDDEN


def test_hidden_documents_and_bad_ids_are_refused(
    client: TestClient, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, GROUP_BOARD)
    outsider = session_cookie(db, people.member_b)
    assert refused(client, document_id, headers=cookie_headers(outsider)) == closecodes.FORBIDDEN
    assert refused(client, document_id) == closecodes.FORBIDDEN  # anonymous
    mine = cookie_headers(session_cookie(db, people.member_a))
    for bad in (document_id + 1000, 0):
        assert refused(client, bad, headers=mine) == closecodes.FORBIDDEN


def test_anonymous_readers_of_a_public_board_cannot_write(
    client: TestClient, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, PUBLIC_BOARD)
    token = token_for(db, people.member_a)
    with (
        live(client, document_id, query=f"token={token}") as writer,
        live(client, document_id) as reader,
    ):
        writer.wait_for(lambda: writer.synced)
        reader.wait_for(lambda: reader.synced)
        add_paragraph(writer.doc, "Publié")
        reader.wait_for(lambda: paragraph_count(reader) == 1)
        add_paragraph(reader.doc, "Vandalisme")
        writer.drain()
        assert paragraph_count(writer) == 1
        server = client.app.state.collab  # type: ignore[attr-defined]
        anonymous = [p for p in server.peers(document_id=str(document_id)) if p.read_only]
        assert len(anonymous) == 1 and anonymous[0].dropped_updates >= 1


Change = Callable[[Database, People], None]


def _remove_from_group(db: Database, people: People) -> None:
    db.transaction(group_service.remove_membership, group_slug=A, user_id=people.member_a.id)


def _make_board_private_to_another_group(db: Database, people: People) -> None:
    db.transaction(
        board_service.set_board_visibility,
        slug=MEMBERS_BOARD,
        visibility="group",
        group_slug="copil",
    )


def _disable_account(db: Database, people: People) -> None:
    db.transaction(account_service.set_account_active, user_id=people.member_a.id, is_active=False)


def _revoke_sessions(db: Database, people: People) -> None:
    db.transaction(session_service.revoke_all_sessions, user_id=people.member_a.id)


@pytest.mark.parametrize(
    ("board", "change", "reason"),
    [
        (A, _remove_from_group, "access revoked"),
        (MEMBERS_BOARD, _make_board_private_to_another_group, "access revoked"),
        (A, _disable_account, "account disabled"),
        (A, _revoke_sessions, "session revoked"),
    ],
    ids=["removed-from-group", "board-visibility", "account-disabled", "session-revoked"],
)
def test_losing_access_closes_open_connections_within_two_seconds(
    client: TestClient, db: Database, people: People, board: str, change: Change, reason: str
) -> None:
    document_id = new_document(db, people.member_a, board)
    other_id = new_document(db, people.admin, board, title="Un autre document")
    cookie = session_cookie(db, people.member_a)
    admin = cookie_headers(session_cookie(db, people.admin))
    with (
        live(client, document_id, headers=cookie_headers(cookie)) as amina,
        live(client, other_id, headers=cookie_headers(cookie)) as amina_elsewhere,
        live(client, document_id, headers=admin) as administrator,
    ):
        for y in (amina, amina_elsewhere, administrator):
            y.wait_for(lambda y=y: y.synced)  # type: ignore[misc]
        app_db: Database = client.app.state.db  # type: ignore[attr-defined]
        change(app_db, people)  # through the app's Database: its commit notifies the server
        code, sent = wait_closed_within(amina, 2.0)
        assert (code, sent) == (closecodes.FORBIDDEN, reason)  # a reason the editor translates
        assert amina_elsewhere.wait_closed(timeout=2) == closecodes.FORBIDDEN
        administrator.drain()
        assert administrator.close_code is None


def test_a_revoked_token_is_cut_off(client: TestClient, db: Database, people: People) -> None:
    document_id = new_document(db, people.member_a, A)
    token = token_for(db, people.member_a)
    with live(client, document_id, query=f"token={token}") as y:
        y.wait_for(lambda: y.synced)
        app_db: Database = client.app.state.db  # type: ignore[attr-defined]
        token_id: int | None = app_db.reading(
            lambda s: token_service.list_tokens(s, user_id=people.member_a.id)
        )[0].id
        assert token_id is not None
        app_db.transaction(token_service.revoke_token, token_id=token_id)
        code, _reason = wait_closed_within(y, 2.0)
        assert code == closecodes.FORBIDDEN


def test_archiving_turns_editors_read_only_without_closing(
    client: TestClient, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, A)
    with (
        live(
            client, document_id, headers=cookie_headers(session_cookie(db, people.member_a))
        ) as amina,
        live(
            client, document_id, headers=cookie_headers(session_cookie(db, people.moderator_a))
        ) as chloe,
    ):
        amina.wait_for(lambda: amina.synced)
        chloe.wait_for(lambda: chloe.synced)
        app_db: Database = client.app.state.db  # type: ignore[attr-defined]
        app_db.transaction(
            document_service.set_archived,
            actor=actor(db, people.member_a),
            document_id=document_id,
            archived=True,
        )
        server = client.app.state.collab  # type: ignore[attr-defined]

        def all_read_only() -> bool:
            peers = server.peers(document_id=str(document_id))
            return len(peers) == 2 and all(p.read_only for p in peers)

        amina.wait_for(all_read_only, timeout=2)
        add_paragraph(amina.doc, "Trop tard")
        chloe.drain()
        assert paragraph_count(chloe) == 0
        assert amina.close_code is None


def test_changes_made_elsewhere_are_caught_by_the_periodic_recheck(
    settings: Settings, db: Database, people: People
) -> None:
    # Another process (the CLI, a second server) changes access: no notifier here, the
    # periodic recheck (every second by default) closes the connection within 2 s.
    document_id = new_document(db, people.member_a, A)
    cookie = session_cookie(db, people.member_a)
    with TestClient(create_app(settings), base_url=BASE_URL) as client:
        with live(client, document_id, headers=cookie_headers(cookie)) as amina:
            amina.wait_for(lambda: amina.synced)
            db.transaction(
                group_service.remove_membership, group_slug=A, user_id=people.member_a.id
            )
            code, _reason = wait_closed_within(amina, 2.0)
            assert code == closecodes.FORBIDDEN
