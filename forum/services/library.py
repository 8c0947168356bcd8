"""A board's file library: folders, the listing (sorted, list or gallery), rename, move, delete.

Files attached in posts are files of their board, so they appear here too; each file links to
the posts that carry it. Uploaders and the board's moderators manage a file; anyone who may
post in the board may add files and folders (managing folders: forum.services.folders).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from forum.access import (
    Actor,
    access_board,
    access_file,
    can_manage_file,
    can_post_in_board,
    visible_boards_clause,
)
from forum.errors import InvalidInput, NotFound
from forum.files.intake import NAME_MAX, clean_name
from forum.i18n import gettext as _
from forum.models import Board, File, Folder, Post, PostFile, Topic, utcnow
from forum.services.attachments import Attachment, attachment
from forum.services.files import uploader_names, usage_of_board
from forum.services.folders import (
    can_manage_folders,
    descendants,
    folder_in_board,
    folder_paths,
)
from forum.services.folders import (
    clean_folder_name as clean_folder_name,  # the importer names folders with it
)

SORTS = ("nom", "date", "taille", "auteur")
MAX_LISTED = 1000


@dataclass(frozen=True)
class PostRef:
    """A post carrying a file."""

    post_id: int
    topic_id: int
    topic_title: str
    number: int


@dataclass(frozen=True)
class LibraryRow:
    """A file in the library listing."""

    file: Attachment
    uploader: str
    created_at: datetime
    posts: list[PostRef]
    can_manage: bool


@dataclass(frozen=True)
class LibraryPage:
    """A folder of a board's library."""

    board: Board
    folder: Folder | None
    trail: list[Folder]  # from the root down to the folder's parent
    folders: list[Folder]  # sub-folders of this folder
    all_folders: list[tuple[int, str]]  # every folder of the board, as (id, path) for moves
    rows: list[LibraryRow]
    sort: str
    descending: bool
    can_upload: bool
    usage: int
    can_manage_folder: bool = False  # rename, move or delete the folder shown
    folder_targets: list[tuple[int, str]] = field(default_factory=list)  # where it may go


def posts_carrying(
    session: Session, actor: Actor, file_ids: Sequence[int]
) -> dict[int, list[PostRef]]:
    """The live, shown posts (of live topics) that carry each file, in boards the actor may
    read: a topic moved to a private board leaves its files behind, not its title."""
    if not file_ids:
        return {}
    rows = session.exec(
        select(PostFile.file_id, Post, Topic.title)
        .join(Post, col(Post.id) == PostFile.post_id)
        .join(Topic, col(Topic.id) == Post.topic_id)
        .join(Board, col(Board.id) == Topic.board_id)
        .where(
            col(PostFile.file_id).in_(file_ids),
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
            col(Topic.deleted_at).is_(None),
            visible_boards_clause(actor),
        )
        .order_by(col(Post.id))
    ).all()
    found: dict[int, list[PostRef]] = {}
    for file_id, post, title in rows:
        assert post.id is not None
        found.setdefault(file_id, []).append(PostRef(post.id, post.topic_id, title, post.number))
    return found


def _sort_key(sort: str):  # type: ignore[no-untyped-def]
    if sort == "date":
        return lambda row: row.created_at
    if sort == "taille":
        return lambda row: row.file.size
    if sort == "auteur":
        return lambda row: (row.uploader.casefold(), row.file.name.casefold())
    return lambda row: row.file.name.casefold()


def library_page(
    session: Session,
    actor: Actor,
    board_slug: str,
    *,
    folder_id: int | None = None,
    sort: str = "nom",
    descending: bool = False,
) -> LibraryPage:
    """A folder of the library as the actor sees it."""
    board = access_board(session, actor, board_slug)
    folder = folder_in_board(session, board, folder_id)
    folders = session.exec(select(Folder).where(Folder.board_id == board.id)).all()
    trail: list[Folder] = []
    by_id = {f.id: f for f in folders}
    parent = by_id.get(folder.parent_id) if folder else None
    while parent is not None and parent not in trail:
        trail.insert(0, parent)
        parent = by_id.get(parent.parent_id)
    children = sorted(
        (f for f in folders if f.parent_id == (folder.id if folder else None)),
        key=lambda f: f.name.casefold(),
    )
    query = select(File).where(File.board_id == board.id, col(File.deleted_at).is_(None))
    if folder is None:
        query = query.where(col(File.folder_id).is_(None))
    else:
        query = query.where(File.folder_id == folder.id)
    files = session.exec(query.order_by(col(File.created_at).desc()).limit(MAX_LISTED)).all()
    names = uploader_names(session, [f.uploader_id for f in files])
    carried = posts_carrying(session, actor, [f.id for f in files if f.id is not None])
    rows = [
        LibraryRow(
            file=attachment(f),
            uploader=names.get(f.uploader_id or 0, _("ancien membre")),
            created_at=f.created_at,
            posts=carried.get(f.id or 0, []),
            can_manage=can_manage_file(actor, board, f),
        )
        for f in files
    ]
    sort = sort if sort in SORTS else "nom"
    inside = descendants(folders, folder.id) if folder and folder.id else set()
    rows.sort(key=_sort_key(sort), reverse=descending)
    return LibraryPage(
        board=board,
        folder=folder,
        trail=trail,
        folders=children,
        all_folders=folder_paths(folders),
        rows=rows,
        sort=sort,
        descending=descending,
        can_upload=can_post_in_board(actor, board),
        usage=usage_of_board(session, board.id or 0),
        can_manage_folder=folder is not None and can_manage_folders(actor, board),
        folder_targets=[(i, path) for i, path in folder_paths(folders) if i not in inside],
    )


@dataclass(frozen=True)
class FileDetail:
    """One file of a library, with where it is used and what the actor may do."""

    board: Board
    row: LibraryRow
    folder: Folder | None
    all_folders: list[tuple[int, str]]


def file_detail(session: Session, actor: Actor, board_slug: str, public_id: str) -> FileDetail:
    """A file's page in its board's library (the slug must be its board's)."""
    file, board = access_file(session, actor, public_id)
    if board.slug != board_slug:
        raise NotFound(public_id)
    assert file.id is not None
    names = uploader_names(session, [file.uploader_id])
    row = LibraryRow(
        file=attachment(file),
        uploader=names.get(file.uploader_id or 0, _("ancien membre")),
        created_at=file.created_at,
        posts=posts_carrying(session, actor, [file.id]).get(file.id, []),
        can_manage=can_manage_file(actor, board, file),
    )
    folders = session.exec(select(Folder).where(Folder.board_id == board.id)).all()
    folder = session.get(Folder, file.folder_id) if file.folder_id else None
    return FileDetail(board=board, row=row, folder=folder, all_folders=folder_paths(folders))


def rename_file(session: Session, *, actor: Actor, public_id: str, name: str) -> File:
    """Give a file another name (its uploader or a moderator)."""
    file, _board = access_file(session, actor, public_id, for_write=True)
    if not name.strip():
        raise InvalidInput({"name": _("Donnez un nom au fichier.")})
    if len(name.strip()) > NAME_MAX:
        raise InvalidInput(
            {"name": _("%(max)s caractères au plus pour un nom de fichier.", max=NAME_MAX)}
        )
    file.name = clean_name(name)
    session.add(file)
    session.flush()
    return file


def move_file(session: Session, *, actor: Actor, public_id: str, folder_id: int | None) -> File:
    """Put a file in another folder of its board (None: the root)."""
    file, board = access_file(session, actor, public_id, for_write=True)
    try:
        folder = folder_in_board(session, board, folder_id)
    except NotFound:
        raise InvalidInput({"folder": _("Ce dossier n'existe pas dans ce tableau.")}) from None
    file.folder_id = folder.id if folder else None
    session.add(file)
    session.flush()
    return file


def delete_file(session: Session, *, actor: Actor, public_id: str) -> File:
    """Delete a file softly: it disappears from the library and from the posts carrying it."""
    file, _board = access_file(session, actor, public_id, for_write=True)
    file.deleted_at = utcnow()
    session.add(file)
    session.flush()
    return file
