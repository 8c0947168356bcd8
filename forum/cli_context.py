"""What every CLI command shares: settings, one transaction, login look-up, one-line errors."""

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any, Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from forum.auth.passwords import hash_password_sync, password_problem
from forum.db import Database, make_engine, migrate
from forum.errors import Conflict, ForumError, InvalidInput, NotFound
from forum.models import User
from forum.services import users as user_service
from forum.settings import Settings, SettingsError

P = ParamSpec("P")
T = TypeVar("T")


class CliError(click.ClickException):
    """A failure reported as one line on stderr ("Erreur : …") with exit code 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the one line (never a traceback)."""
        message = " ".join(self.format_message().split())
        click.echo(f"Erreur : {message}", err=True)


def describe(exc: BaseException) -> str:
    """A one-line, human account of an error a command may meet."""
    if isinstance(exc, InvalidInput):
        return "; ".join(exc.errors.values())
    if isinstance(exc, Conflict):
        return exc.message
    if isinstance(exc, NotFound):
        return f"introuvable : {exc}"
    if isinstance(exc, SQLAlchemyError):
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return f"base de données : {first}"
    return str(exc) or type(exc).__name__


# Errors that are the admin's to fix (input, configuration, database, disk): one line each.
EXPECTED_ERRORS = (ForumError, SettingsError, SQLAlchemyError, OSError, ImportError)


class ForumGroup(click.Group):
    """The root group: turns expected errors of any subcommand into CliError."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; an expected error becomes one line and exit code 1."""
        try:
            return super().invoke(ctx)
        except EXPECTED_ERRORS as exc:
            raise CliError(describe(exc)) from exc


def load_settings() -> Settings:
    """The settings from the FORUM_* environment variables."""
    return Settings.from_env()


@contextmanager
def database(settings: Settings) -> Iterator[Database]:
    """An up-to-date database (migrated), disposed of afterwards."""
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
        yield Database(engine)
    finally:
        engine.dispose()


def in_transaction(
    settings: Settings,
    fn: Callable[Concatenate[Session, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run fn(session, ...) in one transaction: all of it is written, or nothing."""
    with database(settings) as db:
        return db.transaction(fn, *args, **kwargs)


def reading(
    settings: Settings,
    fn: Callable[Concatenate[Session, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run fn(session, ...) for reading."""
    with database(settings) as db:
        return db.reading(fn, *args, **kwargs)


@contextmanager
def missing_means(message: str) -> Iterator[None]:
    """Report a NotFound raised inside the block with a message that names what is missing."""
    try:
        yield
    except NotFound:
        raise CliError(message) from None


def find_user(session: Session, login: str, suffix: str) -> User:
    """The account a typed login designates (the site's suffix may be left out)."""
    user = user_service.find_user_for_sign_in(session, login, suffix)
    if user is None:
        raise CliError(f"aucun compte ne correspond à l'identifiant « {login} »")
    return user


def user_id(user: User) -> int:
    """The id of a stored account."""
    assert user.id is not None
    return user.id


def for_user(settings: Settings, login: str, fn: Callable[[Session, User], T]) -> T:
    """Find the account behind a typed login and run fn(session, user) in one transaction."""

    def run(session: Session) -> T:
        return fn(session, find_user(session, login, settings.login_suffix))

    return in_transaction(settings, run)


def password_hash_from_stdin(login: str) -> str:
    """Read one line from standard input, check it as a password, and hash it."""
    password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password, login=login)
    if problem:
        raise CliError(problem)
    return hash_password_sync(password)


def link_url(settings: Settings, key: str) -> str:
    """The address of a one-time link."""
    return f"{settings.base_url}/welcome/{key}"


def local_time(settings: Settings, moment: datetime | None) -> str:
    """A timestamp in the site's time zone, or a dash."""
    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print aligned columns (or a short note when there is nothing to list)."""
    if not rows:
        click.echo("(aucun)")
        return
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
