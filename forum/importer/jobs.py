"""Imports started from the administration pages: recorded as jobs, run in the background,
followed through their progress counters, and reported as JSON once done."""

import logging
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from sqlmodel import Session, col, select

from forum.access import Actor, access_site_admin
from forum.db import Database
from forum.errors import InvalidInput, NotFound
from forum.i18n import gettext as _
from forum.importer.attachments import AttachmentSink
from forum.importer.load import ImportOptions, check_board
from forum.importer.mbox import zip_has_mbox
from forum.importer.read import FORMATS, UnknownFormat
from forum.importer.run import run_import
from forum.models import Board, ImportJob, utcnow
from forum.search import SearchBackend

log = logging.getLogger(__name__)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
UNZIPPED_MAX = 4 * 1024**3  # a zip of a Yahoo or .eml folder, once extracted
UNZIPPED_FILES_MAX = 500_000


def create_job(
    session: Session,
    *,
    actor: Actor,
    board_slug: str,
    fmt: str,
    archive: str,
    path: str,
    dry_run: bool,
) -> ImportJob:
    """Record an import to run (administrators only); the archive is already on disk."""
    access_site_admin(actor)
    if fmt not in (*FORMATS, "auto"):
        raise InvalidInput({"format": _("Format inconnu.")})
    try:
        board_id = check_board(session, board_slug)
    except NotFound:
        raise InvalidInput({"board": _("Choisissez un tableau.")}) from None
    job = ImportJob(
        board_id=board_id,
        started_by_id=actor.user_id,
        format=fmt,
        archive=archive[:255],
        path=path[:1000],
        dry_run=dry_run,
    )
    session.add(job)
    session.flush()
    return job


@dataclass(frozen=True)
class JobView:
    """A job with its board, for the pages."""

    job: ImportJob
    board: Board

    @property
    def percent(self) -> int:
        """How far the loading phase is."""
        if self.job.status == DONE:
            return 100
        return int(100 * self.job.done / self.job.total) if self.job.total else 0


def list_jobs(session: Session, *, actor: Actor, limit: int = 20) -> list[JobView]:
    """The latest imports, newest first (administrators only)."""
    access_site_admin(actor)
    rows = session.exec(
        select(ImportJob, Board)
        .join(Board, col(Board.id) == ImportJob.board_id)
        .order_by(col(ImportJob.id).desc())
        .limit(limit)
    ).all()
    return [JobView(job, board) for job, board in rows]


def get_job(session: Session, *, actor: Actor, job_id: int) -> JobView:
    """One import (administrators only)."""
    access_site_admin(actor)
    job = session.get(ImportJob, job_id) if 0 < job_id < 2**63 else None
    board = session.get(Board, job.board_id) if job is not None else None
    if job is None or board is None:
        raise NotFound(f"import {job_id}")
    return JobView(job, board)


def _set(db: Database, job_id: int, **values: object) -> None:
    def update(session: Session) -> None:
        job = session.get(ImportJob, job_id)
        if job is not None:
            for name, value in values.items():
                setattr(job, name, value)
            session.add(job)

    db.transaction(update)


def safe_extract(archive: Path, target: Path) -> Path:
    """Extract a zip (a Yahoo or .eml folder) refusing unsafe names and zip bombs."""
    with zipfile.ZipFile(archive) as source:
        members = source.infolist()
        if len(members) > UNZIPPED_FILES_MAX or sum(m.file_size for m in members) > UNZIPPED_MAX:
            raise UnknownFormat(_("Archive zip trop grande une fois décompressée."))
        for member in members:
            parts = PurePosixPath(member.filename.replace("\\", "/")).parts
            if member.is_dir() or not parts or parts[0] == "/" or ".." in parts:
                continue
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with source.open(member) as data, destination.open("wb") as out:
                shutil.copyfileobj(data, out)
    entries = list(target.iterdir())
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else target


def run_job(
    db: Database,
    search: SearchBackend | None,
    job_id: int,
    sink: AttachmentSink | None = None,
) -> None:
    """Run a recorded import to its end; the outcome is in the job row (never raises).

    sink receives the attachments (the board's library: file_sink.LibrarySink); a dry run
    stores none, and without a sink they stay pending in the raw messages.
    """
    job = db.reading(lambda s: s.get(ImportJob, job_id))
    board = db.reading(lambda s: s.get(Board, job.board_id)) if job is not None else None
    if job is None or board is None:
        return
    _set(db, job_id, status=RUNNING)
    path = Path(job.path)
    try:
        fmt = job.format
        if zipfile.is_zipfile(path) and fmt in ("auto", "yahoo", "eml", "pipermail"):
            if not zip_has_mbox(path) or fmt != "auto":
                folder = path.parent / "extrait"
                folder.mkdir(exist_ok=True)
                path = safe_extract(path, folder)
        options = ImportOptions(
            board_slug=board.slug, archive=job.archive, format=fmt, dry_run=job.dry_run
        )
        if sink is not None and not job.dry_run:
            options.sink = sink

        def progress(done: int, total: int) -> None:
            _set(db, job_id, done=done, total=total)

        report = run_import(db, fmt, [path], options, search=search, on_progress=progress)
    except Exception as exc:  # the job must end, whatever happened: the page says why
        log.exception("import job %s failed", job_id)
        message = str(exc) or type(exc).__name__
        _set(db, job_id, status=FAILED, report=message, finished_at=datetime.now(UTC))
        return
    finally:
        shutil.rmtree(Path(job.path).parent, ignore_errors=True)
    _set(db, job_id, status=DONE, report=report.as_json(), finished_at=utcnow())
