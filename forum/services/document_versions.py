"""Versions of a document: named ones made by members, automatic ones while people write.

A version holds the document's whole state (a merged Yjs update); viewing renders it,
restoring applies it as a new edit (forum.documents.live), so no history is ever deleted.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from forum.access import Actor, access_document, can_edit_document
from forum.errors import InvalidInput, NotFound, PermissionDenied
from forum.i18n import gettext as _
from forum.models import Board, Document, DocumentVersion, User, utcnow
from forum.urls import MAX_ID

NAME_MAX = 200
AUTOMATIC_EVERY = timedelta(minutes=5)  # at most one automatic version per 5 minutes
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_name(raw: str) -> str:
    """A version's name: 1 to NAME_MAX characters, spaces collapsed."""
    name = " ".join(_CONTROL.sub(" ", raw).split())
    if not name:
        raise InvalidInput({"name": _("Donnez un nom à cette version.")})
    if len(name) > NAME_MAX:
        raise InvalidInput(
            {"name": _("Le nom ne doit pas dépasser %(max)s caractères.", max=NAME_MAX)}
        )
    return name


def create_version(
    session: Session, *, actor: Actor, document_id: int, name: str, state: bytes
) -> DocumentVersion:
    """Save the document's current state under a name (members who may post in its board)."""
    _document, _board = access_document(session, actor, document_id, for_write=True)
    version = DocumentVersion(
        document_id=document_id, name=clean_name(name), state=state, created_by_id=actor.user_id
    )
    session.add(version)
    session.flush()
    return version


def record_automatic_version(
    session: Session, *, document_id: int, state: bytes, every: timedelta = AUTOMATIC_EVERY
) -> DocumentVersion | None:
    """Keep an automatic version of an edited document, unless the latest version is recent
    or holds this very state."""
    if not state or session.get(Document, document_id) is None:
        return None
    latest = session.exec(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document_id)
        .order_by(col(DocumentVersion.created_at).desc(), col(DocumentVersion.id).desc())
    ).first()
    now = utcnow()
    if latest is not None and (latest.state == state or now - latest.created_at < every):
        return None
    version = DocumentVersion(document_id=document_id, is_automatic=True, state=state)
    session.add(version)
    session.flush()
    return version


@dataclass(frozen=True)
class VersionRow:
    """A line of the version list (without its state)."""

    id: int
    name: str
    is_automatic: bool
    author_name: str
    created_at: datetime


@dataclass(frozen=True)
class VersionList:
    """A document's versions, newest first, and whether the actor may add or restore."""

    document: Document
    board: Board
    versions: list[VersionRow]
    can_create: bool
    can_restore: bool


def list_versions(session: Session, actor: Actor, document_id: int) -> VersionList:
    """The versions of a document the actor may read."""
    document, board = access_document(session, actor, document_id)
    # Five columns (the state left out): past sqlmodel's select overloads, so SQLAlchemy's.
    rows = session.execute(
        sa_select(
            col(DocumentVersion.id),
            col(DocumentVersion.name),
            col(DocumentVersion.is_automatic),
            col(User.display_name),
            col(DocumentVersion.created_at),
        )
        .outerjoin(User, col(User.id) == col(DocumentVersion.created_by_id))
        .where(col(DocumentVersion.document_id) == document_id)
        .order_by(col(DocumentVersion.created_at).desc(), col(DocumentVersion.id).desc())
    ).all()
    versions = [
        VersionRow(id=vid, name=name, is_automatic=auto, author_name=who or "", created_at=when)
        for vid, name, auto, who, when in rows
        if vid is not None
    ]
    can_write = can_edit_document(actor, board, document)
    return VersionList(document, board, versions, can_create=can_write, can_restore=can_write)


def get_version(
    session: Session, actor: Actor, document_id: int, version_id: int, *, for_restore: bool = False
) -> tuple[Document, Board, DocumentVersion]:
    """One version of a document the actor may read (for_restore: may edit its text)."""
    document, board = access_document(session, actor, document_id)
    version = session.get(DocumentVersion, version_id) if 0 < version_id <= MAX_ID else None
    if version is None or version.document_id != document.id:
        raise NotFound(f"version {version_id}")
    if for_restore and not can_edit_document(actor, board, document):
        raise PermissionDenied(f"version {version_id}")
    return document, board, version
