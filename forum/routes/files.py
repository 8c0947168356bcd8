"""File pages: serving files (download, display size, thumbnail) and each board's library."""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.access import Actor
from forum.db import Database
from forum.errors import InvalidInput, NotFound
from forum.files.accept import accept_files, max_file_bytes
from forum.files.serving import file_response, load_for_serving
from forum.files.sniff import accepted_kinds
from forum.files.upload import receive_form
from forum.forms import read_form
from forum.i18n import gettext as _
from forum.routes.navigation import see_other
from forum.services import files as file_service
from forum.services import folders as folder_service
from forum.services import library as library_service
from forum.templating import render
from forum.urls import parse_id


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _actor(request: Request) -> Actor:
    actor: Actor = request.state.actor
    return actor


def _id(raw: str | None) -> int | None:
    return None if raw is None else parse_id(raw)


# --- serving ----------------------------------------------------------------------------------


async def _serve(request: Request, variant: str) -> Response:
    loaded = await _db(request).run_read(
        load_for_serving,
        _actor(request),
        request.path_params["file_id"],
        variant,
        request.app.state.storage,
    )
    if loaded is None:
        raise NotFound(request.path_params["file_id"])
    return file_response(request, loaded)


async def download(request: Request) -> Response:
    """The file as it was shared, always as an attachment (the name in the URL is cosmetic)."""
    return await _serve(request, "original")


async def display(request: Request) -> Response:
    """An image's re-encoded display size (no EXIF), shown inline."""
    return await _serve(request, "display")


async def thumbnail(request: Request) -> Response:
    """An image's thumbnail, shown inline."""
    return await _serve(request, "thumb")


# --- the library ------------------------------------------------------------------------------


def _library_url(slug: str, folder_id: int | None = None, **query: str) -> str:
    params = {**({"dossier": str(folder_id)} if folder_id else {}), **query}
    return f"/b/{slug}/fichiers" + (f"?{urlencode(params)}" if params else "")


async def _library_response(
    request: Request,
    *,
    folder_id: int | None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    notice: str = "",
) -> Response:
    query = request.query_params
    view = "galerie" if query.get("vue") == "galerie" else "liste"
    page = await _db(request).run_read(
        library_service.library_page,
        _actor(request),
        request.path_params["slug"],
        folder_id=folder_id,
        sort=query.get("tri", "nom"),
        descending=query.get("ordre") == "desc",
    )
    context = {
        "page": page,
        "view": view,
        "errors": errors or {},
        "notice": notice,
        "accepted": accepted_kinds(),
        "max_mb": request.app.state.settings.max_upload_mb,
    }
    return render(request, "files.html", context, status)


async def library(request: Request) -> Response:
    """A folder of the board's library, as a list (sortable) or a gallery of images."""
    return await _library_response(request, folder_id=_id(request.query_params.get("dossier")))


async def upload(request: Request) -> Response:
    """Add files to the library (several at once; works without JavaScript)."""
    slug = request.path_params["slug"]
    actor = _actor(request)
    await _db(request).run_read(file_service.check_can_upload, actor=actor, board_slug=slug)
    received = await receive_form(
        request,
        request.app.state.storage,
        max_file_bytes=max_file_bytes(request.app.state.settings),
    )
    folder_id = _id(received.form().get("folder"))
    if not received.files:
        return await _library_response(
            request,
            folder_id=folder_id,
            errors={"file": _("Choisissez au moins un fichier.")},
            status=400,
        )
    try:
        files = await accept_files(
            request.app.state, actor, received.files, board_slug=slug, folder_id=folder_id
        )
    except InvalidInput as exc:
        return await _library_response(request, folder_id=folder_id, errors=exc.errors, status=400)
    return see_other(_library_url(slug, folder_id, ajoutes=str(len(files))))


async def create_folder(request: Request) -> Response:
    """Add a folder to the library."""
    form = await read_form(request)
    slug = request.path_params["slug"]
    parent_id = _id(form.get("parent"))
    try:
        folder = await _db(request).run_in_transaction(
            folder_service.create_folder,
            actor=_actor(request),
            board_slug=slug,
            name=form.get("folder_name"),
            parent_id=parent_id,
        )
    except InvalidInput as exc:
        return await _library_response(request, folder_id=parent_id, errors=exc.errors, status=400)
    return see_other(_library_url(slug, folder.id))


async def manage_folder(request: Request) -> Response:
    """Rename, move or delete a folder (the board's moderators); its contents go up a level."""
    form = await read_form(request)
    action = request.path_params["action"]
    slug = request.path_params["slug"]
    folder_id = parse_id(request.path_params["folder_id"])
    if folder_id is None or action not in ("renommer", "deplacer", "supprimer"):
        raise NotFound(request.url.path)
    db, actor = _db(request), _actor(request)
    try:
        if action == "renommer":
            await db.run_in_transaction(
                folder_service.rename_folder,
                actor=actor,
                board_slug=slug,
                folder_id=folder_id,
                name=form.get("folder_rename"),
            )
        elif action == "deplacer":
            raw_parent = form.get("folder_parent")
            parent_id = _id(raw_parent) if raw_parent else None
            if raw_parent and parent_id is None:
                parent_id = 0  # names no folder: the service refuses it, after checking access
            await db.run_in_transaction(
                folder_service.move_folder,
                actor=actor,
                board_slug=slug,
                folder_id=folder_id,
                parent_id=parent_id,
            )
        else:
            if not form.flag("folder_confirm"):
                # Checks access first, so that a hidden folder is 404 and not a form error.
                await db.run_read(folder_service.check_can_manage_folder, actor, slug, folder_id)
                raise InvalidInput(
                    {"folder_confirm": _("Cochez la case pour confirmer la suppression.")}
                )
            deleted = await db.run_in_transaction(
                folder_service.delete_folder, actor=actor, board_slug=slug, folder_id=folder_id
            )
            return see_other(_library_url(slug, deleted.parent_id, dossier_supprime="1"))
    except InvalidInput as exc:
        return await _library_response(request, folder_id=folder_id, errors=exc.errors, status=400)
    return see_other(_library_url(slug, folder_id))


async def _detail_response(
    request: Request, *, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    detail = await _db(request).run_read(
        library_service.file_detail,
        _actor(request),
        request.path_params["slug"],
        request.path_params["file_id"],
    )
    context = {"detail": detail, "errors": errors or {}}
    return render(request, "files_detail.html", context, status)


async def file_page(request: Request) -> Response:
    """A file's page: what it is, where it is used, and (for those allowed) how to change it."""
    return await _detail_response(request)


async def manage(request: Request) -> Response:
    """Rename, move or delete a file (its uploader or a moderator)."""
    form = await read_form(request)
    action = request.path_params["action"]
    slug, public_id = request.path_params["slug"], request.path_params["file_id"]
    # The detail page checks that the file belongs to this board (else 404).
    detail = await _db(request).run_read(
        library_service.file_detail, _actor(request), slug, public_id
    )
    db, actor = _db(request), _actor(request)
    try:
        if action == "renommer":
            await db.run_in_transaction(
                library_service.rename_file, actor=actor, public_id=public_id, name=form.get("name")
            )
        elif action == "deplacer":
            await db.run_in_transaction(
                library_service.move_file,
                actor=actor,
                public_id=public_id,
                folder_id=_id(form.get("folder")),
            )
        elif action == "supprimer":
            if not form.flag("confirm"):
                raise InvalidInput({"confirm": _("Cochez la case pour confirmer la suppression.")})
            await db.run_in_transaction(
                library_service.delete_file, actor=actor, public_id=public_id
            )
            folder = detail.folder.id if detail.folder else None
            return see_other(_library_url(slug, folder))
        else:
            raise NotFound(action)
    except InvalidInput as exc:
        return await _detail_response(request, errors=exc.errors, status=400)
    return see_other(f"/b/{slug}/fichiers/{public_id}")


routes = [
    Route("/f/{file_id}/display", display, methods=["GET"], name="file_display"),
    Route("/f/{file_id}/thumb", thumbnail, methods=["GET"], name="file_thumb"),
    Route("/f/{file_id}", download, methods=["GET"], name="file_download"),
    Route("/f/{file_id}/{name}", download, methods=["GET"]),
    Route("/b/{slug}/fichiers", library, methods=["GET"], name="library"),
    Route("/b/{slug}/fichiers", upload, methods=["POST"]),
    Route("/b/{slug}/fichiers/dossiers", create_folder, methods=["POST"], name="library_folders"),
    Route("/b/{slug}/fichiers/dossiers/{folder_id}/{action}", manage_folder, methods=["POST"]),
    Route("/b/{slug}/fichiers/{file_id}", file_page, methods=["GET"], name="library_file"),
    Route("/b/{slug}/fichiers/{file_id}/{action}", manage, methods=["POST"]),
]
