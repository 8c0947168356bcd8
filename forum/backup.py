"""Backups: one .tar.gz holding the database (a consistent copy) and the stored files.

A backup is taken while the forum runs: SQLite is copied with its online backup API,
PostgreSQL with pg_dump (custom format); files are content-addressed and never change
once written, so copying them while uploads go on is safe (new ones are simply not in
the backup). The secret key is left out on purpose: a restored forum without it only
signs everyone out. Restoring replaces the database (the previous SQLite file is kept
beside it), adds the files, then migrates, so an older backup fits a newer forum.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from forum.db import make_engine, migrate
from forum.models import User
from forum.settings import Settings

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_NAME = "forum.db"
PG_NAME = "database.dump"
FILES = "files"
Progress = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup or a restore that cannot be done; the message says why, in French."""


@dataclass(frozen=True)
class BackupReport:
    """What a backup or a restore handled."""

    path: Path
    database: str
    files: int
    bytes: int


def _files_dir(settings: Settings) -> Path:
    return settings.data_dir / FILES


def _database_kind(settings: Settings) -> str:
    backend = make_url(settings.resolved_database_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"base de données non prise en charge : {backend}")
    return backend


def _libpq_url(settings: Settings) -> str:
    """The database URL as pg_dump and pg_restore read it (no SQLAlchemy driver)."""
    url = make_url(settings.resolved_database_url).set(drivername="postgresql")
    rendered = url.set(query={}).render_as_string(hide_password=False)
    if url.query:  # libpq reads %20, not +, as a space
        rendered += "?" + urlencode(url.query, doseq=True, quote_via=quote)
    return rendered


def _run_pg_tool(arguments: list[str]) -> None:
    tool = arguments[0]
    if shutil.which(tool) is None:
        raise BackupError(f"la commande {tool} est introuvable (paquet postgresql-client)")
    result = subprocess.run(arguments, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        # pg tools never print the password; the URL stays out of the message anyway.
        raise BackupError(f"{tool} a échoué : {result.stderr.strip()[-500:]}")


def _copy_sqlite(settings: Settings, target: Path) -> None:
    source_path = make_url(settings.resolved_database_url).database
    if not source_path or not Path(source_path).is_file():
        raise BackupError(f"base SQLite introuvable : {source_path}")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # a consistent snapshot, even while the forum writes
    finally:
        copy.close()
        source.close()


def _revisions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        return sorted(str(row[0]) for row in rows)


def backup(settings: Settings, output: Path, progress: Progress = lambda _: None) -> BackupReport:
    """Write a backup archive to `output` (written aside, then renamed: never half a file)."""
    kind = _database_kind(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
        revisions = _revisions(engine)
    finally:
        engine.dispose()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    count = size = 0
    with tempfile.TemporaryDirectory(prefix="forum-backup-") as work:
        progress("base de données")
        if kind == "sqlite":
            database = Path(work) / SQLITE_NAME
            _copy_sqlite(settings, database)
        else:
            database = Path(work) / PG_NAME
            _run_pg_tool(["pg_dump", "--format=custom", "--no-owner", "--file", str(database),
                          "--dbname", _libpq_url(settings)])  # fmt: skip
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": kind,
            "revisions": revisions,
        }
        (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            archive.add(Path(work) / MANIFEST, arcname=MANIFEST)
            archive.add(database, arcname=database.name)
            files = _files_dir(settings)
            if files.is_dir():
                progress("fichiers")
                for path in sorted(files.rglob("*")):
                    relative = path.relative_to(files)
                    if relative.parts[0] == "tmp" or not path.is_file():
                        continue  # uploads still being received are not files yet
                    archive.add(path, arcname=f"{FILES}/{relative.as_posix()}")
                    count += 1
                    size += path.stat().st_size
    os.replace(partial, output)
    return BackupReport(path=output, database=kind, files=count, bytes=size)


def _member_count(engine: Engine) -> int:
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(User)).scalar_one())
    except Exception:  # no schema yet: an empty database
        return 0


def _safe_members(archive: tarfile.TarFile) -> tuple[dict[str, object], list[tarfile.TarInfo]]:
    names = archive.getnames()
    if MANIFEST not in names:
        raise BackupError("ce fichier n'est pas une sauvegarde du forum (manifest.json absent)")
    extracted = archive.extractfile(MANIFEST)
    assert extracted is not None
    try:
        manifest = json.loads(extracted.read(100_000))
    except ValueError:
        raise BackupError("manifest.json illisible") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("format de sauvegarde inconnu")
    allowed = []
    for member in archive.getmembers():
        name = member.name
        if name in (MANIFEST, SQLITE_NAME, PG_NAME) or name.startswith(FILES + "/"):
            if not member.isfile() or ".." in Path(name).parts or name.startswith("/"):
                raise BackupError(f"élément refusé dans l'archive : {name}")
            allowed.append(member)
    return manifest, allowed


def restore(
    settings: Settings,
    archive_path: Path,
    *,
    force: bool = False,
    progress: Progress = lambda _: None,
) -> BackupReport:
    """Restore a backup into the configured database and data directory.

    Refuses to overwrite a database that already has members unless force is given.
    """
    kind = _database_kind(settings)
    try:
        archive = tarfile.open(archive_path, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"archive illisible : {exc}") from None
    with archive, tempfile.TemporaryDirectory(prefix="forum-restore-") as work:
        manifest, members = _safe_members(archive)
        if manifest.get("database") != kind:
            raise BackupError(
                f"cette sauvegarde vient d'une base {manifest.get('database')}, "
                f"le forum est configuré pour {kind}"
            )
        engine = make_engine(settings.resolved_database_url)
        members_now = _member_count(engine)
        engine.dispose()
        if members_now and not force:
            raise BackupError(
                f"la base contient déjà {members_now} compte(s) ; ajoutez --force pour la remplacer"
            )
        progress("lecture de l'archive")
        archive.extractall(work, members=members, filter="data")
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        progress("base de données")
        if kind == "sqlite":
            _restore_sqlite(settings, Path(work) / SQLITE_NAME)
        else:
            dump = Path(work) / PG_NAME
            if not dump.is_file():
                raise BackupError("la sauvegarde ne contient pas la base de données")
            _run_pg_tool(["pg_restore", "--clean", "--if-exists", "--no-owner",
                          "--dbname", _libpq_url(settings), str(dump)])  # fmt: skip
        progress("fichiers")
        count = size = 0
        source = Path(work) / FILES
        if source.is_dir():
            target = _files_dir(settings)
            for path in sorted(source.rglob("*")):
                if not path.is_file():
                    continue
                destination = target / path.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                if not destination.exists():  # content-addressed: same name, same bytes
                    shutil.copyfile(path, destination)
                count += 1
                size += path.stat().st_size
    migrated = make_engine(settings.resolved_database_url)
    try:
        migrate(migrated)
    finally:
        migrated.dispose()
    return BackupReport(path=archive_path, database=kind, files=count, bytes=size)


def _restore_sqlite(settings: Settings, copy: Path) -> None:
    if not copy.is_file():
        raise BackupError("la sauvegarde ne contient pas la base de données")
    check = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        if check.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError("la base contenue dans la sauvegarde est endommagée")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"la base contenue dans la sauvegarde est illisible : {exc}") from None
    finally:
        check.close()
    target_name = make_url(settings.resolved_database_url).database
    assert target_name
    target = Path(target_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(copy, staged)
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        kept = target.with_name(f"{target.name}.avant-restauration-{stamp}")
        # The old file goes aside with its journal, so that no stale WAL meets the new file.
        for suffix in ("", "-wal", "-shm"):
            old = Path(str(target) + suffix)
            if old.exists():
                os.replace(old, Path(str(kept) + suffix))
    os.replace(staged, target)
