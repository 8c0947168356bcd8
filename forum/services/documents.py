"""Documents written together: create (with their discussion topic), rename, move, archive,
list, and the rights the live collaboration server asks about.

The text itself is a CRDT kept by collab (its own tables); these functions handle the
document's row only. Search indexing and live rechecks belong after the commit, in the caller.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

import collab.store as collab_store
from forum.access import (
    Actor,
    BoardState,
    access_board,
    access_document,
    actor_for,
    can_edit_document,
    can_post_in_board,
    can_see_board,
    visible_boards,
)
from forum.db import mark_access_changed
from forum.documents.content import plain_text, read_blocks
from forum.errors import InvalidInput, NotFound
from forum.i18n import gettext as _
from forum.models import (
    AccessToken,
    AuthSession,
    Board,
    Document,
    DocumentRecord,
    Topic,
    User,
    table_of,
    utcnow,
)
from forum.prepared import Prepared
from forum.search import SearchEntry
from forum.services import topics as topic_service
from forum.urls import parse_id

TITLE_MIN = topic_service.TITLE_MIN
TITLE_MAX = topic_service.TITLE_MAX


def clean_title(raw: str) -> str:
    """A document title: the same rules as a topic's."""
    return topic_service.clean_title(raw)


def parse_document_id(raw: str) -> int | None:
    """A document id from a URL ("12"); anything else names no document. No leading zeros:
    the id is also a room name, and "012" must not open a second room of document 12."""
    return None if raw.startswith("0") else parse_id(raw)


def _topic_body(document_id: int, title: str) -> str:
    return _(
        "Discussion du document « [%(title)s](/d/%(id)s) » : échangez ici sur son contenu.",
        title=title.replace("[", "(").replace("]", ")"),
        id=document_id,
    )


def create_document(session: Session, *, actor: Actor, board_slug: str, title: str) -> Document:
    """Create an empty document in a board the actor may post in, with its discussion topic
    (whose first post links back to the document)."""
    board = access_board(session, actor, board_slug, for_write=True)
    assert actor.user_id is not None and board.id is not None  # for_write: a member
    clean = clean_title(title)
    now = utcnow()
    document = Document(
        board_id=board.id, title=clean, created_by_id=actor.user_id, created_at=now, updated_at=now
    )
    session.add(document)
    session.flush()
    assert document.id is not None
    topic = topic_service.start_topic(
        session,
        actor=actor,
        board_slug=board.slug,
        title=clean,
        body=_topic_body(document.id, clean),
    )
    document.topic_id = topic.id
    session.add(document)
    session.flush()
    return document


def _live_topic(session: Session, document: Document) -> Topic | None:
    topic = session.get(Topic, document.topic_id) if document.topic_id is not None else None
    return topic if topic is not None and topic.deleted_at is None else None


def rename_document(session: Session, *, actor: Actor, document_id: int, title: str) -> Document:
    """Give a document a new title (its discussion topic follows)."""
    document, _board = access_document(session, actor, document_id, for_write=True)
    clean = clean_title(title)
    document.title = clean
    document.updated_at = utcnow()
    session.add(document)
    topic = _live_topic(session, document)
    if topic is not None:
        topic.title = clean
        session.add(topic)
    session.flush()
    return document


def move_document(session: Session, *, actor: Actor, document_id: int, board_slug: str) -> Document:
    """Move a document (and its discussion topic) to another board; the actor must be able
    to post in both. Who may open it changes: live connections are rechecked after commit."""
    document, board = access_document(session, actor, document_id, for_write=True)
    target = access_board(session, actor, board_slug, for_write=True)
    if target.id == board.id:
        raise InvalidInput({"board": _("Le document est déjà dans ce tableau.")})
    assert target.id is not None
    document.board_id = target.id
    document.updated_at = utcnow()
    session.add(document)
    topic = _live_topic(session, document)
    if topic is not None:
        topic.board_id = target.id
        session.add(topic)
    session.flush()
    mark_access_changed(session)
    return document


def set_archived(session: Session, *, actor: Actor, document_id: int, archived: bool) -> Document:
    """Archive a document (read-only for everyone) or bring it back."""
    document, _board = access_document(session, actor, document_id, for_write=True)
    if (document.archived_at is not None) != archived:
        document.archived_at = utcnow() if archived else None
        session.add(document)
        session.flush()
        mark_access_changed(session)  # open editors become read-only (or writable again)
    return document


@dataclass(frozen=True)
class DocumentView:
    """A document as the actor sees it, with what they may do with it."""

    document: Document
    board: Board
    author_name: str
    can_edit: bool  # change its text
    can_manage: bool  # rename, move, archive
    move_targets: list[Board]


def document_view(session: Session, actor: Actor, document_id: int) -> DocumentView:
    """A document the actor may read; missing or hidden: NotFound."""
    document, board = access_document(session, actor, document_id)
    author = session.get(User, document.created_by_id)
    can_manage = can_post_in_board(actor, board)
    targets = (
        [
            b
            for b in visible_boards(session, actor)
            if b.id != board.id and can_post_in_board(actor, b)
        ]
        if can_manage
        else []
    )
    return DocumentView(
        document=document,
        board=board,
        author_name=author.display_name if author is not None else "",
        can_edit=can_edit_document(actor, board, document),
        can_manage=can_manage,
        move_targets=targets,
    )


@dataclass(frozen=True)
class DocumentRow:
    """A line of a board's document list."""

    document: DocumentRecord
    author_name: str


def board_documents(
    session: Session, actor: Actor, board_slug: str, *, archived: bool = False
) -> tuple[Board, list[DocumentRow]]:
    """The documents of a board the actor may read, latest edited first (archived ones only
    when asked)."""
    board = access_board(session, actor, board_slug)
    return board, documents_of_board(session, board, archived=archived)


# Built once: every board page lists its documents (as rows: most boards have a few).
_DOCUMENTS, _USERS = table_of(Document), table_of(User)
_OF_BOARD = (
    sa_select(*(_DOCUMENTS.c[name] for name in DocumentRecord._fields), _USERS.c.display_name)
    .join_from(_DOCUMENTS, _USERS, _USERS.c.id == _DOCUMENTS.c.created_by_id)
    .where(_DOCUMENTS.c.board_id == bindparam("board"))
    .order_by(_DOCUMENTS.c.updated_at.desc(), _DOCUMENTS.c.id)
)
_ALL_OF_BOARD = Prepared(_OF_BOARD)
_LIVE_OF_BOARD = Prepared(_OF_BOARD.where(_DOCUMENTS.c.archived_at.is_(None)))


def documents_of_board(session: Session, board: BoardState, *, archived: bool) -> list[DocumentRow]:
    """The documents of a board the caller let the actor read (forum.access), as above."""
    query = _ALL_OF_BOARD if archived else _LIVE_OF_BOARD
    rows = query.rows(session, {"board": board.id})
    return [DocumentRow(DocumentRecord._make(row[:-1]), row[-1]) for row in rows]


# --- the live collaboration server's questions ------------------------------------------------


def document_grant(session: Session, actor: Actor, document_id: str) -> bool | None:
    """May the actor open this document live? None: no (missing, hidden, bad id); True: to
    read only; False: to write too. (Read-only: anonymous readers, archived documents.)"""
    number = parse_document_id(document_id)
    if number is None:
        return None
    document = session.get(Document, number)
    if document is None:
        return None
    board = session.get(Board, document.board_id)
    if board is None or not can_see_board(actor, board):
        return None
    return not can_edit_document(actor, board, document)


def credential_actor(session: Session, *, kind: str, credential_id: int) -> Actor | str:
    """The actor behind a session or token id while it is still valid, else why not (a close
    reason the editor knows: "account disabled", "session revoked", "session expired",
    "access revoked"). A disabled account says so, though its sessions were revoked too."""
    row: AuthSession | AccessToken | None = (
        session.get(AuthSession, credential_id)
        if kind == "session"
        else session.get(AccessToken, credential_id)
        if kind == "token"
        else None
    )
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None:
        return "access revoked"
    if not user.is_active:
        return "account disabled"
    if row.revoked_at is not None:
        return "session revoked" if kind == "session" else "access revoked"
    if isinstance(row, AuthSession) and row.expires_at <= utcnow():
        return "session expired"
    return actor_for(session, user)


# --- after edits: search and dates --------------------------------------------------------------


def record_edit(
    session: Session, *, document_id: int, edited_at: datetime, text: str
) -> SearchEntry | None:
    """Note that a document's text changed (its date moves); returns its search entry with
    this text (None: archived or gone)."""
    document = session.get(Document, document_id)
    if document is None:
        return None
    if edited_at > document.updated_at:
        document.updated_at = edited_at
        session.add(document)
    return search_entry(session, document=document, text=text)


def search_entry(session: Session, *, document: Document, text: str) -> SearchEntry | None:
    """The search entry of a document (its title and text), or None for an archived one."""
    if document.id is None or document.archived_at is not None:
        return None
    author = session.get(User, document.created_by_id)
    return SearchEntry(
        kind="document",
        object_id=document.id,
        board_id=document.board_id,
        topic_id=document.topic_id,
        title=document.title,
        body=text,
        author_id=document.created_by_id,
        author_name=author.display_name if author is not None else "",
        created_at=document.created_at,
    )


def get_document(session: Session, document_id: int) -> Document:
    """A document by id, without access checks (after-commit work)."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"document {document_id}")
    return document


def changed_since(session: Session, *, since: datetime) -> list[tuple[int, datetime]]:
    """Documents whose CRDT got updates (or a checkpoint) after `since`: (id, when), from
    collab's tables, whichever process wrote them."""
    updates, checkpoints = collab_store.updates_table.c, collab_store.checkpoints_table.c
    found: dict[int, datetime] = {}
    for name, when in [
        *session.execute(
            select(updates.document_id, func.max(updates.created_at))
            .where(updates.created_at > since)
            .group_by(updates.document_id)
        ).all(),
        *session.execute(
            select(checkpoints.document_id, checkpoints.updated_at).where(
                checkpoints.updated_at > since
            )
        ).all(),
    ]:
        number = parse_document_id(str(name))
        if number is not None and when is not None:
            stamp = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
            found[number] = max(stamp, found.get(number, stamp))
    return sorted(found.items())


def first_post_id(session: Session, *, topic_id: int) -> int | None:
    """The first post of a document's discussion topic (to index it after a change)."""
    topic = session.get(Topic, topic_id)
    return None if topic is None else topic.first_post_id


def stored_state(session: Session, *, document_id: int) -> bytes:
    """A document's state as stored by collab (checkpoint and log merged), without its room:
    for work outside the server (search rebuild). Rows first, then the checkpoint: a
    compaction committed in between loses nothing (see collab.store)."""
    updates, checkpoints = collab_store.updates_table.c, collab_store.checkpoints_table.c
    key = str(document_id)
    rows = [
        bytes(data)
        for data in session.execute(
            select(updates.data).where(updates.document_id == key).order_by(updates.id)
        ).scalars()
    ]
    checkpoint = session.execute(
        select(checkpoints.state).where(checkpoints.document_id == key)
    ).scalar_one_or_none()
    parts = ([bytes(checkpoint)] if checkpoint is not None else []) + rows
    return collab_store.merge_state(parts) if len(parts) > 1 else (parts[0] if parts else b"")


def all_document_entries(engine: Engine) -> Iterator[SearchEntry]:
    """The search entries of every live (not archived) document: a source of the rebuild."""
    with Session(engine) as session:
        ids = session.exec(
            select(Document.id)
            .where(col(Document.archived_at).is_(None))
            .order_by(col(Document.id))
        ).all()
        for document_id in ids:
            document = session.get(Document, document_id)
            if document is None or document.id is None:
                continue
            text = plain_text(read_blocks(stored_state(session, document_id=document.id)))
            entry = search_entry(session, document=document, text=text)
            if entry is not None:
                yield entry
