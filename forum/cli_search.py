"""`forum search …`: rebuilding the search index from the database."""

import time

import click

from forum.cli_context import database, load_settings
from forum.search import make_search_backend
from forum.services.search_rebuild import all_entries


@click.group()
def search() -> None:
    """Index de recherche."""


@search.command("rebuild")
def search_rebuild() -> None:
    """Reconstruit tout l'index de recherche à partir de la base (après une restauration…)."""
    with database(load_settings()) as db:
        started = time.monotonic()
        count = make_search_backend(db.engine).rebuild(all_entries(db.engine))
    elapsed = time.monotonic() - started
    seconds = f"{elapsed:.1f}".replace(".", ",")
    click.echo(f"Index reconstruit : {count} entrées en {seconds} s.")
