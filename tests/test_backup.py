"""`forum backup` / `forum restore`: a round trip keeps every word and every file."""

import tarfile
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from forum.backup import BackupError, backup, restore
from forum.cli import main
from forum.db import Database
from forum.settings import Settings
from tests.conftest import MakeMember, on_postgres
from tests.discussions import A, arrange_people, counts, new_topic, stored_post


def _store_file(settings: Settings, name: str, content: bytes) -> Path:
    path = settings.data_dir / "files" / name[:2] / name[2:4] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture
def cli(settings: Settings) -> Callable[..., Result]:
    env = {
        "FORUM_DATA_DIR": str(settings.data_dir),
        "FORUM_DATABASE_URL": settings.database_url,
        "FORUM_SECRET_KEY": "x",
    }

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def test_round_trip_keeps_posts_and_files(
    db: Database,
    make_member: MakeMember,
    settings: Settings,
    tmp_path: Path,
    cli: Callable[..., Result],
) -> None:
    people = arrange_people(db, make_member)
    _, first = new_topic(db, people.member_a, A, "Plan d'action 2009", "Séminaire à Taroudant.")
    blob = _store_file(settings, "ab" * 32, b"%PDF-1.4 compte rendu")
    _store_file(settings, "tmp-upload", b"half")  # only under files/tmp: left out
    (settings.data_dir / "files" / "tmp").mkdir(exist_ok=True)
    (settings.data_dir / "files" / "tmp" / "partial").write_bytes(b"uploading")
    before = counts(db)

    archive = tmp_path / "sauvegarde.tar.gz"
    result = cli("backup", "--output", str(archive))
    assert result.exit_code == 0, result.output
    assert "Sauvegarde écrite" in result.output
    with tarfile.open(archive) as opened:
        names = opened.getnames()
    assert "manifest.json" in names
    assert not any(name.startswith("files/tmp/") for name in names)
    assert "secret_key" not in " ".join(names)

    # Refused over a database that has members, unless forced.
    refused = cli("restore", str(archive))
    assert refused.exit_code == 1 and "--force" in refused.output

    blob.unlink()
    new_topic(db, people.member_a, A, "Écrit après la sauvegarde", "Perdu au retour.")
    db.engine.dispose()
    result = cli("restore", "--force", str(archive))
    assert result.exit_code == 0, result.output
    assert counts(db) == before
    assert stored_post(db, first).body == "Séminaire à Taroudant."
    assert blob.read_bytes() == b"%PDF-1.4 compte rendu"


def test_a_file_that_is_not_a_backup_is_refused(settings: Settings, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tarball")
    with pytest.raises(BackupError, match="illisible"):
        restore(settings, bogus, force=True)
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as archive:
        (tmp_path / "x.txt").write_text("x")
        archive.add(tmp_path / "x.txt", arcname="x.txt")
    with pytest.raises(BackupError, match="manifest"):
        restore(settings, other, force=True)


def test_hostile_paths_are_refused(settings: Settings, tmp_path: Path) -> None:
    good = tmp_path / "good.tar.gz"
    backup(settings, good)
    hostile = tmp_path / "hostile.tar.gz"
    escaped = f"evil-{uuid.uuid4().hex}"
    with tarfile.open(good) as source, tarfile.open(hostile, "w:gz") as target:
        for member in source.getmembers():
            extracted = source.extractfile(member)
            target.addfile(member, extracted)
        evil = tmp_path / "source" / "evil"
        evil.parent.mkdir()
        evil.write_text("owned")
        target.add(evil, arcname=f"files/../../{escaped}")
    with pytest.raises(BackupError, match="refusé"):
        restore(settings, hostile, force=True)
    # Extracted from a temporary folder, files/../../NAME would land in the system's tmp.
    assert not (Path(tempfile.gettempdir()) / escaped).exists()


@pytest.mark.skipif(on_postgres(), reason="SQLite-specific: the previous file is kept aside")
def test_sqlite_restore_keeps_the_previous_database_aside(
    settings: Settings, tmp_path: Path
) -> None:
    archive = tmp_path / "b.tar.gz"
    backup(settings, archive)
    restore(settings, archive, force=True)
    kept = list(settings.data_dir.glob("forum.db.avant-restauration-*"))
    assert [path.name.endswith(("-wal", "-shm")) for path in kept].count(False) == 1
