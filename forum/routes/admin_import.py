"""Importing the old group from the web: upload an archive, follow the import, confirm
claims; and an imported post's original message, for its board's moderators."""

import json
import secrets
import shutil
from pathlib import Path

import anyio.to_thread
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Message, Receive

from forum.access import Actor, access_site_admin
from forum.auth.keys import same
from forum.auth.middleware import CSRF_FIELD
from forum.db import Database
from forum.errors import Conflict, InvalidInput
from forum.files.accept import max_file_bytes
from forum.forms import CsrfFailed, Form, FormTooLarge, read_form
from forum.i18n import gettext as _
from forum.importer import claims, jobs, provenance
from forum.importer.file_sink import LibrarySink
from forum.importer.read import FORMATS
from forum.indexing import index_posts
from forum.routes.navigation import see_other
from forum.services import boards as board_service
from forum.settings import Settings
from forum.templating import render

UPLOAD_MAX_BYTES = 2 * 1024**3  # an archive of many years, attachments included
NAME_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")


def _admin(request: Request) -> Actor:
    """The acting administrator; to anyone else these pages don't exist (404)."""
    actor: Actor = request.state.actor
    access_site_admin(actor)
    return actor


def _counting(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise FormTooLarge(str(received))
        return message

    return counted


async def _read_upload(request: Request) -> tuple[Form, UploadFile | None]:
    """The upload form: size counted as it arrives, one file (spooled to disk), CSRF checked."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > UPLOAD_MAX_BYTES:
        raise FormTooLarge(length)
    counted = Request(request.scope, _counting(request.receive, UPLOAD_MAX_BYTES))
    data = await counted.form(max_files=1, max_fields=20)
    form = Form(data)
    if request.scope.get("state", {}).get("csrf_form_check"):
        expected = request.state.csrf_token
        if not expected or not same(form.get(CSRF_FIELD), expected):
            raise CsrfFailed("csrf")
    upload = data.get("archive")
    return form, upload if isinstance(upload, UploadFile) and upload.filename else None


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(c if c in NAME_SAFE else "_" for c in base).strip("._") or "archive"
    return cleaned[-120:]


async def _import_page(request: Request, status: int = 200, **context: object) -> Response:
    actor = _admin(request)
    db: Database = request.app.state.db
    listing = await db.run_read(board_service.admin_list_boards, actor=actor)
    recent = await db.run_read(jobs.list_jobs, actor=actor)
    pending = await db.run_read(claims.list_claims, actor=actor)
    page: dict[str, object] = {
        "boards": [board for board, _group in listing.boards],
        "jobs": recent,
        "claims": pending,
        "formats": ("auto", *FORMATS),
        "values": {"format": "auto"},
        "saved": request.query_params.get("saved", ""),
    }
    page.update(context)
    return render(request, "admin_import.html", page, status)


async def import_page(request: Request) -> Response:
    """The upload form, recent imports, and the claims waiting for a decision."""
    return await _import_page(request)


async def start_import(request: Request) -> Response:
    """Store the uploaded archive, record the job, and run it after the response."""
    actor = _admin(request)
    form, upload = await _read_upload(request)
    values = form.values()
    if upload is None:
        errors = {"archive": _("Choisissez le fichier de l'archive.")}
        return await _import_page(request, 400, errors=errors, values=values)
    settings: Settings = request.app.state.settings
    folder = settings.data_dir / "imports" / secrets.token_hex(8)
    name = upload.filename or "archive"
    target = folder / _safe_name(name)

    def save() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1024 * 1024)

    await anyio.to_thread.run_sync(save)
    await upload.close()
    db: Database = request.app.state.db
    try:
        job = await db.run_in_transaction(
            jobs.create_job,
            actor=actor,
            board_slug=form.get("board"),
            fmt=form.get("format", "auto"),
            archive=Path(name).name,
            path=str(target),
            dry_run=form.flag("dry_run"),
        )
    except InvalidInput as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return await _import_page(request, 400, errors=exc.errors, values=values)
    assert job.id is not None
    state = request.app.state
    sink = LibrarySink(state.storage, max_bytes=max_file_bytes(state.settings))
    task = BackgroundTask(anyio.to_thread.run_sync, jobs.run_job, db, state.search, job.id, sink)
    response = see_other(f"/admin/import/{job.id}")
    response.background = task
    return response


async def job_page(request: Request) -> Response:
    """An import's progress (the page refreshes itself while it runs) and its report."""
    actor = _admin(request)
    db: Database = request.app.state.db
    view = await db.run_read(jobs.get_job, actor=actor, job_id=request.path_params["job_id"])
    report = json.loads(view.job.report) if view.job.status == jobs.DONE else None
    return render(request, "admin_import_job.html", {"view": view, "report": report})


async def decide_claim(request: Request) -> Response:
    """Confirm or refuse a claim, then back to the import page."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    claim_id = request.path_params["claim_id"]
    if form.get("decision") == "confirm":
        moved = await db.run_in_transaction(claims.confirm_claim, actor=actor, claim_id=claim_id)
        await index_posts(request.app.state, moved, first_post_id=None)
        return see_other("/admin/import?saved=confirmed")
    await db.run_in_transaction(claims.refuse_claim, actor=actor, claim_id=claim_id)
    return see_other("/admin/import?saved=refused")


async def source_page(request: Request) -> Response:
    """An imported post's original message (moderators of its board, administrators)."""
    db: Database = request.app.state.db
    source = await db.run_read(
        provenance.message_source, request.state.actor, request.path_params["post_id"]
    )
    return render(request, "admin_import_source.html", {"source": source})


async def claim_page(request: Request) -> Response:
    """A member asks for the old group's messages sent from one of their addresses."""
    actor: Actor = request.state.actor
    db: Database = request.app.state.db
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    status = 200
    if not actor.is_authenticated:
        return see_other("/login?next=/anciens-messages")
    if request.method == "POST":
        form = await read_form(request)
        values = form.values()
        try:
            await db.run_in_transaction(
                claims.claim_address,
                actor=actor,
                address=form.get("address"),
                note=form.get("note"),
            )
            return see_other("/anciens-messages?saved=1")
        except InvalidInput as exc:
            errors, status = exc.errors, 400
        except Conflict as exc:
            errors, status = {"address": exc.message}, 409
    mine = await db.run_read(claims.my_claims, actor=actor)
    context = {"mine": mine, "errors": errors, "values": values}
    context["saved"] = request.query_params.get("saved", "")
    return render(request, "admin_import_claim.html", context, status)


routes: list[BaseRoute] = [
    Route("/admin/import", import_page, methods=["GET"], name="admin_import"),
    Route("/admin/import", start_import, methods=["POST"]),
    Route("/admin/import/{job_id:int}", job_page, methods=["GET"]),
    Route("/admin/import/claims/{claim_id:int}", decide_claim, methods=["POST"]),
    Route("/p/{post_id:int}/origine", source_page, methods=["GET"]),
    Route("/anciens-messages", claim_page, methods=["GET", "POST"]),
]
