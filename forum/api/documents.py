"""JSON API for documents: create, list, read (text and HTML rendered from the CRDT), export,
versions (shapes in openapi_documents)."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from forum.api.handling import (
    database,
    path_id,
    read_payload,
    signed_in,
    text_field,
    unauthenticated,
)
from forum.api.serialize import iso_utc
from forum.documents import live
from forum.documents.exports import document_export, export_response
from forum.documents.runtime import ws_base_url
from forum.documents.watcher import index_with_topic
from forum.errors import InvalidInput
from forum.i18n import gettext as _
from forum.models import Board, Document, DocumentRecord
from forum.services import document_versions as version_service
from forum.services import documents as document_service
from forum.services.document_versions import VersionRow

JSON = dict[str, Any]
FORMATS = ("html", "md", "odt", "docx")


def document_summary(request: Request, document: Document | DocumentRecord, board: Board) -> JSON:
    """A document without its content."""
    base = ws_base_url(request.app.state.settings)
    return {
        "id": document.id,
        "title": document.title,
        "board": {"slug": board.slug, "name": board.name},
        "topic_id": document.topic_id,
        "url": f"/d/{document.id}",
        "ws_url": base,
        "websocket_url": f"{base}/{document.id}",
        "created_at": iso_utc(document.created_at),
        "updated_at": iso_utc(document.updated_at),
        "archived": document.archived_at is not None,
    }


def version_json(row: VersionRow) -> JSON:
    """A version without its state."""
    return {
        "id": row.id,
        "name": row.name,
        "automatic": row.is_automatic,
        "author": row.author_name or None,
        "created_at": iso_utc(row.created_at),
    }


async def create_document(request: Request) -> Response:
    """Create a document (and its discussion topic); 201 with its addresses."""
    actor = signed_in(request)
    if actor is None:
        return unauthenticated()
    data = await read_payload(request)
    errors: dict[str, str] = {}
    title = text_field(data, "title", errors)
    if errors:
        raise InvalidInput(errors)
    db = database(request)
    document = await db.run_in_transaction(
        document_service.create_document,
        actor=actor,
        board_slug=request.path_params["slug"],
        title=title,
    )
    assert document.id is not None
    await index_with_topic(request.app.state, document.id, document.topic_id)
    view = await db.run_read(document_service.document_view, actor, document.id)
    headers = {"Location": f"/api/v1/documents/{document.id}"}
    return JSONResponse(
        document_summary(request, view.document, view.board), status_code=201, headers=headers
    )


async def list_documents(request: Request) -> Response:
    """The documents of a board (archived ones with ?archived=1)."""
    archived = request.query_params.get("archived") in ("1", "true")
    board, rows = await database(request).run_read(
        document_service.board_documents,
        request.state.actor,
        request.path_params["slug"],
        archived=archived,
    )
    return JSONResponse(
        {
            "board": {"slug": board.slug, "name": board.name},
            "documents": [document_summary(request, row.document, board) for row in rows],
        }
    )


async def board_documents(request: Request) -> Response:
    """One route for both methods, so that a 405 names them both in its Allow header."""
    return await (create_document if request.method == "POST" else list_documents)(request)


async def get_document(request: Request) -> Response:
    """A document with its current text and HTML."""
    document_id = path_id(request, "document_id")
    view = await database(request).run_read(
        document_service.document_view, request.state.actor, document_id
    )
    content = await document_export(request.app.state, document_id)
    return JSONResponse(
        {
            **document_summary(request, view.document, view.board),
            "can_edit": view.can_edit,
            "text": content.text,
            "html": content.html(),
        }
    )


async def export(request: Request) -> Response:
    """The document as a file: ?format=md|html|odt|docx (default md)."""
    document_id = path_id(request, "document_id")
    fmt = request.query_params.get("format", "md")
    if fmt not in FORMATS:
        raise InvalidInput({"format": _("Format inconnu : html, md, odt ou docx.")})
    view = await database(request).run_read(
        document_service.document_view, request.state.actor, document_id
    )
    content = await document_export(request.app.state, document_id)
    return export_response(view.document.title, content, fmt)


async def list_versions(request: Request) -> Response:
    """The versions of a document, newest first."""
    listing = await database(request).run_read(
        version_service.list_versions, request.state.actor, path_id(request, "document_id")
    )
    return JSONResponse({"versions": [version_json(row) for row in listing.versions]})


async def create_version(request: Request) -> Response:
    """Save the current state under a name; 201 with the version."""
    actor = signed_in(request)
    if actor is None:
        return unauthenticated()
    document_id = path_id(request, "document_id")
    data = await read_payload(request)
    errors: dict[str, str] = {}
    name = text_field(data, "name", errors)
    if errors:
        raise InvalidInput(errors)
    db = database(request)
    # Check access before reading the state: a hidden document stays a 404.
    await db.run_read(document_service.document_view, actor, document_id)
    state = await live.current_state(request.app.state.collab, document_id)
    version = await db.run_in_transaction(
        version_service.create_version, actor=actor, document_id=document_id, name=name, state=state
    )
    row = VersionRow(
        id=version.id or 0,
        name=version.name,
        is_automatic=False,
        author_name=actor.display_name,
        created_at=version.created_at,
    )
    return JSONResponse(version_json(row), status_code=201)


async def versions(request: Request) -> Response:
    """One route for both methods."""
    return await (create_version if request.method == "POST" else list_versions)(request)


def routes() -> list[BaseRoute]:
    """The document routes of /api/v1 (each one described in forum.api.openapi_documents)."""
    return [
        Route(
            "/boards/{slug}/documents",
            board_documents,
            methods=["GET", "POST"],
            name="api_documents",
        ),
        Route("/documents/{document_id}", get_document, methods=["GET"], name="api_document"),
        Route(
            "/documents/{document_id}/export", export, methods=["GET"], name="api_document_export"
        ),
        Route(
            "/documents/{document_id}/versions",
            versions,
            methods=["GET", "POST"],
            name="api_document_versions",
        ),
    ]
