"""The documents JSON API: create (201 with its addresses), list, read with text and HTML
rendered from the CRDT, export, versions; refusals as the rest of the API answers them."""

import pytest
from starlette.testclient import TestClient

from forum.api.openapi import openapi_document
from forum.db import Database
from tests.conftest import MakeMember
from tests.discussions import PUBLIC_BOARD, A, People, arrange_people
from tests.document_helpers import new_document, rich_state, store_state, token_for


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_create_list_and_read(client: TestClient, db: Database, people: People) -> None:
    amina = bearer(token_for(db, people.member_a))
    created = client.post(
        f"/api/v1/boards/{A}/documents", json={"title": "Compte rendu été"}, headers=amina
    )
    assert created.status_code == 201, created.text
    body = created.json()
    document_id = body["id"]
    assert body["title"] == "Compte rendu été"
    assert body["board"] == {"slug": A, "name": body["board"]["name"]}
    assert isinstance(body["topic_id"], int)
    assert body["url"] == f"/d/{document_id}"
    assert body["ws_url"] == "ws://testserver/collab"
    assert body["websocket_url"] == f"ws://testserver/collab/{document_id}"
    assert created.headers["location"] == f"/api/v1/documents/{document_id}"
    listing = client.get(f"/api/v1/boards/{A}/documents", headers=amina).json()
    assert [d["id"] for d in listing["documents"]] == [document_id]
    store_state(db, document_id, rich_state())
    detail = client.get(f"/api/v1/documents/{document_id}", headers=amina).json()
    assert detail["can_edit"] is True
    assert "Objectifs de l'été" in detail["text"] and "Réunir" in detail["text"]
    assert "<strong>ensemble</strong>" in detail["html"]
    assert "javascript" not in detail["html"]


def test_refusals(client: TestClient, db: Database, people: People) -> None:
    path = f"/api/v1/boards/{A}/documents"
    anonymous = client.post(path, json={"title": "Sans compte"})
    assert anonymous.status_code == 401
    bruno = bearer(token_for(db, people.member_b))
    assert client.post(path, json={"title": "Intrus"}, headers=bruno).status_code == 404
    amina = bearer(token_for(db, people.member_a))
    invalid = client.post(path, json={"title": 3}, headers=amina)
    assert invalid.status_code == 422 and "title" in invalid.json()["fields"]
    short = client.post(path, json={"title": "é"}, headers=amina)
    assert short.status_code == 422 and "title" in short.json()["fields"]
    assert client.post(path, content=b"[]", headers=amina).status_code == 422
    document_id = new_document(db, people.member_a, A)
    assert client.get(f"/api/v1/documents/{document_id}", headers=bruno).status_code == 404
    assert client.get(f"/api/v1/documents/{document_id}").status_code == 404
    assert client.get("/api/v1/documents/abc").status_code == 404
    public_id = new_document(db, people.member_a, PUBLIC_BOARD)
    read = client.get(f"/api/v1/documents/{public_id}").json()
    assert read["can_edit"] is False and read["text"] == ""


def test_export_and_versions(client: TestClient, db: Database, people: People) -> None:
    amina = bearer(token_for(db, people.member_a))
    document_id = new_document(db, people.member_a, A, title="Plan d'été")
    store_state(db, document_id, rich_state())
    markdown = client.get(f"/api/v1/documents/{document_id}/export", headers=amina)
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "# Plan d'été" in markdown.text and "- Réunir" in markdown.text
    docx = client.get(
        f"/api/v1/documents/{document_id}/export", params={"format": "docx"}, headers=amina
    )
    assert docx.content[:2] == b"PK"
    unknown = client.get(
        f"/api/v1/documents/{document_id}/export", params={"format": "pdf"}, headers=amina
    )
    assert unknown.status_code == 422
    path = f"/api/v1/documents/{document_id}/versions"
    created = client.post(path, json={"name": "Adoptée le 12/03"}, headers=amina)
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "Adoptée le 12/03" and created.json()["automatic"] is False
    assert client.post(path, json={"name": ""}, headers=amina).status_code == 422
    versions = client.get(path, headers=amina).json()["versions"]
    assert [v["name"] for v in versions] == ["Adoptée le 12/03"]
    bruno = bearer(token_for(db, people.member_b))
    assert client.post(path, json={"name": "Intrus"}, headers=bruno).status_code == 404


def test_every_document_route_is_described() -> None:
    paths = openapi_document()["paths"]
    assert {"get", "post"} <= set(paths["/boards/{slug}/documents"])
    assert "get" in paths["/documents/{document_id}"]
    assert "get" in paths["/documents/{document_id}/export"]
    assert {"get", "post"} <= set(paths["/documents/{document_id}/versions"])
