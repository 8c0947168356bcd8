"""`forum import FORMAT PATH... --board SLUG`: bring the old discussion group's archive in."""

from datetime import UTC, datetime
from pathlib import Path

import click

from forum.cli_context import CliError, database, describe, load_settings
from forum.errors import ForumError
from forum.importer.file_sink import MB, LibrarySink, library_storage
from forum.importer.folder import import_folder
from forum.importer.load import ImportOptions
from forum.importer.people import check_people_map, load_people_map
from forum.importer.read import FORMATS, UnknownFormat
from forum.importer.run import run_import
from forum.search import make_search_backend
from forum.settings import Settings


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice([*FORMATS, "auto", "files"]))
@click.argument(
    "paths",
    metavar="CHEMIN...",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, path_type=Path),
)
@click.option("--board", "board", required=True, help="Nom court du tableau de destination.")
@click.option("--dry-run", is_flag=True, help="Tout lire et vérifier, ne rien écrire.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Écrire le rapport JSON dans ce fichier.",
)
@click.option(
    "--people",
    "people_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Table CSV « adresse ou alias, identifiant » des personnes.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="N'importer que les messages à partir de cette date (AAAA-MM-JJ).",
)
@click.option(
    "--folder",
    "folder",
    help="Avec « files » : dossier de la bibliothèque où ranger les fichiers.",
)
@click.pass_context
def import_archive(
    ctx: click.Context,
    fmt: str,
    paths: tuple[Path, ...],
    board: str,
    dry_run: bool,
    report_path: Path | None,
    people_path: Path | None,
    since: datetime | None,
    folder: str | None,
) -> None:
    """Importe l'archive de l'ancien groupe de discussion dans un tableau.

    FORMAT : mbox, takeout, yahoo, pipermail, eml, groupsio, ou auto (reconnu seul).
    Importer à nouveau la même archive ne crée rien ; une archive qui en recouvre une autre
    n'ajoute que les nouveaux messages. Code de sortie 1 si un message a échoué.

    `forum import files DOSSIER --board TABLEAU [--folder NOM]` ajoute les fichiers d'un
    dossier (et de ses sous-dossiers) à la bibliothèque du tableau ; code 1 si un fichier
    est refusé.
    """
    settings = load_settings()
    if fmt == "files":
        _import_files(ctx, settings, paths, board, folder, report_path, dry_run)
        return
    if folder is not None:
        raise CliError("--folder ne s'applique qu'à « files ».")
    people = load_people_map(people_path) if people_path else {}
    options = ImportOptions(
        board_slug=board,
        archive=", ".join(p.name for p in paths),
        format=fmt,
        dry_run=dry_run,
        people_map=people,
        login_suffix=settings.login_suffix,
    )
    if not dry_run:  # a dry run stores nothing: its attachments stay pending
        options.sink = LibrarySink.from_settings(settings)
    with database(settings) as db:
        db.reading(check_people_map, people, suffix=settings.login_suffix)
        read = 0

        def on_read(_item: object) -> None:
            nonlocal read
            read += 1

        click.echo(f"Lecture de {options.archive}…")
        with click.progressbar(length=0, label="Import", show_pos=True) as bar:

            def on_progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            try:
                report = run_import(
                    db,
                    fmt,
                    list(paths),
                    options,
                    search=make_search_backend(db.engine),
                    since=since.replace(tzinfo=UTC) if since else None,
                    on_read=on_read,
                    on_progress=on_progress,
                )
            except UnknownFormat as exc:
                raise CliError(str(exc)) from exc
            except ForumError as exc:
                raise CliError(describe(exc)) from exc
    for line in report.lines():
        click.echo(line)
    if report_path is not None:
        report_path.write_text(report.as_json(), encoding="utf-8")
    if report.failures:
        ctx.exit(1)


def _import_files(
    ctx: click.Context,
    settings: Settings,
    paths: tuple[Path, ...],
    board: str,
    folder: str | None,
    report_path: Path | None,
    dry_run: bool,
) -> None:
    """`forum import files DIR --board SLUG [--folder NAME]`."""
    if len(paths) != 1 or not paths[0].is_dir():
        raise CliError("« files » attend un seul chemin, celui d'un dossier.")
    if dry_run:
        raise CliError("--dry-run ne s'applique pas à « files ».")
    with database(settings) as db:
        with click.progressbar(length=0, label="Fichiers", show_pos=True) as bar:

            def on_progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            try:
                report = import_folder(
                    db,
                    library_storage(settings),
                    paths[0],
                    board_slug=board,
                    folder=folder,
                    max_bytes=settings.max_upload_mb * MB,
                    on_progress=on_progress,
                )
            except ForumError as exc:
                raise CliError(describe(exc)) from exc
    for line in report.lines():
        click.echo(line)
    if report_path is not None:
        report_path.write_text(report.as_json(), encoding="utf-8")
    if report.failures:
        ctx.exit(1)
