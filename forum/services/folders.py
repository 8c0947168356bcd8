"""The folders of a board's file library: create, rename, move and delete them.

Anyone who may post in a board may add folders. Renaming, moving and deleting a folder change
where everybody's files are, so only the board's moderators (its group's moderators and the
site's administrators) may do them; folders do not record who made them.

Deleting a folder loses nothing: its files and sub-folders go up into the folder that held it
(a non-technical member expects "delete this folder" to tidy up, never to make others' files
disappear), and then the empty folder is removed.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from forum.access import Actor, access_board, can_moderate_board, check_moderates
from forum.errors import InvalidInput, NotFound
from forum.files.intake import clean_name
from forum.i18n import gettext as _
from forum.models import Board, File, Folder

FOLDER_NAME_MAX = 120
MAX_FOLDER_ID = 2**63 - 1


def folder_in_board(session: Session, board: Board, folder_id: int | None) -> Folder | None:
    """The board's folder with this id (None: the root); NotFound for any other id."""
    if folder_id is None:
        return None
    folder = session.get(Folder, folder_id) if 0 < folder_id <= MAX_FOLDER_ID else None
    if folder is None or folder.board_id != board.id:
        raise NotFound(f"folder {folder_id}")
    return folder


def folder_paths(folders: Sequence[Folder]) -> list[tuple[int, str]]:
    """Every folder as (id, "Parent / Child"), sorted by path (for the "move to" lists)."""
    by_id = {f.id: f for f in folders}

    def path(folder: Folder) -> str:
        parts, seen = [folder.name], {folder.id}
        parent = by_id.get(folder.parent_id)
        while parent is not None and parent.id not in seen:
            parts.append(parent.name)
            seen.add(parent.id)
            parent = by_id.get(parent.parent_id)
        return " / ".join(reversed(parts))

    return sorted(
        ((f.id, path(f)) for f in folders if f.id is not None), key=lambda p: p[1].casefold()
    )


def descendants(folders: Sequence[Folder], folder_id: int) -> set[int]:
    """The ids of a folder and of every folder inside it, at any depth."""
    found = {folder_id}
    added = True
    while added:
        added = False
        for folder in folders:
            if folder.parent_id in found and folder.id is not None and folder.id not in found:
                found.add(folder.id)
                added = True
    return found


def can_manage_folders(actor: Actor, board: Board) -> bool:
    """May the actor rename, move or delete the board's folders? Its moderators."""
    return can_moderate_board(actor, board)


def clean_folder_name(raw: str) -> str:
    """A folder name: trimmed, no slashes or control characters, 1 to FOLDER_NAME_MAX."""
    name = " ".join(clean_name(raw).split()) if raw.strip() else ""
    if not name:
        raise InvalidInput({"folder_name": _("Donnez un nom au dossier.")})
    return name[:FOLDER_NAME_MAX]


def check_folder_name(raw: str, field: str) -> str:
    """A name typed by a member: refused (with the field named) when empty or too long."""
    if len(raw.strip()) > FOLDER_NAME_MAX:
        raise InvalidInput(
            {field: _("%(max)s caractères au plus pour un nom de dossier.", max=FOLDER_NAME_MAX)}
        )
    try:
        return clean_folder_name(raw)
    except InvalidInput:
        raise InvalidInput({field: _("Donnez un nom au dossier.")}) from None


def _sibling_names(
    session: Session, board: Board, parent_id: int | None, *, besides: int | None = None
) -> set[str]:
    rows = session.exec(
        select(Folder.id, Folder.name).where(
            Folder.board_id == board.id,
            Folder.parent_id == parent_id if parent_id else col(Folder.parent_id).is_(None),
        )
    ).all()
    return {name.casefold() for folder_id, name in rows if folder_id != besides}


def create_folder(
    session: Session, *, actor: Actor, board_slug: str, name: str, parent_id: int | None
) -> Folder:
    """Add a folder (in the root or in another folder of the same board)."""
    board = access_board(session, actor, board_slug, for_write=True)
    try:
        parent = folder_in_board(session, board, parent_id)
    except NotFound:
        raise InvalidInput({"parent": _("Ce dossier n'existe pas dans ce tableau.")}) from None
    clean = check_folder_name(name, "folder_name")
    if clean.casefold() in _sibling_names(session, board, parent.id if parent else None):
        raise InvalidInput({"folder_name": _("Un dossier porte déjà ce nom ici.")})
    folder = Folder(board_id=board.id or 0, parent_id=parent.id if parent else None, name=clean)
    session.add(folder)
    session.flush()
    return folder


def _managed_folder(
    session: Session, actor: Actor, board_slug: str, folder_id: int
) -> tuple[Board, Folder]:
    """A folder the actor may manage; hidden board or unknown folder: NotFound."""
    board = access_board(session, actor, board_slug)
    folder = folder_in_board(session, board, folder_id)
    assert folder is not None
    check_moderates(actor, board, f"folder {folder_id}")
    return board, folder


def rename_folder(
    session: Session, *, actor: Actor, board_slug: str, folder_id: int, name: str
) -> Folder:
    """Give a folder another name (unique among its neighbours)."""
    board, folder = _managed_folder(session, actor, board_slug, folder_id)
    clean = check_folder_name(name, "folder_rename")
    if clean.casefold() in _sibling_names(session, board, folder.parent_id, besides=folder.id):
        raise InvalidInput({"folder_rename": _("Un dossier porte déjà ce nom ici.")})
    folder.name = clean
    session.add(folder)
    session.flush()
    return folder


def move_folder(
    session: Session, *, actor: Actor, board_slug: str, folder_id: int, parent_id: int | None
) -> Folder:
    """Put a folder inside another folder of the board (None: the root), never inside itself."""
    board, folder = _managed_folder(session, actor, board_slug, folder_id)
    try:
        parent = folder_in_board(session, board, parent_id)
    except NotFound:
        raise InvalidInput(
            {"folder_parent": _("Ce dossier n'existe pas dans ce tableau.")}
        ) from None
    folders = session.exec(select(Folder).where(Folder.board_id == board.id)).all()
    if parent is not None and parent.id in descendants(folders, folder_id):
        raise InvalidInput(
            {
                "folder_parent": _(
                    "Un dossier ne peut pas aller dans lui-même ni dans ses sous-dossiers."
                )
            }
        )
    new_parent = parent.id if parent else None
    if new_parent == folder.parent_id:
        return folder
    if folder.name.casefold() in _sibling_names(session, board, new_parent):
        raise InvalidInput({"folder_parent": _("Un dossier porte déjà ce nom à cet endroit.")})
    folder.parent_id = new_parent
    session.add(folder)
    session.flush()
    return folder


def update_folder(
    session: Session,
    *,
    actor: Actor,
    board_slug: str,
    folder_id: int,
    name: str | None = None,
    move: bool = False,
    parent_id: int | None = None,
) -> Folder:
    """Rename a folder (name given) and/or move it (move: into parent_id, None the root)."""
    folder = _managed_folder(session, actor, board_slug, folder_id)[1]
    if name is not None:
        folder = rename_folder(
            session, actor=actor, board_slug=board_slug, folder_id=folder_id, name=name
        )
    if move:
        folder = move_folder(
            session, actor=actor, board_slug=board_slug, folder_id=folder_id, parent_id=parent_id
        )
    return folder


@dataclass(frozen=True)
class FolderRow:
    """A folder of a board, with its path from the root."""

    folder: Folder
    path: str


def board_folders(session: Session, actor: Actor, board_slug: str) -> list[FolderRow]:
    """Every folder of a board the actor may read, sorted by path."""
    board = access_board(session, actor, board_slug)
    folders = session.exec(select(Folder).where(Folder.board_id == board.id)).all()
    by_id = {f.id: f for f in folders}
    return [FolderRow(by_id[folder_id], path) for folder_id, path in folder_paths(folders)]


def folder_of_board(session: Session, actor: Actor, board_slug: str, folder_id: int) -> FolderRow:
    """One folder of a board the actor may read; NotFound for any other id."""
    rows = board_folders(session, actor, board_slug)
    for row in rows:
        if row.folder.id == folder_id:
            return row
    raise NotFound(f"folder {folder_id}")


@dataclass(frozen=True)
class FolderDeleted:
    """What a deletion did: where the contents went, and how much moved."""

    parent_id: int | None
    files_moved: int
    folders_moved: int


def _free_name(name: str, taken: set[str]) -> str:
    """The name, or "name (2)", "name (3)"… when a neighbour already has it."""
    candidate, number = name, 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate = name[: FOLDER_NAME_MAX - len(suffix)] + suffix
        number += 1
    return candidate


def delete_folder(
    session: Session, *, actor: Actor, board_slug: str, folder_id: int
) -> FolderDeleted:
    """Remove a folder; its files and sub-folders go up into its parent (nothing is lost)."""
    board, folder = _managed_folder(session, actor, board_slug, folder_id)
    parent_id = folder.parent_id
    # Every file, deleted ones included, so that none keeps pointing at the removed folder.
    files = session.exec(select(File).where(File.folder_id == folder.id)).all()
    for file in files:
        file.folder_id = parent_id
        session.add(file)
    taken = _sibling_names(session, board, parent_id, besides=folder.id)
    children = session.exec(select(Folder).where(Folder.parent_id == folder.id)).all()
    for child in sorted(children, key=lambda f: f.name.casefold()):
        child.name = _free_name(child.name, taken)
        taken.add(child.name.casefold())
        child.parent_id = parent_id
        session.add(child)
    session.flush()
    session.delete(folder)
    session.flush()
    live = sum(1 for f in files if f.deleted_at is None)
    return FolderDeleted(parent_id=parent_id, files_moved=live, folders_moved=len(children))


def check_can_manage_folder(
    session: Session, actor: Actor, board_slug: str, folder_id: int
) -> None:
    """NotFound or PermissionDenied unless the actor may manage this folder."""
    _managed_folder(session, actor, board_slug, folder_id)
