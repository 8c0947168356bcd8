"""JSON API for the folders of a board's library: list, create, rename or move, delete.

Deleting a folder deletes no file: its files and sub-folders go up into its parent.
"""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from forum.api.handling import JSON, database, path_id, read_payload, signed_in, unauthenticated
from forum.api.serialize import iso_utc
from forum.errors import InvalidInput
from forum.i18n import gettext as _
from forum.services import folders as folder_service
from forum.services.folders import FolderRow

# The services name the fields of the library page's forms; the API names its payload's.
_FIELDS = {"folder_name": "name", "folder_rename": "name", "folder_parent": "parent"}


def folder_json(row: FolderRow) -> JSON:
    """A folder: its id, name, parent (null: the root) and path from the root."""
    return {
        "id": row.folder.id,
        "name": row.folder.name,
        "parent": row.folder.parent_id,
        "path": row.path,
        "created_at": iso_utc(row.folder.created_at),
    }


def _parent(data: JSON, errors: dict[str, str]) -> int | None:
    value = data.get("parent")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors["parent"] = _("Numéro de dossier attendu.")
        return None
    return value


def _name(data: JSON, errors: dict[str, str]) -> str | None:
    value = data.get("name")
    if value is None or isinstance(value, str):
        return value
    errors["name"] = _("Texte attendu.")
    return None


def _renamed(exc: InvalidInput) -> InvalidInput:
    return InvalidInput({_FIELDS.get(key, key): message for key, message in exc.errors.items()})


async def list_folders(request: Request) -> Response:
    """Every folder of a board, sorted by path."""
    rows = await database(request).run_read(
        folder_service.board_folders, request.state.actor, request.path_params["slug"]
    )
    return JSONResponse({"folders": [folder_json(row) for row in rows]})


async def create_folder(request: Request) -> Response:
    """Add a folder: {"name", "parent"?}; 201 with the folder."""
    actor = signed_in(request)
    if actor is None:
        return unauthenticated()
    data = await read_payload(request)
    errors: dict[str, str] = {}
    name, parent = _name(data, errors), _parent(data, errors)
    if name is None and "name" not in errors:
        errors["name"] = _("Donnez un nom au dossier.")
    if errors:
        raise InvalidInput(errors)
    slug, db = request.path_params["slug"], database(request)
    try:
        folder = await db.run_in_transaction(
            folder_service.create_folder,
            actor=actor,
            board_slug=slug,
            name=name or "",
            parent_id=parent,
        )
    except InvalidInput as exc:
        raise _renamed(exc) from None
    assert folder.id is not None
    row = await db.run_read(folder_service.folder_of_board, actor, slug, folder.id)
    return JSONResponse(folder_json(row), status_code=201)


async def change_folder(request: Request) -> Response:
    """Rename ("name") and/or move ("parent"; null: the root) a folder; the board's moderators."""
    actor = signed_in(request)
    if actor is None:
        return unauthenticated()
    folder_id = path_id(request, "folder_id")
    data = await read_payload(request)
    errors: dict[str, str] = {}
    name, parent = _name(data, errors), _parent(data, errors)
    if errors:
        raise InvalidInput(errors)
    slug, db = request.path_params["slug"], database(request)
    try:
        await db.run_in_transaction(
            folder_service.update_folder,
            actor=actor,
            board_slug=slug,
            folder_id=folder_id,
            name=name,
            move="parent" in data,
            parent_id=parent,
        )
    except InvalidInput as exc:
        raise _renamed(exc) from None
    row = await db.run_read(folder_service.folder_of_board, actor, slug, folder_id)
    return JSONResponse(folder_json(row))


async def delete_folder(request: Request) -> Response:
    """Delete a folder; its files and sub-folders go up into its parent."""
    actor = signed_in(request)
    if actor is None:
        return unauthenticated()
    deleted = await database(request).run_in_transaction(
        folder_service.delete_folder,
        actor=actor,
        board_slug=request.path_params["slug"],
        folder_id=path_id(request, "folder_id"),
    )
    return JSONResponse(
        {
            "parent": deleted.parent_id,
            "files_moved": deleted.files_moved,
            "folders_moved": deleted.folders_moved,
        }
    )


async def board_folders(request: Request) -> Response:
    """One route for both methods, so that a 405 names them both."""
    return await (create_folder if request.method == "POST" else list_folders)(request)


async def one_folder(request: Request) -> Response:
    """One route for both methods, so that a 405 names them both."""
    return await (delete_folder if request.method == "DELETE" else change_folder)(request)
