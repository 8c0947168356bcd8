"""`forum import files DIR --board SLUG [--folder NAME]`: a folder of files into a board's
library, subfolders as library folders, French names kept, idempotent, refusals reported,
private boards kept private."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from forum.db import Database, make_engine
from forum.files.storage import LocalStorage
from forum.importer.file_sink import LibrarySink
from forum.importer.folder import import_folder
from forum.importer.load import ImportOptions
from forum.importer.run import run_import
from forum.models import Board, File, Folder
from forum.settings import Settings
from tests.conftest import ClientAs, MakeMember
from tests.files import fixtures
from tests.importer.archives import conversation, write_yahoo
from tests.test_cli import Invoke, fails, ok

pytest_plugins = ["tests.test_cli"]

BOARD = "pole-ess"


def make_folder(root: Path) -> Path:
    """Files with French names, a subfolder, a hidden file and an executable."""
    (root / "Photos" / "Été 2023").mkdir(parents=True)
    (root / "Compte rendu d'AG 2024.pdf").write_bytes(fixtures.pdf())
    (root / "notes à relire.txt").write_text("Ordre du jour : budget, élections.\n", "utf-8")
    (root / "Photos" / "Été 2023" / "pique-nique l'été.jpg").write_bytes(fixtures.jpeg(gps=True))
    (root / "outil.exe").write_bytes(fixtures.exe())
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return root


@pytest.fixture
def cli_db(cli_settings: Settings) -> Iterator[Database]:
    engine = make_engine(cli_settings.resolved_database_url)
    yield Database(engine)
    engine.dispose()


def library(db: Database) -> list[tuple[str, str, str]]:
    """(folder path, name, content type) of each live file."""

    def read(session):  # type: ignore[no-untyped-def]
        folders = {f.id: f for f in session.exec(select(Folder)).all()}

        def path(folder_id: int | None) -> str:
            parts = []
            while folder_id is not None:
                parts.append(folders[folder_id].name)
                folder_id = folders[folder_id].parent_id
            return "/".join(reversed(parts))

        files = session.exec(select(File).where(col(File.deleted_at).is_(None))).all()
        return sorted((path(f.folder_id), f.name, f.content_type) for f in files)

    return db.reading(read)


def test_a_folder_goes_into_the_library_once(
    forum: Invoke, cli_db: Database, tmp_path: Path
) -> None:
    ok(forum("init"))
    source = make_folder(tmp_path / "partage")
    report_file = tmp_path / "rapport.json"
    command = ("import", "files", str(source), "--board", BOARD, "--folder", "Archives 2024")
    result = forum(*command, "--report", str(report_file))
    assert result.exit_code == 1  # outil.exe is refused; the others are added
    lines = result.stdout.splitlines()
    assert "  fichiers ajoutés : 3" in lines and "  refusés ou en échec : 1" in lines
    assert any(line.startswith("    outil.exe : ") and "accepté" in line for line in lines)
    assert library(cli_db) == [
        ("Archives 2024", "Compte rendu d'AG 2024.pdf", "application/pdf"),
        ("Archives 2024", "notes à relire.txt", "text/plain; charset=utf-8"),
        ("Archives 2024/Photos/Été 2023", "pique-nique l'été.jpg", "image/jpeg"),
    ]
    photo = cli_db.reading(
        lambda s: s.exec(select(File).where(File.content_type == "image/jpeg")).one()
    )
    assert photo.thumb_sha256 is not None and photo.uploader_id is None
    report = json.loads(report_file.read_text("utf-8"))
    assert report["files_added"] == 3 and report["failures"][0]["file"] == "outil.exe"

    again = forum(*command)
    assert again.exit_code == 1
    assert "  fichiers ajoutés : 0" in again.stdout and "  déjà présents : 3" in again.stdout
    assert "  dossiers créés : 0" in again.stdout
    assert len(library(cli_db)) == 3
    assert len(cli_db.reading(lambda s: s.exec(select(Folder)).all())) == 3

    # Into the root of another board's library: no folder, exit code 0 without the .exe.
    (source / "outil.exe").unlink()
    ok(forum("import", "files", str(source / "Photos"), "--board", "copil"))
    copil = cli_db.reading(lambda s: s.exec(select(Board).where(Board.slug == "copil")).one())
    names = cli_db.reading(
        lambda s: s.exec(select(File.name, File.folder_id).where(File.board_id == copil.id)).all()
    )
    assert len(names) == 1 and names[0][0] == "pique-nique l'été.jpg" and names[0][1] is not None


def test_the_command_explains_its_errors(forum: Invoke, tmp_path: Path) -> None:
    ok(forum("init"))
    source = make_folder(tmp_path / "partage")
    fails(forum("import", "files", str(source), "--board", "inconnu"), "inconnu")
    fails(forum("import", "files", str(source / "outil.exe"), "--board", BOARD), "dossier")
    fails(forum("import", "files", str(source), "--board", BOARD, "--dry-run"), "--dry-run")
    fails(forum("import", "files", str(source), "--board", BOARD, "--folder", " "), "dossier")
    fails(forum("import", "mbox", str(source), "--board", BOARD, "--folder", "X"), "--folder")


def test_imported_files_of_a_private_board_stay_private(
    db: Database, settings: Settings, tmp_path: Path, make_member: MakeMember, client_as: ClientAs
) -> None:
    source = make_folder(tmp_path / "partage")
    storage = LocalStorage(settings.data_dir / "files")
    report = import_folder(db, storage, source, board_slug=BOARD, max_bytes=50 << 20)
    assert (report.files_added, len(report.failures)) == (3, 1)
    pdf = db.reading(
        lambda s: s.exec(select(File).where(File.content_type == "application/pdf")).one()
    )
    member = client_as(make_member("amina", groups={BOARD: "member"}))
    outsider = client_as(make_member("bruno", groups={"copil": "member"}))
    url = f"/f/{pdf.public_id}"
    got = member.get(url)
    assert got.status_code == 200 and got.content == fixtures.pdf()
    assert "Compte rendu d" in member.get(f"/b/{BOARD}/fichiers").text
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"/b/{BOARD}/fichiers").status_code == 404


def test_a_file_over_the_size_limit_is_reported(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "gros"
    source.mkdir()
    (source / "gros.pdf").write_bytes(fixtures.pdf() + b"\n" * 2048)
    progress: list[tuple[int, int]] = []
    report = import_folder(
        db,
        LocalStorage(settings.data_dir / "files"),
        source,
        board_slug=BOARD,
        max_bytes=1024,
        on_progress=lambda done, total: progress.append((done, total)),
    )
    assert report.files_added == 0 and "taille maximale" in report.failures[0]["reason"]
    assert progress == [(1, 1)]


def test_a_yahoo_folder_brings_its_files_and_photos(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    folder = write_yahoo(tmp_path / "groupe", [(raw, 3, []) for raw in conversation()])
    files = folder / "files"
    entries = [
        {"fileName": "Statuts de l&#39;association.pdf", "type": 0},
        {"fileName": "Comptes &amp; budgets", "type": 1},
    ]
    (files / "fileinfo.json").write_text(json.dumps(entries), "utf-8")
    (files / "1_Statuts de l_association.pdf").write_bytes(fixtures.pdf())
    (files / "2_Comptes _ budgets").mkdir()
    inner = [{"fileName": "Bilan 2019.txt", "type": 0}]
    (files / "2_Comptes _ budgets" / "fileinfo.json").write_text(json.dumps(inner), "utf-8")
    (files / "2_Comptes _ budgets" / "1_Bilan 2019.txt").write_text("Bilan positif.\n", "utf-8")
    album = folder / "photos" / "1234-Assemblée 2019"
    album.mkdir(parents=True)
    (album / "5678-Tous ensemble.jpg").write_bytes(fixtures.jpeg())
    options = ImportOptions(board_slug=BOARD, archive="groupe", format="yahoo")
    options.sink = LibrarySink(LocalStorage(settings.data_dir / "files"), max_bytes=50 << 20)
    report = run_import(db, "auto", [folder], options)
    assert report.failures == [] and report.posts_created == 3
    assert report.attachments_imported == 3
    assert [(path, name) for path, name, _type in library(db)] == [
        ("Fichiers du groupe", "Statuts de l'association.pdf"),
        ("Fichiers du groupe/Comptes & budgets", "Bilan 2019.txt"),
        ("Photos/Assemblée 2019", "Tous ensemble.jpg"),
    ]
    again = run_import(db, "yahoo", [folder], options)
    assert (again.posts_created, again.attachments_imported) == (0, 0)
    assert len(library(db)) == 3
