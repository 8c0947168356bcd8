"""`forum import files DIR`: a folder of files into a board's library, through the upload
pipeline (sniffing, size limit, images re-encoded without EXIF, thumbnails).

Subfolders become library folders (under --folder NAME when given). Re-running adds
nothing: a file whose bytes are already in the same library folder under the same name is
skipped. A refused file is reported with its reason and never stops the others. The files
keep their names and their modification dates; they have no uploader (the import is the
administrator's, and the library shows them as such). No quota applies (see file_sink).
"""

import html
import json
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from forum.db import Database
from forum.errors import InvalidInput
from forum.files.intake import PreparedFile, clean_name, prepare_file
from forum.files.storage import FileStorage, sha256_of
from forum.importer.file_sink import new_file, too_large
from forum.importer.load import check_board
from forum.models import File, Folder
from forum.services.files import unreferenced_blobs
from forum.services.library import clean_folder_name

FolderProgress = Callable[[int, int], None]


@dataclass
class FolderReport:
    """What a folder import did."""

    board: str
    files_read: int = 0
    files_added: int = 0
    already_there: int = 0
    folders_created: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    def fail(self, path: str, reason: str) -> None:
        """A file that was not added, and why."""
        self.failures.append({"file": path, "reason": reason})

    def as_json(self) -> str:
        """The report for --report."""
        return json.dumps(
            {
                "board": self.board,
                "files_read": self.files_read,
                "files_added": self.files_added,
                "already_there": self.already_there,
                "folders_created": self.folders_created,
                "failures": self.failures,
            },
            ensure_ascii=False,
            indent=2,
        )

    def lines(self) -> list[str]:
        """The report for the terminal, in French."""
        lines = [
            f"Fichiers importés — tableau {self.board}",
            f"  fichiers lus : {self.files_read}",
            f"  fichiers ajoutés : {self.files_added}",
            f"  déjà présents : {self.already_there}",
            f"  dossiers créés : {self.folders_created}",
            f"  refusés ou en échec : {len(self.failures)}",
        ]
        lines += [f"    {failure['file']} : {failure['reason']}" for failure in self.failures]
        return lines


def files_in(root: Path, skip: Callable[[Path], bool] | None = None) -> list[Path]:
    """The files of a folder and its subfolders, hidden (or skipped) ones left out, in name
    order."""
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if skip is not None and skip(path):
            continue
        found.append(path)
    return sorted(found, key=lambda p: [part.casefold() for part in p.relative_to(root).parts])


def _find_folder(session: Session, board_id: int, parent_id: int | None, name: str) -> int | None:
    rows = session.exec(
        select(Folder.id, Folder.name).where(
            Folder.board_id == board_id,
            Folder.parent_id == parent_id if parent_id else col(Folder.parent_id).is_(None),
        )
    ).all()
    wanted = name.casefold()
    return next((fid for fid, fname in rows if fname.casefold() == wanted), None)


def _folder_chain(
    session: Session, board_id: int, chain: Sequence[str], *, create: bool
) -> tuple[int | None, int, bool]:
    """(folder id, folders created, whether the whole chain exists) for a path of names."""
    parent: int | None = None
    created = 0
    for name in chain:
        found = _find_folder(session, board_id, parent, name)
        if found is None:
            if not create:
                return None, 0, False
            folder = Folder(board_id=board_id, parent_id=parent, name=name)
            session.add(folder)
            session.flush()
            found, created = folder.id, created + 1
        parent = found
    return parent, created, True


def _shas_named(session: Session, board_id: int, folder_id: int | None, name: str) -> set[str]:
    """The blobs of the live files with this name in this library folder."""
    rows = session.exec(
        select(File.blob_sha256).where(
            File.board_id == board_id,
            File.folder_id == folder_id if folder_id else col(File.folder_id).is_(None),
            File.name == name,
            col(File.deleted_at).is_(None),
        )
    ).all()
    return set(rows)


def _present(session: Session, board_id: int, chain: Sequence[str], name: str) -> set[str]:
    folder_id, _created, exists = _folder_chain(session, board_id, chain, create=False)
    return _shas_named(session, board_id, folder_id, name) if exists else set()


def _record(
    session: Session,
    board_id: int,
    chain: Sequence[str],
    name: str,
    prepared: PreparedFile,
    created_at: datetime,
) -> tuple[bool, int]:
    """(added, folders created): the file in its folder, unless it is there already."""
    folder_id, created, _exists = _folder_chain(session, board_id, chain, create=True)
    if prepared.sha256 in _shas_named(session, board_id, folder_id, name):
        return False, created
    new_file(
        session,
        prepared,
        board_id=board_id,
        folder_id=folder_id,
        uploader_id=None,
        created_at=created_at,
        name=name,
    )
    return True, created


def import_folder(
    db: Database,
    storage: FileStorage,
    root: Path,
    *,
    board_slug: str,
    folder: str | None = None,
    max_bytes: int,
    rename: Callable[[Path], str] | None = None,
    skip: Callable[[Path], bool] | None = None,
    on_progress: FolderProgress | None = None,
    report: FolderReport | None = None,
) -> FolderReport:
    """Add every file under root to the board's library (see the module's docstring).

    rename(path) gives the name of a file or subfolder (Yahoo's archiver renamed them);
    skip(path) leaves a file out.
    """
    board_id = db.reading(check_board, board_slug)
    report = report or FolderReport(board=board_slug)
    top = [clean_folder_name(folder)] if folder else []
    paths = files_in(root, skip)
    name_of = rename or (lambda p: p.name)
    for done, path in enumerate(paths, start=1):
        relative = path.relative_to(root)
        report.files_read += 1
        try:
            parents = [
                root.joinpath(*relative.parts[:depth]) for depth in range(1, len(relative.parts))
            ]
            chain = top + [clean_folder_name(name_of(parent)) for parent in parents]
            name = clean_name(name_of(path))
            _import_one(db, storage, path, board_id, chain, name, max_bytes, report)
        except InvalidInput as exc:
            report.fail(str(relative), "; ".join(exc.errors.values()))
        except OSError as exc:
            report.fail(str(relative), exc.strerror or str(exc))
        if on_progress is not None:
            on_progress(done, len(paths))
    return report


def _import_one(
    db: Database,
    storage: FileStorage,
    path: Path,
    board_id: int,
    chain: list[str],
    name: str,
    max_bytes: int,
    report: FolderReport,
) -> None:
    info = path.stat()
    if info.st_size > max_bytes:
        raise too_large(max_bytes)
    source_sha = sha256_of(path)
    present = db.reading(_present, board_id, chain, name)
    if source_sha in present:
        report.already_there += 1
        return
    temp = storage.temp_path()
    shutil.copyfile(path, temp)
    prepared = prepare_file(storage, temp, name, source_sha)
    try:
        created_at = datetime.fromtimestamp(info.st_mtime, UTC)
        added, folders = db.transaction(_record, board_id, chain, name, prepared, created_at)
    finally:
        for sha in db.reading(unreferenced_blobs, prepared.blobs()):
            storage.delete(sha)
    report.folders_created += folders
    if added:
        report.files_added += 1
    else:
        report.already_there += 1


# --- the group's library in a yahoo-group-archiver folder ----------------------------------

YAHOO_FILES, YAHOO_PHOTOS = "Fichiers du groupe", "Photos"
_NUMBERED_FILE = re.compile(r"^(\d+)_(.+)$")  # files/: "<n>_<name>", n-th of fileinfo.json
_NUMBERED_PHOTO = re.compile(r"^\d+-(.+)$")  # photos/: "<album id>-<name>", "<photo id>-<name>"


class YahooFileNames:
    """The original names of the files and folders under files/, from each folder's
    fileinfo.json (the archiver saved the n-th entry as "<n>_<name>")."""

    def __init__(self) -> None:
        self.entries: dict[Path, list[dict[str, object]]] = {}

    def _entries(self, info: Path) -> list[dict[str, object]]:
        if info not in self.entries:
            try:
                found = json.loads(info.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                found = []
            self.entries[info] = (
                [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []
            )
        return self.entries[info]

    def __call__(self, path: Path) -> str:
        """The name to show for this file or folder."""
        match = _NUMBERED_FILE.match(path.name)
        if match is None:
            return path.name
        entries = self._entries(path.parent / "fileinfo.json")
        index = int(match.group(1)) - 1
        if 0 <= index < len(entries):
            original = entries[index].get("fileName")
            if isinstance(original, str) and original.strip():
                return html.unescape(original)
        return match.group(2)


def yahoo_photo_name(path: Path) -> str:
    """The name of an album or photo under photos/, without Yahoo's id."""
    match = _NUMBERED_PHOTO.match(path.name)
    return match.group(1) if match else path.name


def import_yahoo_library(
    db: Database,
    storage: FileStorage,
    root: Path,
    *,
    board_slug: str,
    max_bytes: int,
    report: FolderReport | None = None,
) -> FolderReport:
    """files/ and photos/ of a yahoo-group-archiver folder into the board's library, in the
    folders "Fichiers du groupe" and "Photos" (with their original names)."""
    report = report or FolderReport(board=board_slug)
    files, photos = root / "files", root / "photos"
    if files.is_dir():
        import_folder(
            db,
            storage,
            files,
            board_slug=board_slug,
            folder=YAHOO_FILES,
            max_bytes=max_bytes,
            rename=YahooFileNames(),
            skip=lambda p: p.name == "fileinfo.json",
            report=report,
        )
    if photos.is_dir():
        import_folder(
            db,
            storage,
            photos,
            board_slug=board_slug,
            folder=YAHOO_PHOTOS,
            max_bytes=max_bytes,
            rename=yahoo_photo_name,
            skip=lambda p: p.suffix.lower() == ".json",
            report=report,
        )
    return report
