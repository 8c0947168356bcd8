"""Versions (named, automatic, viewed, restored as a new edit), exports (HTML, Markdown,
ODT, DOCX opened and read back) and search once edits settle."""

import io
import time
import zipfile
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from bs4 import Tag
from pycrdt import Doc
from starlette.testclient import TestClient

from forum.app import create_app
from forum.db import Database
from forum.documents.watcher import DocumentTimings
from forum.models import DocumentVersion
from forum.search import SearchQuery
from forum.services import document_versions as version_service
from forum.services import documents as document_service
from forum.services.search_rebuild import all_entries
from forum.settings import Settings
from tests.collab.yclient import wait_until
from tests.conftest import BASE_URL, ClientAs, MakeMember
from tests.discussions import A, People, actor, arrange_people, send_form, soup
from tests.document_helpers import (
    add_paragraph,
    cookie_headers,
    fragment,
    live,
    new_document,
    rich_state,
    session_cookie,
    store_state,
)


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def app(settings):  # type: ignore[no-untyped-def]
    """The app with a watcher that acts at once (tests wait for conditions, not minutes)."""
    value = create_app(settings)
    value.state.document_timings = DocumentTimings(
        poll_seconds=0.05, settle_seconds=0.1, automatic_every=timedelta(0)
    )
    return value


def versions_of(db: Database, document_id: int) -> list[DocumentVersion]:
    def read(session):  # type: ignore[no-untyped-def]
        from sqlmodel import col, select

        query = select(DocumentVersion).where(DocumentVersion.document_id == document_id)
        return list(session.exec(query.order_by(col(DocumentVersion.id))).all())

    found: list[DocumentVersion] = db.reading(read)
    return found


def content_text(client: TestClient, path: str, headers: dict[str, str]) -> str:
    editor = soup(client.get(path, headers=headers).text).find(class_="document-content")
    assert isinstance(editor, Tag)
    return editor.get_text(" ", strip=True)


def test_named_versions_are_listed_viewed_and_restored_as_a_new_edit(
    client: TestClient, client_as: ClientAs, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, A)
    cookie = session_cookie(db, people.member_a)
    headers = {"cookie": f"forum_session={cookie}"}
    with live(client, document_id, headers=cookie_headers(cookie)) as y:
        y.wait_for(lambda: y.synced)
        add_paragraph(y.doc, "Première rédaction, adoptée")
        server = client.app.state.collab  # type: ignore[attr-defined]
        wait_until(lambda: "adoptée" in str(fragment(server.registry.rooms[str(document_id)].doc)))
        token = soup(client.get(f"/d/{document_id}/versions", headers=headers).text).find(
            "input", attrs={"name": "csrf_token"}
        )
        assert isinstance(token, Tag)
        form = {"csrf_token": str(token["value"])}
        named = client.post(
            f"/d/{document_id}/versions",
            data={**form, "name": "Version adoptée par le COPIL le 12/03"},
            headers=headers,
            follow_redirects=False,
        )
        assert named.status_code == 303
        empty = client.post(
            f"/d/{document_id}/versions", data={**form, "name": "  "}, headers=headers
        )
        assert empty.status_code == 400
        # Someone rewrites the text; the member restores the adopted version.
        with y.doc.transaction():
            del fragment(y.doc).children[0]
            add_paragraph(y.doc, "Texte réécrit")
        wait_until(lambda: "réécrit" in str(fragment(server.registry.rooms[str(document_id)].doc)))
        version = next(v for v in versions_of(db, document_id) if not v.is_automatic)
        listing = soup(client.get(f"/d/{document_id}/versions", headers=headers).text)
        assert listing.find("a", href=f"/d/{document_id}/versions/{version.id}")
        assert "adoptée" in content_text(client, f"/d/{document_id}/versions/{version.id}", headers)
        restored = client.post(
            f"/d/{document_id}/versions/{version.id}/restore",
            data=form,
            headers=headers,
            follow_redirects=False,
        )
        assert restored.status_code == 303
        # The connected client receives the restore as an edit.
        y.wait_for(lambda: str(fragment(y.doc)).count("adoptée") == 1)
        assert "réécrit" not in str(fragment(y.doc))
    assert "Première rédaction, adoptée" in content_text(client, f"/d/{document_id}", headers)
    # Nothing was deleted: the version is still there, and others may not restore.
    assert any(v.id == version.id for v in versions_of(db, document_id))
    bruno = client_as(people.member_b)
    assert bruno.get(f"/d/{document_id}/versions/{version.id}").status_code == 404
    other = new_document(db, people.member_a, A, title="Un autre")
    assert client.get(f"/d/{other}/versions/{version.id}", headers=headers).status_code == 404


def test_readers_may_not_name_or_restore(client_as: ClientAs, db: Database, people: People) -> None:
    document_id = new_document(db, people.member_a, A)
    store_state(db, document_id, rich_state())
    amina = client_as(people.member_a)
    assert send_form(amina, f"/d/{document_id}/archive", {"archived": "1"}).status_code == 303
    page = soup(amina.get(f"/d/{document_id}/versions").text)
    assert page.find("form", action=f"/d/{document_id}/versions") is None


def test_edits_are_indexed_and_versioned_automatically_once_they_settle(
    client: TestClient, client_as: ClientAs, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, A)
    cookie = session_cookie(db, people.member_a)
    with live(client, document_id, headers=cookie_headers(cookie)) as y:
        y.wait_for(lambda: y.synced)
        add_paragraph(y.doc, "Les chantiers d'insertion cœur du projet")
        amina = client_as(people.member_a)

        def found() -> bool:
            results = amina.get("/api/v1/search", params={"q": "chantiers insertion"}).json()
            return any(r["type"] == "document" for r in results["results"])

        wait_until(found, timeout=10)
    results = amina.get("/api/v1/search", params={"q": "chantiers"}).json()["results"]
    hit = next(r for r in results if r["type"] == "document")
    assert hit["url"] == f"/d/{document_id}"
    bruno = client_as(people.member_b)
    assert not bruno.get("/api/v1/search", params={"q": "chantiers"}).json()["results"]
    wait_until(lambda: any(v.is_automatic for v in versions_of(db, document_id)), timeout=10)


FORMATS = ("html", "md", "odt", "docx")


def exported_text(fmt: str, body: bytes) -> str:
    """The text of an exported file, read the way an office suite would."""
    if fmt in ("html", "md"):
        return body.decode("utf-8")
    archive = zipfile.ZipFile(io.BytesIO(body))
    if fmt == "odt":
        assert archive.namelist()[0] == "mimetype"
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        part = "content.xml"
    else:
        assert "[Content_Types].xml" in archive.namelist()
        part = "word/document.xml"
    for name in archive.namelist():
        if name.endswith((".xml", ".rels")):
            ElementTree.fromstring(archive.read(name))  # every part is well-formed XML
    root = ElementTree.fromstring(archive.read(part))
    return " ".join(t for t in root.itertext())


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_carry_the_text_with_its_accents(
    client_as: ClientAs, db: Database, people: People, fmt: str
) -> None:
    document_id = new_document(db, people.member_a, A, title="Plan d'été")
    store_state(db, document_id, rich_state())
    amina = client_as(people.member_a)
    response = amina.get(f"/d/{document_id}/export.{fmt}")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f".{fmt}" in disposition
    assert "UTF-8''Plan%20d%27%C3%A9t%C3%A9" in disposition
    text = exported_text(fmt, response.content)
    for expected in ("Plan d", "Objectifs de l'été", "Œuvrer", "ensemble", "Réunir", "Écrire"):
        assert expected in text.replace("&#x27;", "'").replace("\\'", "'"), (expected, fmt)
    assert "javascript:" not in text
    if fmt == "md":
        assert "**ensemble**" in text and "_vite_" in text and "| Qui | Quoi |" in text
    if fmt == "html":
        assert "<script" not in text and "<strong>ensemble</strong>" in text
    assert client_as(people.member_b).get(f"/d/{document_id}/export.{fmt}").status_code == 404


def test_unknown_export_formats_are_not_found(
    client_as: ClientAs, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, A)
    assert client_as(people.member_a).get(f"/d/{document_id}/export.pdf").status_code == 404


def test_a_version_compares_with_the_current_text_and_with_another_version(
    client_as: ClientAs, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, A)
    first: Any = Doc()
    add_paragraph(first, "Ligne gardée")
    add_paragraph(first, "Ligne supprimée")
    store_state(db, document_id, first.get_update())
    version = db.transaction(
        version_service.create_version,
        actor=actor(db, people.member_a),
        document_id=document_id,
        name="Avant",
        state=first.get_update(),
    )
    with first.transaction():
        del fragment(first).children[1]
        add_paragraph(first, "Ligne ajoutée")
    store_state(db, document_id, first.get_update())
    amina = client_as(people.member_a)
    page = soup(amina.get(f"/d/{document_id}/versions/{version.id}/diff").text)
    assert [ins.get_text(" ", strip=True) for ins in page.select(".document-diff ins")] == [
        "Ajouté : Ligne ajoutée"
    ]
    assert [d.get_text(" ", strip=True) for d in page.select(".document-diff del")] == [
        "Retiré : Ligne supprimée"
    ]
    same = amina.get(f"/d/{document_id}/versions/{version.id}/diff?with={version.id}")
    assert not soup(same.text).select(".document-diff ins, .document-diff del")
    other = new_document(db, people.member_a, A, title="Autre")
    assert amina.get(f"/d/{other}/versions/{version.id}/diff").status_code == 404
    assert (
        client_as(people.member_b).get(f"/d/{document_id}/versions/{version.id}/diff").status_code
        == 404
    )


def test_a_search_rebuild_includes_live_documents_with_their_text(
    db: Database, people: People
) -> None:
    live_id = new_document(db, people.member_a, A, title="Charte du réseau")
    store_state(db, live_id, rich_state())
    archived_id = new_document(db, people.member_a, A, title="Ancienne charte")
    db.transaction(
        document_service.set_archived,
        actor=actor(db, people.member_a),
        document_id=archived_id,
        archived=True,
    )
    entries = [e for e in all_entries(db.engine) if e.kind == "document"]
    assert [e.object_id for e in entries] == [live_id]
    assert entries[0].title == "Charte du réseau"
    assert "Objectifs de l'été" in entries[0].body and "Réunir" in entries[0].body


def test_people_who_never_pause_are_indexed_all_the_same(
    settings: Settings, db: Database, people: People
) -> None:
    document_id = new_document(db, people.member_a, A)
    cookie = session_cookie(db, people.member_a)
    app = create_app(settings)
    app.state.document_timings = DocumentTimings(
        poll_seconds=0.05, settle_seconds=3600, max_wait_seconds=0.3
    )
    with TestClient(app, base_url=BASE_URL) as client:
        with live(client, document_id, headers=cookie_headers(cookie)) as y:
            y.wait_for(lambda: y.synced)
            backend = client.app.state.search  # type: ignore[attr-defined]
            query = SearchQuery(text="infatigable", board_ids=frozenset(range(1, 50)))
            deadline = time.monotonic() + 10
            typed = 0
            while not backend.search(query).results:  # keep typing: edits never settle
                assert time.monotonic() < deadline, "never indexed while people kept typing"
                add_paragraph(y.doc, f"Rédaction infatigable {typed}")
                typed += 1
                y.drain(quiet=0.05)
