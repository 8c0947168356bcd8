"""JSON API for files: upload one file to a board's library, list a board's files (and, from
forum.api.folders, its folders)."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from forum.access import Actor
from forum.api import folders
from forum.api.handling import database, unauthenticated
from forum.api.serialize import iso_utc
from forum.errors import InvalidInput
from forum.files.accept import accept_files, max_file_bytes
from forum.files.upload import receive_form
from forum.i18n import gettext as _
from forum.services import files as file_service
from forum.services.attachments import Attachment, attachment
from forum.urls import parse_id

JSON = dict[str, object]


def file_json(file: Attachment) -> JSON:
    """A file: for an image, url is the re-encoded display size and thumbnail_url is set."""
    found: JSON = {
        "id": file.public_id,
        "name": file.name,
        "size": file.size,
        "type": file.content_type,
        "url": file.url,
        "download_url": file.download,
    }
    if file.thumbnail is not None:
        found["thumbnail_url"] = file.thumbnail
    return found


def _folder_id(raw: str) -> int | None:
    if not raw:
        return None
    number = parse_id(raw)
    if number is None:
        raise InvalidInput({"folder": _("Numéro de dossier attendu.")})
    return number


async def upload(request: Request) -> Response:
    """Upload one file (multipart field `file`, optional `folder`); 201 with the file."""
    actor: Actor = request.state.actor
    if not actor.is_authenticated:
        return unauthenticated()
    slug = request.path_params["slug"]
    # A hidden board answers 404 before a byte of the body is read.
    await database(request).run_read(file_service.check_can_upload, actor=actor, board_slug=slug)
    state = request.app.state
    received = await receive_form(
        request,
        state.storage,
        max_file_bytes=max_file_bytes(state.settings),
        max_files=1,
        check_csrf=False,  # the middleware requires the X-CSRF-Token header of sessions
    )
    try:
        folder_id = _folder_id(received.form().get("folder"))
        files = [item for item in received.files if item.field == "file"]
        if not files:
            raise InvalidInput({"file": _("Envoyez un fichier dans le champ « file ».")})
        [stored] = await accept_files(state, actor, files, board_slug=slug, folder_id=folder_id)
    finally:
        received.discard()
    body = file_json(attachment(stored))
    return JSONResponse(body, status_code=201, headers={"Location": str(body["url"])})


async def list_files(request: Request) -> Response:
    """The live files of a board, newest first."""
    found = await database(request).run_read(
        file_service.board_files, request.state.actor, request.path_params["slug"]
    )
    return JSONResponse(
        {
            "files": [
                {
                    **file_json(item.file),
                    "folder": item.folder_id,
                    "created_at": iso_utc(item.created_at),
                }
                for item in found
            ]
        }
    )


async def board_files(request: Request) -> Response:
    """One route for both methods, so that a 405 names them both."""
    return await (upload if request.method == "POST" else list_files)(request)


def routes() -> list[BaseRoute]:
    """The file and folder routes of /api/v1 (described in forum.api.openapi_files)."""
    return [
        Route("/boards/{slug}/files", board_files, methods=["GET", "POST"], name="api_files"),
        Route(
            "/boards/{slug}/folders",
            folders.board_folders,
            methods=["GET", "POST"],
            name="api_folders",
        ),
        Route(
            "/boards/{slug}/folders/{folder_id}",
            folders.one_folder,
            methods=["PATCH", "DELETE"],
            name="api_folder",
        ),
    ]
