"""Imported files go through the upload pipeline into the board's library.

`LibrarySink` is the importer's AttachmentSink: `prepare` writes the bytes to a temporary file
of the storage and runs the same sniffing, size limit and image work as an upload (outside
any transaction); `record` writes the File row in the board's library and links it to the
imported post. The same bytes already in the board's library (same SHA-256, not deleted) are
reused instead of being added again, so a file sent to the list ten times is there once,
linked to its ten posts.

Quotas: an import is started by an administrator (the command line, or the administration
page), and the archive is the group's history, which must come in whole. Neither the member
quota (the senders did not upload anything) nor the board quota applies to it: a quota
reached halfway would publish an arbitrary part of the history. The per-file size limit does
apply, like for an upload. Members' uploads after the import still count the imported bytes
against the board quota; the administrator raises it if needed.
"""

import hashlib
import json
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from forum.db import Database
from forum.errors import InvalidInput
from forum.files.intake import PreparedFile, prepare_file
from forum.files.storage import FileStorage, LocalStorage
from forum.i18n import format_number
from forum.i18n import gettext as _
from forum.importer.load import ImportOptions, check_board, message_key
from forum.importer.message import Flag, ParsedMessage
from forum.importer.report import ImportReport
from forum.models import File, ImportedMessage, Post, PostFile, StoredBlob
from forum.services.files import unreferenced_blobs
from forum.settings import Settings

log = logging.getLogger(__name__)
MB = 1024 * 1024
CHECK_CHUNK = 500


def library_storage(settings: Settings) -> LocalStorage:
    """The file storage of the site (the same directory the web application serves)."""
    return LocalStorage(settings.data_dir / "files")


def too_large(max_bytes: int) -> InvalidInput:
    """The refusal of a file over the per-file limit (the upload's own words)."""
    return InvalidInput(
        {
            "file": _(
                "Le fichier dépasse la taille maximale (%(max)s Mo).",
                max=format_number(max_bytes // MB),
            )
        }
    )


def ensure_blobs(session: Session, prepared: PreparedFile) -> None:
    """The stored_blobs rows of a prepared file and of its renditions."""
    wanted = [(prepared.sha256, prepared.size, prepared.content_type)]
    if prepared.image is not None:
        for rendition in (prepared.image.display, prepared.image.thumbnail):
            wanted.append((rendition.sha256, rendition.size, rendition.content_type))
    for sha256, size, content_type in wanted:
        if session.get(StoredBlob, sha256) is None:
            session.add(StoredBlob(sha256=sha256, size=size, content_type=content_type))
            session.flush()


def new_file(
    session: Session,
    prepared: PreparedFile,
    *,
    board_id: int,
    folder_id: int | None,
    uploader_id: int | None,
    created_at: datetime,
    name: str | None = None,
) -> File:
    """A File row for bytes already in the storage (no access or quota check: imports only)."""
    ensure_blobs(session, prepared)
    image = prepared.image
    file = File(
        public_id=secrets.token_urlsafe(12),
        board_id=board_id,
        folder_id=folder_id,
        name=name or prepared.name,
        uploader_id=uploader_id,
        blob_sha256=prepared.sha256,
        content_type=prepared.content_type,
        size=prepared.size,
        created_at=created_at,
        width=image.width if image else None,
        height=image.height if image else None,
        display_sha256=image.display.sha256 if image else None,
        thumb_sha256=image.thumbnail.sha256 if image else None,
    )
    session.add(file)
    session.flush()
    return file


def link_to_post(session: Session, *, file_id: int, post_id: int) -> None:
    """Attach a file to a post, after the files it already carries (once)."""
    rows = session.exec(select(PostFile.file_id).where(PostFile.post_id == post_id)).all()
    if file_id not in rows:
        session.add(PostFile(post_id=post_id, file_id=file_id, position=len(rows)))
        session.flush()


class LibrarySink:
    """Attachments of imported mail into the board's library (see the module's docstring)."""

    def __init__(self, storage: FileStorage, *, max_bytes: int) -> None:
        self.storage = storage
        self.max_bytes = max_bytes
        self.stored: list[str] = []  # blobs written, to remove those no row names at the end

    @classmethod
    def from_settings(cls, settings: Settings) -> "LibrarySink":
        """The sink of the site's storage, with the upload size limit."""
        return cls(library_storage(settings), max_bytes=settings.max_upload_mb * MB)

    def prepare(self, *, name: str, content_type: str, data: bytes) -> PreparedFile:
        """Check and store the bytes like an upload; InvalidInput(file=…) when refused."""
        if len(data) > self.max_bytes:
            raise too_large(self.max_bytes)
        temp = self.storage.temp_path()
        temp.write_bytes(data)
        prepared = prepare_file(self.storage, temp, name, hashlib.sha256(data).hexdigest())
        self.stored += prepared.blobs()
        return prepared

    def record(
        self,
        session: Session,
        prepared: object,
        *,
        board_id: int,
        post_id: int,
        author_id: int,
        created_at: datetime,
    ) -> int:
        """The board's file with these bytes (reused, or added), linked to the post."""
        assert isinstance(prepared, PreparedFile)
        file = session.exec(
            select(File)
            .where(
                File.board_id == board_id,
                File.blob_sha256 == prepared.sha256,
                col(File.deleted_at).is_(None),
            )
            .order_by(col(File.id))
        ).first()
        if file is None:
            file = new_file(
                session,
                prepared,
                board_id=board_id,
                folder_id=None,
                uploader_id=author_id,
                created_at=created_at,
            )
        assert file.id is not None
        link_to_post(session, file_id=file.id, post_id=post_id)
        return file.id

    def discard_unrecorded(self, db: Database) -> int:
        """Remove the blobs this sink stored that no row names (a batch that failed)."""
        shas = list(dict.fromkeys(self.stored))
        self.stored = []
        removed = 0
        for start in range(0, len(shas), CHECK_CHUNK):
            for sha in db.reading(unreferenced_blobs, shas[start : start + CHECK_CHUNK]):
                self.storage.delete(sha)
                removed += 1
        return removed


@dataclass
class _Pending:
    """An earlier import's message whose attachments were left pending."""

    row_id: int
    post_id: int
    author_id: int
    board_id: int
    described: list[dict[str, object]]


def _pending_rows(session: Session, board_slug: str, keys: Sequence[str]) -> dict[str, _Pending]:
    board_id = check_board(session, board_slug)
    found: dict[str, _Pending] = {}
    for start in range(0, len(keys), CHECK_CHUNK):
        rows = session.exec(
            select(ImportedMessage, Post.author_id)
            .join(Post, col(Post.id) == ImportedMessage.post_id)
            .where(
                ImportedMessage.board_id == board_id,
                col(ImportedMessage.message_key).in_(keys[start : start + CHECK_CHUNK]),
                col(ImportedMessage.attachments).contains('"status": "pending"'),
            )
        ).all()
        for row, author_id in rows:
            assert row.id is not None and row.post_id is not None
            found[row.message_id] = _Pending(
                row.id, row.post_id, author_id, board_id, json.loads(row.attachments)
            )
    return found


def publish_pending(
    db: Database,
    messages: Iterable[ParsedMessage],
    options: ImportOptions,
    report: ImportReport,
) -> int:
    """Publish the attachments an earlier import left pending (before the library existed),
    from the messages read again; how many were published."""
    if options.dry_run or not isinstance(options.sink, LibrarySink):
        return 0
    sink = options.sink
    with_data = [m for m in messages if any(not a.missing for a in m.attachments)]
    keys = [message_key(m.message_id) for m in with_data]
    pending = db.reading(_pending_rows, options.board_slug, keys)
    published = 0
    for message in with_data:
        found = pending.get(message.message_id)
        if found is None:
            continue
        prepared: dict[int, PreparedFile | str] = {}
        for index, entry in enumerate(found.described):
            if entry.get("status") != "pending" or index >= len(message.attachments):
                continue
            attachment = message.attachments[index]
            if attachment.missing or attachment.refused:
                continue
            try:
                prepared[index] = sink.prepare(
                    name=attachment.name, content_type=attachment.content_type, data=attachment.data
                )
            except InvalidInput as exc:
                prepared[index] = "; ".join(exc.errors.values())
        if not prepared:
            continue

        published += db.transaction(_publish_one, sink, found, prepared, message.date)
    report.attachments_imported += published
    return published


def _publish_one(
    session: Session,
    sink: LibrarySink,
    found: _Pending,
    prepared: dict[int, PreparedFile | str],
    date: datetime,
) -> int:
    """Record one message's prepared attachments and update its provenance row."""
    count = 0
    for index, item in prepared.items():
        entry = found.described[index]
        if isinstance(item, str):
            entry["status"], entry["refused"] = "refused", item
            continue
        entry["status"] = "imported"
        entry["file_id"] = sink.record(
            session,
            item,
            board_id=found.board_id,
            post_id=found.post_id,
            author_id=found.author_id,
            created_at=date,
        )
        count += 1
    row = session.get(ImportedMessage, found.row_id)
    assert row is not None
    row.attachments = json.dumps(found.described, ensure_ascii=False)
    if any(isinstance(item, str) for item in prepared.values()):
        flags = [f for f in row.flags.split(",") if f]
        if Flag.ATTACHMENT_REFUSED.value not in flags:
            row.flags = ",".join([*flags, Flag.ATTACHMENT_REFUSED.value])[:255]
    session.add(row)
    return count
