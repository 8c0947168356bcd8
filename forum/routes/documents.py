"""Document pages: create, read (server-rendered from the CRDT, editor on top), rename,
move, archive; versions (list, view, name, restore) and exports."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import indexing
from forum.access import Actor
from forum.db import Database
from forum.documents import live
from forum.documents.diff import line_diff
from forum.documents.exports import document_export, export_response
from forum.documents.runtime import ws_base_url
from forum.documents.watcher import index_document, index_with_topic
from forum.errors import InvalidInput, NotFound, PermissionDenied
from forum.forms import read_form
from forum.routes.navigation import see_other
from forum.services import document_versions as version_service
from forum.services import documents as document_service
from forum.services import topics as topic_service
from forum.services.boards import board_page
from forum.static_files import STATIC_DIR, static_url
from forum.templating import render
from forum.urls import parse_id

EDITOR_SCRIPT = "editor/editor.js"
EDITOR_STYLE = "editor/editor.css"


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _actor(request: Request) -> Actor:
    actor: Actor = request.state.actor
    return actor


def _document_id(request: Request) -> int:
    number = document_service.parse_document_id(str(request.path_params["document_id"]))
    if number is None:
        raise NotFound("document")
    return number


def _version_id(request: Request) -> int:
    number = parse_id(request.path_params["version_id"])
    if number is None:
        raise NotFound("version")
    return number


def user_color(user_id: int | None) -> str:
    """A stable, readable caret colour for a member (hex), spread around the colour wheel."""
    if user_id is None:
        return "#6b7280"
    hue = (user_id * 137.508) % 360 / 60
    chroma = 0.45  # lightness 0.4, saturation 0.55: dark enough for white text on it
    x = chroma * (1 - abs(hue % 2 - 1))
    m = 0.4 - chroma / 2
    r, g, b = [
        (chroma, x, 0),
        (x, chroma, 0),
        (0, chroma, x),
        (0, x, chroma),
        (x, 0, chroma),
        (chroma, 0, x),
    ][int(hue) % 6]
    return "#" + "".join(f"{round((v + m) * 255):02x}" for v in (r, g, b))


# --- create --------------------------------------------------------------------------------------


def _limits() -> dict[str, Any]:
    return {"title_min": topic_service.TITLE_MIN, "title_max": topic_service.TITLE_MAX}


async def new_document(request: Request) -> Response:
    """The form for a new document (members who may post in the board)."""
    page = await _db(request).run_read(board_page, _actor(request), request.path_params["slug"])
    if not page.can_post:
        raise PermissionDenied(page.board.slug)
    return render(request, "document_new.html", {"page": page, **_limits()})


async def create_document(request: Request) -> Response:
    """Create the document and its discussion topic; errors re-render the form."""
    form = await read_form(request)
    slug = request.path_params["slug"]
    db = _db(request)
    try:
        document = await db.run_in_transaction(
            document_service.create_document,
            actor=_actor(request),
            board_slug=slug,
            title=form.get("title"),
        )
    except InvalidInput as exc:
        page = await db.run_read(board_page, _actor(request), slug)
        context = {"page": page, "values": form.values(), "errors": exc.errors, **_limits()}
        return render(request, "document_new.html", context, 400)
    assert document.id is not None
    await index_with_topic(request.app.state, document.id, document.topic_id)
    return see_other(f"/d/{document.id}")


# --- read ----------------------------------------------------------------------------------------


async def show_document(request: Request) -> Response:
    """The document, readable without JavaScript; the editor enhances it for its readers."""
    actor = _actor(request)
    document_id = _document_id(request)
    view = await _db(request).run_read(document_service.document_view, actor, document_id)
    return render(request, "document.html", await _page_context(request, view))


async def _page_context(
    request: Request, view: document_service.DocumentView, *, with_editor: bool = True
) -> dict[str, Any]:
    """What document.html shows: the content rendered from the CRDT, the editor's data."""
    actor = _actor(request)
    content = await document_export(request.app.state, view.document.id or 0)
    editor = None
    if with_editor and (STATIC_DIR / EDITOR_SCRIPT).is_file():
        editor = static_url(EDITOR_SCRIPT)
    return {
        "view": view,
        "html": content.html(lowest_heading=2),
        "ws_url": ws_base_url(request.app.state.settings),
        "user_name": actor.display_name,
        "user_color": user_color(actor.user_id),
        "editor_script": editor,
        "editor_style": static_url(EDITOR_STYLE) if editor else "",
        "formats": EXPORT_FORMATS,
    }


EXPORT_FORMATS = ("html", "md", "odt", "docx")


async def export(request: Request) -> Response:
    """/d/{id}/export.{format}: the current text as a file."""
    document_id = _document_id(request)
    fmt = str(request.path_params["format"])
    if fmt not in EXPORT_FORMATS:
        raise NotFound(fmt)
    view = await _db(request).run_read(document_service.document_view, _actor(request), document_id)
    content = await document_export(request.app.state, document_id)
    return export_response(view.document.title, content, fmt)


# --- manage --------------------------------------------------------------------------------------


async def rename(request: Request) -> Response:
    """Rename the document (and its discussion topic)."""
    form = await read_form(request)
    document_id = _document_id(request)
    db = _db(request)
    try:
        document = await db.run_in_transaction(
            document_service.rename_document,
            actor=_actor(request),
            document_id=document_id,
            title=form.get("title"),
        )
    except InvalidInput as exc:
        return await _manage_error(request, document_id, exc, form.values())
    await index_with_topic(request.app.state, document_id, document.topic_id)
    return see_other(f"/d/{document_id}")


async def move(request: Request) -> Response:
    """Move the document (and its topic) to another board where the member may post."""
    form = await read_form(request)
    document_id = _document_id(request)
    db = _db(request)
    try:
        document = await db.run_in_transaction(
            document_service.move_document,
            actor=_actor(request),
            document_id=document_id,
            board_slug=form.get("board"),
        )
    except InvalidInput as exc:
        return await _manage_error(request, document_id, exc, form.values())
    if document.topic_id is not None:
        await indexing.move_topic(request.app.state, document.topic_id, document.board_id)
    await index_document(request.app.state, document_id)
    return see_other(f"/d/{document_id}")


async def archive(request: Request) -> Response:
    """Archive the document (read-only for all), or take it out of the archive."""
    form = await read_form(request)
    document_id = _document_id(request)
    await _db(request).run_in_transaction(
        document_service.set_archived,
        actor=_actor(request),
        document_id=document_id,
        archived=form.get("archived") == "1",
    )
    await index_document(request.app.state, document_id)
    return see_other(f"/d/{document_id}")


async def _manage_error(
    request: Request, document_id: int, exc: InvalidInput, values: dict[str, str]
) -> Response:
    view = await _db(request).run_read(document_service.document_view, _actor(request), document_id)
    context = await _page_context(request, view, with_editor=False)
    return render(
        request, "document.html", {**context, "errors": exc.errors, "values": values}, 400
    )


# --- versions ------------------------------------------------------------------------------------


async def versions(request: Request) -> Response:
    """The document's versions, newest first, and the form to name the current state."""
    listing = await _db(request).run_read(
        version_service.list_versions, _actor(request), _document_id(request)
    )
    return render(request, "document_versions.html", {"listing": listing})


async def create_version(request: Request) -> Response:
    """Save the current state under a name."""
    form = await read_form(request)
    document_id = _document_id(request)
    db = _db(request)
    state = await live.current_state(request.app.state.collab, document_id)
    try:
        await db.run_in_transaction(
            version_service.create_version,
            actor=_actor(request),
            document_id=document_id,
            name=form.get("name"),
            state=state,
        )
    except InvalidInput as exc:
        listing = await db.run_read(version_service.list_versions, _actor(request), document_id)
        context = {"listing": listing, "errors": exc.errors, "values": form.values()}
        return render(request, "document_versions.html", context, 400)
    return see_other(f"/d/{document_id}/versions")


async def show_version(request: Request) -> Response:
    """One version, read-only."""
    document_id = _document_id(request)
    document, board, version = await _db(request).run_read(
        version_service.get_version, _actor(request), document_id, _version_id(request)
    )
    listing = await _db(request).run_read(
        version_service.list_versions, _actor(request), document_id
    )
    content = await document_export(request.app.state, document_id, state_bytes=version.state)
    context = {
        "document": document,
        "board": board,
        "version": version,
        "html": content.html(lowest_heading=2),
        "can_restore": listing.can_restore,
        "formats": EXPORT_FORMATS,
    }
    return render(request, "document_version.html", context)


async def compare_version(request: Request) -> Response:
    """A version against the current text (or, with ?with=ID, against another version)."""
    document_id = _document_id(request)
    db = _db(request)
    actor = _actor(request)
    document, board, version = await db.run_read(
        version_service.get_version, actor, document_id, _version_id(request)
    )
    other_id = parse_id(request.query_params.get("with", ""))
    other = None
    if other_id is not None:
        _d, _b, other = await db.run_read(version_service.get_version, actor, document_id, other_id)
    before = await document_export(request.app.state, document_id, state_bytes=version.state)
    after = await document_export(
        request.app.state, document_id, state_bytes=other.state if other is not None else None
    )
    context = {
        "document": document,
        "board": board,
        "version": version,
        "other": other,
        "lines": line_diff(before.text, after.text),
    }
    return render(request, "document_diff.html", context)


async def export_version(request: Request) -> Response:
    """/d/{id}/versions/{vid}/export.{format}: a version as a file."""
    fmt = str(request.path_params["format"])
    if fmt not in EXPORT_FORMATS:
        raise NotFound(fmt)
    document, _board, version = await _db(request).run_read(
        version_service.get_version, _actor(request), _document_id(request), _version_id(request)
    )
    content = await document_export(request.app.state, document.id or 0, state_bytes=version.state)
    return export_response(document.title, content, fmt)


async def restore_version(request: Request) -> Response:
    """Make the document show this version again: a new edit, nothing deleted."""
    await read_form(request)
    document_id = _document_id(request)
    _document, _board, version = await _db(request).run_read(
        version_service.get_version,
        _actor(request),
        document_id,
        _version_id(request),
        for_restore=True,
    )
    await live.restore(request.app.state.collab, document_id, version.state)
    return see_other(f"/d/{document_id}")


routes = [
    Route("/b/{slug}/documents/new", new_document, methods=["GET"], name="document_new"),
    Route("/b/{slug}/documents/new", create_document, methods=["POST"]),
    Route("/d/{document_id}", show_document, name="document"),
    Route("/d/{document_id}/export.{format}", export, name="document_export"),
    Route("/d/{document_id}/rename", rename, methods=["POST"]),
    Route("/d/{document_id}/move", move, methods=["POST"]),
    Route("/d/{document_id}/archive", archive, methods=["POST"]),
    Route("/d/{document_id}/versions", versions, name="document_versions"),
    Route("/d/{document_id}/versions", create_version, methods=["POST"]),
    Route("/d/{document_id}/versions/{version_id}", show_version, name="document_version"),
    Route("/d/{document_id}/versions/{version_id}/export.{format}", export_version),
    Route("/d/{document_id}/versions/{version_id}/diff", compare_version),
    Route("/d/{document_id}/versions/{version_id}/restore", restore_version, methods=["POST"]),
]
