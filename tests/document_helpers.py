"""Helpers for the document tests: documents made through the service, CRDT content built as
TipTap builds it (a Y.XmlFragment named "default"), and live clients of the forum's
/collab endpoint, signed in by cookie (with Origin) or by token."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText
from sqlalchemy import insert
from starlette.testclient import TestClient

from collab.store import updates_table
from forum.auth.middleware import SESSION_COOKIE, cookie_signer
from forum.db import Database
from forum.models import Document, utcnow
from forum.services import documents as document_service
from forum.services import sessions as session_service
from forum.services import tokens as token_service
from tests.collab.yclient import YClient
from tests.conftest import BASE_URL, Member
from tests.discussions import actor


def new_document(db: Database, member: Member, board: str, title: str = "Plan d'action") -> int:
    """Create a document (and its topic) through the service: its id."""
    document = db.transaction(
        document_service.create_document, actor=actor(db, member), board_slug=board, title=title
    )
    assert document.id is not None
    return document.id


def stored_document(db: Database, document_id: int) -> Document:
    """The document row as stored."""
    document = db.reading(lambda session: session.get(Document, document_id))
    assert isinstance(document, Document)
    return document


def token_for(db: Database, member: Member) -> str:
    """A new personal access token of the member."""
    token, _row = db.transaction(token_service.create_token, user_id=member.id, name="script")
    return token


def fragment(doc: Doc[Any]) -> XmlFragment:
    """The editor's root: the XmlFragment "default"."""
    root = doc.get("default", type=XmlFragment)
    assert isinstance(root, XmlFragment)
    return root


def add_paragraph(doc: Doc[Any], text: str, **marks: Any) -> None:
    """Append a paragraph, as TipTap would (marks: bold={}, link={"href": ...})."""
    paragraph = fragment(doc).children.append(XmlElement("paragraph", {}, [XmlText()]))
    inner = paragraph.children[0]
    assert isinstance(inner, XmlText)
    inner.insert(0, text, marks or None)


def add_heading(doc: Doc[Any], text: str, level: int = 2) -> None:
    """Append a heading."""
    attrs: Any = {"level": level}  # a number, as TipTap stores it (pycrdt hints say str)
    fragment(doc).children.append(XmlElement("heading", attrs, [XmlText(text)]))


def rich_state() -> bytes:
    """A document with a heading, formatted text, a list, a table and an image."""
    doc: Doc[Any] = Doc()
    add_heading(doc, "Objectifs de l'été", 1)
    paragraph = fragment(doc).children.append(XmlElement("paragraph", {}, [XmlText()]))
    text = paragraph.children[0]
    assert isinstance(text, XmlText)
    for chunk, marks in (
        ("Œuvrer ", None),
        ("ensemble", {"bold": {}}),
        (" et ", None),
        ("vite", {"italic": {}}),
        (" : ", None),
        ("le site", {"link": {"href": "https://pcm.example.org/é"}}),
        (" ", None),
        ("piégé", {"link": {"href": "javascript:alert(1)"}}),
    ):
        text.insert(len(str(text).encode()), chunk, marks)
    fragment(doc).children.append(
        XmlElement(
            "bulletList",
            {},
            [
                XmlElement("listItem", {}, [XmlElement("paragraph", {}, [XmlText("Réunir")])]),
                XmlElement("listItem", {}, [XmlElement("paragraph", {}, [XmlText("Décider")])]),
            ],
        )
    )
    fragment(doc).children.append(
        XmlElement(
            "table",
            {},
            [
                XmlElement(
                    "tableRow",
                    {},
                    [
                        XmlElement(
                            "tableHeader", {}, [XmlElement("paragraph", {}, [XmlText("Qui")])]
                        ),
                        XmlElement(
                            "tableHeader", {}, [XmlElement("paragraph", {}, [XmlText("Quoi")])]
                        ),
                    ],
                ),
                XmlElement(
                    "tableRow",
                    {},
                    [
                        XmlElement(
                            "tableCell", {}, [XmlElement("paragraph", {}, [XmlText("Amina")])]
                        ),
                        XmlElement(
                            "tableCell", {}, [XmlElement("paragraph", {}, [XmlText("Écrire")])]
                        ),
                    ],
                ),
            ],
        )
    )
    fragment(doc).children.append(XmlElement("image", {"src": "/f/1/logo.png", "alt": "Logo"}))
    return doc.get_update()


def origin_headers() -> dict[str, str]:
    """What a browser on the forum's own pages sends."""
    return {"origin": BASE_URL}


@contextmanager
def live(
    client: TestClient,
    document_id: int,
    *,
    headers: dict[str, str] | None = None,
    query: str = "",
) -> Iterator[YClient]:
    """A y-websocket client of the forum's /collab endpoint with these handshake headers."""
    path = f"/collab/{document_id}" + (f"?{query}" if query else "")
    with client.websocket_connect(path, headers=headers or {}) as session:
        yield YClient(session)


def session_cookie(db: Database, member: Member, secret_key: str = "test-secret") -> str:
    """A signed session cookie for the member, opened directly (no second TestClient: one
    app lifespan, one collab server, one event loop for every live client of a test)."""
    key, _row = db.transaction(session_service.start_session, user_id=member.id, days=1)
    return str(cookie_signer(secret_key).dumps(key))


def cookie_headers(cookie: str, origin: str | None = BASE_URL) -> dict[str, str]:
    """The handshake headers of a browser tab: its session cookie and (normally) Origin."""
    headers = {"cookie": f"{SESSION_COOKIE}={cookie}"}
    if origin is not None:
        headers["origin"] = origin
    return headers


def store_state(db: Database, document_id: int, state: bytes) -> None:
    """Append an update to the document's stored log, as the collab server would (for
    documents whose room is not open)."""
    with db.engine.begin() as connection:
        connection.execute(
            insert(updates_table),
            [{"document_id": str(document_id), "data": state, "created_at": utcnow()}],
        )
