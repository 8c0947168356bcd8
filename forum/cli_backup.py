"""`forum backup` and `forum restore`: one archive with the database and the files."""

from datetime import datetime
from pathlib import Path

import click

from forum.backup import BackupError, backup, restore
from forum.cli_context import CliError, load_settings
from forum.i18n import format_number


def _size(count: int) -> str:
    return format_number(round(count / 1_000_000, 1)) + " Mo"


@click.command("backup")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier à écrire (par défaut forum-sauvegarde-AAAAMMJJ-HHMMSS.tar.gz ici).",
)
def backup_command(output: Path | None) -> None:
    """Sauvegarde la base et les fichiers dans une archive, serveur en marche."""
    if output is None:
        output = Path(f"forum-sauvegarde-{datetime.now():%Y%m%d-%H%M%S}.tar.gz")
    try:
        report = backup(load_settings(), output, progress=lambda step: click.echo(f"… {step}"))
    except BackupError as exc:
        raise CliError(str(exc)) from None
    click.echo(
        f"Sauvegarde écrite : {report.path} (base {report.database}, "
        f"{report.files} fichiers, {_size(report.bytes)})"
    )


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Remplace une base qui contient déjà des comptes.")
def restore_command(archive: Path, force: bool) -> None:
    """Restaure une sauvegarde (arrêtez le serveur avant)."""
    try:
        report = restore(
            load_settings(), archive, force=force, progress=lambda step: click.echo(f"… {step}")
        )
    except BackupError as exc:
        raise CliError(str(exc)) from None
    click.echo(
        f"Sauvegarde restaurée (base {report.database}, {report.files} fichiers). "
        "Redémarrez le serveur."
    )
