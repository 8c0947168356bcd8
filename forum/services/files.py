"""Shared files: record uploads (with quotas), attach them to posts, serve, list, manage.

The bytes are already in the storage when these functions run (see forum.files.intake); here
only rows are written. Every fetch goes through forum.access.access_file or access_board.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from forum.access import (
    Actor,
    access_board,
    access_file,
    access_file_blob,
    access_post,
    access_topic,
    visible_boards_clause,
)
from forum.errors import InvalidInput, NotFound
from forum.files.intake import PreparedFile
from forum.i18n import format_number
from forum.i18n import gettext as _
from forum.models import (
    Board,
    File,
    Folder,
    Post,
    PostFile,
    StoredBlob,
    Topic,
    User,
)
from forum.services.attachments import Attachment, attachment, visible_post_attachments

MB = 1024 * 1024
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class Quotas:
    """Limits in bytes, from the settings."""

    member: int
    board: int


# --- recording uploads -------------------------------------------------------------------------


def _ensure_blob(session: Session, sha256: str, size: int, content_type: str) -> None:
    if session.get(StoredBlob, sha256) is None:
        session.add(StoredBlob(sha256=sha256, size=size, content_type=content_type))
        session.flush()


def usage_of_member(session: Session, user_id: int) -> int:
    """Bytes of the live files a member uploaded."""
    total = session.exec(
        select(func.coalesce(func.sum(File.size), 0)).where(
            File.uploader_id == user_id, col(File.deleted_at).is_(None)
        )
    ).one()
    return int(total)


def usage_of_board(session: Session, board_id: int) -> int:
    """Bytes of the live files of a board."""
    total = session.exec(
        select(func.coalesce(func.sum(File.size), 0)).where(
            File.board_id == board_id, col(File.deleted_at).is_(None)
        )
    ).one()
    return int(total)


def check_quotas(
    session: Session, *, actor: Actor, board: Board, adding: int, quotas: Quotas
) -> None:
    """InvalidInput(file=…) when adding these bytes would go over a quota."""
    assert actor.user_id is not None and board.id is not None
    if usage_of_member(session, actor.user_id) + adding > quotas.member:
        raise InvalidInput(
            {
                "file": _(
                    "Votre espace de fichiers est plein (%(max)s Mo) : supprimez des fichiers "
                    "avant d'en ajouter.",
                    max=format_number(quotas.member // MB),
                )
            }
        )
    if usage_of_board(session, board.id) + adding > quotas.board:
        raise InvalidInput(
            {
                "file": _(
                    "L'espace de fichiers de ce tableau est plein (%(max)s Mo).",
                    max=format_number(quotas.board // MB),
                )
            }
        )


def _folder_in(session: Session, board: Board, folder_id: int | None) -> int | None:
    if folder_id is None:
        return None
    folder = session.get(Folder, folder_id) if 0 < folder_id < 2**63 else None
    if folder is None or folder.board_id != board.id:
        raise InvalidInput({"folder": _("Ce dossier n'existe pas dans ce tableau.")})
    return folder.id


def check_can_upload(session: Session, *, actor: Actor, board_slug: str) -> Board:
    """The board, when the actor may add files to it (before reading any bytes)."""
    return access_board(session, actor, board_slug, for_write=True)


def check_can_add(
    session: Session, *, actor: Actor, board_slug: str, adding: int, quotas: Quotas
) -> None:
    """Before the image work: may the actor add these many bytes to the board?"""
    board = access_board(session, actor, board_slug, for_write=True)
    check_quotas(session, actor=actor, board=board, adding=adding, quotas=quotas)


def add_files(
    session: Session,
    *,
    actor: Actor,
    board_slug: str,
    prepared: Sequence[PreparedFile],
    quotas: Quotas,
    folder_id: int | None = None,
) -> list[File]:
    """Record files already stored, in a board the actor may post in, within the quotas."""
    board = access_board(session, actor, board_slug, for_write=True)
    assert actor.user_id is not None
    folder = _folder_in(session, board, folder_id)
    check_quotas(
        session, actor=actor, board=board, adding=sum(p.size for p in prepared), quotas=quotas
    )
    files = []
    for item in prepared:
        _ensure_blob(session, item.sha256, item.size, item.content_type)
        image = item.image
        if image is not None:
            for rendition in (image.display, image.thumbnail):
                _ensure_blob(session, rendition.sha256, rendition.size, rendition.content_type)
        file = File(
            public_id=secrets.token_urlsafe(12),
            board_id=board.id,  # type: ignore[arg-type]
            folder_id=folder,
            name=item.name,
            uploader_id=actor.user_id,
            blob_sha256=item.sha256,
            content_type=item.content_type,
            size=item.size,
            width=image.width if image else None,
            height=image.height if image else None,
            display_sha256=image.display.sha256 if image else None,
            thumb_sha256=image.thumbnail.sha256 if image else None,
        )
        session.add(file)
        files.append(file)
    session.flush()
    return files


def unreferenced_blobs(session: Session, shas: Sequence[str]) -> list[str]:
    """Of these blobs, those no row names (left on disk by a failed upload)."""
    if not shas:
        return []
    known = set(
        session.exec(select(StoredBlob.sha256).where(col(StoredBlob.sha256).in_(shas))).all()
    )
    return [sha for sha in shas if sha not in known]


# --- posts ----------------------------------------------------------------------------------


def clean_file_ids(raw: object) -> list[str]:
    """A list of file ids from a payload or a form; InvalidInput(files=…) when malformed."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(v, str) and 0 < len(v) <= 32 for v in raw):
        raise InvalidInput({"files": _("Liste d'identifiants de fichiers attendue.")})
    unique = list(dict.fromkeys(raw))
    if len(unique) > MAX_ATTACHMENTS:
        raise InvalidInput(
            {"files": _("%(max)s fichiers au plus par message.", max=MAX_ATTACHMENTS)}
        )
    return unique


def attach_files(session: Session, *, actor: Actor, post: Post, file_ids: Sequence[str]) -> None:
    """Link files of the post's board to the post (files of other boards are refused)."""
    if not file_ids:
        return
    topic = session.get(Topic, post.topic_id)
    assert topic is not None and post.id is not None
    existing = session.exec(select(PostFile).where(PostFile.post_id == post.id)).all()
    linked = {row.file_id for row in existing}
    position = len(existing)
    for public_id in clean_file_ids(list(file_ids)):
        try:
            file, _board = access_file(session, actor, public_id)
        except NotFound:
            file = None
        if file is None or file.board_id != topic.board_id:
            raise InvalidInput(
                {"files": _("Un des fichiers joints est introuvable dans ce tableau.")}
            )
        assert file.id is not None
        if file.id in linked:
            continue
        linked.add(file.id)
        session.add(PostFile(post_id=post.id, file_id=file.id, position=position))
        position += 1
    session.flush()


def files_of_post(session: Session, actor: Actor, post_id: int) -> list[Attachment]:
    """The files of a post the actor may read (for its edit form)."""
    post = access_post(session, actor, post_id)
    assert post.id is not None
    return visible_post_attachments(session, actor, [post.id]).get(post.id, [])


def board_slug_for_post_edit(session: Session, actor: Actor, post_id: int) -> str:
    """The slug of the board where files added while editing this post go (the actor's post)."""
    post = access_post(session, actor, post_id, for_write=True)
    topic = access_topic(session, actor, post.topic_id)
    board = session.get(Board, topic.board_id)
    assert board is not None
    return board.slug


def set_post_files(session: Session, *, actor: Actor, post: Post, file_ids: Sequence[str]) -> bool:
    """Make the post carry exactly these files, in this order (an edit); True if that changed.

    Files already attached stay even when they live in another board (a moved topic); files
    added must be files of the topic's board. Links to deleted files, and to files of boards
    the actor may not see, are left alone: the actor could neither see nor keep them.
    """
    wanted = clean_file_ids(list(file_ids))
    topic = session.get(Topic, post.topic_id)
    assert topic is not None and post.id is not None
    # The links the actor sees (as the edit form listed them); others are left alone.
    rows = session.exec(
        select(PostFile, File)
        .join(File, col(File.id) == PostFile.file_id)
        .join(Board, col(Board.id) == File.board_id)
        .where(
            PostFile.post_id == post.id,
            col(File.deleted_at).is_(None),
            visible_boards_clause(actor),
        )
        .order_by(col(PostFile.position), col(PostFile.id))
    ).all()
    live = {file.public_id: link for link, file in rows}
    if wanted == list(live):
        return False
    added: dict[str, File] = {}
    for public_id in wanted:
        if public_id in live:
            continue
        try:
            file, _board = access_file(session, actor, public_id)
        except NotFound:
            file = None
        if file is None or file.board_id != topic.board_id:
            raise InvalidInput(
                {"files": _("Un des fichiers joints est introuvable dans ce tableau.")}
            )
        added[public_id] = file
    for public_id, link in live.items():
        if public_id not in wanted:
            session.delete(link)
    session.flush()
    for position, public_id in enumerate(wanted):
        if public_id in live:
            live[public_id].position = position
            session.add(live[public_id])
        else:
            file = added[public_id]
            assert file.id is not None
            session.add(PostFile(post_id=post.id, file_id=file.id, position=position))
    session.flush()
    return True


def files_of_posts_form(
    session: Session, actor: Actor, file_ids: Sequence[str]
) -> list[Attachment]:
    """The files a form carries (kept across a preview or an error), those the actor sees."""
    shown = []
    for public_id in file_ids[:MAX_ATTACHMENTS]:
        try:
            file, _board = access_file(session, actor, public_id)
        except NotFound:
            continue
        shown.append(attachment(file))
    return shown


# --- serving ---------------------------------------------------------------------------------


VARIANTS = ("original", "display", "thumb")


@dataclass(frozen=True)
class Served:
    """What a response needs to send a file."""

    sha256: str
    content_type: str
    name: str
    inline: bool
    public: bool


def file_for_serving(session: Session, actor: Actor, public_id: str, variant: str) -> Served:
    """The blob to send for a file and variant; NotFound when hidden or not an image."""
    blob = access_file_blob(session, actor, public_id, variant)
    inline = variant != "original"  # our re-encoded images only
    return Served(blob.sha256, blob.content_type, blob.name, inline, blob.public)


def uploader_names(session: Session, user_ids: Sequence[int | None]) -> dict[int, str]:
    """Display names of uploaders."""
    ids = [i for i in set(user_ids) if i is not None]
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all()
    return {user_id: name for user_id, name in rows if user_id is not None}


def board_slug_for_post_files(session: Session, actor: Actor, topic_id: int) -> str:
    """The slug of the board of a topic the actor may reply in (where its files go)."""
    topic = access_topic(session, actor, topic_id, for_write=True)
    board = session.get(Board, topic.board_id)
    assert board is not None
    return board.slug


@dataclass(frozen=True)
class BoardFile:
    """A file of a board's library, for the API."""

    file: Attachment
    folder_id: int | None
    created_at: datetime


def board_files(
    session: Session, actor: Actor, board_slug: str, limit: int = 1000
) -> list[BoardFile]:
    """The live files of a board the actor may read, newest first."""
    board = access_board(session, actor, board_slug)
    rows = session.exec(
        select(File)
        .where(File.board_id == board.id, col(File.deleted_at).is_(None))
        .order_by(col(File.created_at).desc(), col(File.id).desc())
        .limit(limit)
    ).all()
    return [BoardFile(attachment(f), f.folder_id, f.created_at) for f in rows]
