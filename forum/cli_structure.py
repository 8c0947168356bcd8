"""`forum group …` and `forum board …`: groups, memberships and boards."""

import click
from sqlmodel import Session

from forum.cli_context import (
    echo_table,
    find_user,
    in_transaction,
    load_settings,
    missing_means,
    reading,
    user_id,
)
from forum.models import Board, Group, Role, User
from forum.services import boards as board_service
from forum.services import groups as group_service

ROLES = (Role.MEMBER.value, Role.MODERATOR.value)


@click.group()
def group() -> None:
    """Groupes (pôles, COPIL, Bureau…) et leurs membres."""


@group.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="Nom affiché.")
@click.option("--description", default="", help="Description.")
def group_add(slug: str, name: str, description: str) -> None:
    """Crée un groupe (SLUG : nom court pour les adresses, ex. pole-ess)."""
    created = in_transaction(
        load_settings(), group_service.create_group, slug=slug, name=name, description=description
    )
    click.echo(f"Groupe créé : {created.slug} ({created.name})")


@group.command("list")
def group_list() -> None:
    """Liste les groupes."""
    groups = reading(load_settings(), group_service.list_groups)
    echo_table(["nom court", "nom"], [(g.slug, g.name) for g in groups])


@group.command("members")
@click.argument("slug")
def group_members(slug: str) -> None:
    """Liste les membres d'un groupe et leur rôle."""

    def members(session: Session) -> list[tuple[User, str]]:
        with missing_means(f"aucun groupe « {slug} »"):
            found = group_service.get_group(session, slug)
        assert found.id is not None
        return group_service.group_members(session, group_id=found.id)

    rows = reading(load_settings(), members)
    echo_table(["identifiant", "nom", "rôle"], [(u.login, u.display_name, r) for u, r in rows])


@group.command("add-member")
@click.argument("slug")
@click.argument("login")
@click.option("--role", type=click.Choice(ROLES), default=Role.MEMBER.value, show_default=True)
def group_add_member(slug: str, login: str, role: str) -> None:
    """Ajoute un membre à un groupe (ou change son rôle s'il en fait déjà partie)."""
    settings = load_settings()

    def add(session: Session) -> User:
        account = find_user(session, login, settings.login_suffix)
        with missing_means(f"aucun groupe « {slug} »"):
            group_service.set_membership(
                session, group_slug=slug, user_id=user_id(account), role=role
            )
        return account

    account = in_transaction(settings, add)
    click.echo(f"{account.login} fait partie du groupe {slug} ({role}).")


@group.command("remove-member")
@click.argument("slug")
@click.argument("login")
def group_remove_member(slug: str, login: str) -> None:
    """Retire un membre d'un groupe."""
    settings = load_settings()

    def remove(session: Session) -> User:
        account = find_user(session, login, settings.login_suffix)
        with missing_means(f"aucun groupe « {slug} »"):
            group_service.remove_membership(session, group_slug=slug, user_id=user_id(account))
        return account

    account = in_transaction(settings, remove)
    click.echo(f"{account.login} ne fait plus partie du groupe {slug}.")


@click.group()
def board() -> None:
    """Tableaux de discussion et leur visibilité."""


VISIBILITY_HELP = (
    "group : membres du groupe seulement ; members : tous les membres connectés ; "
    "public : tout le monde."
)


@board.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="Nom affiché.")
@click.option(
    "--visibility",
    type=click.Choice(board_service.VISIBILITIES),
    required=True,
    help=VISIBILITY_HELP,
)
@click.option("--group", "group_slug", default=None, metavar="SLUG", help="Groupe du tableau.")
@click.option("--description", default="", help="Description.")
def board_add(
    slug: str, name: str, visibility: str, group_slug: str | None, description: str
) -> None:
    """Crée un tableau (un tableau « group » doit appartenir à un groupe)."""
    created = in_transaction(
        load_settings(),
        board_service.create_board,
        slug=slug,
        name=name,
        description=description,
        visibility=visibility,
        group_slug=group_slug,
    )
    click.echo(f"Tableau créé : {created.slug} ({created.name}, {created.visibility})")


@board.command("list")
def board_list() -> None:
    """Liste les tableaux, leur visibilité et leur groupe."""
    rows: list[tuple[Board, Group | None]] = reading(load_settings(), board_service.list_all_boards)
    echo_table(
        ["nom court", "visibilité", "groupe", "nom"],
        [(b.slug, b.visibility, g.slug if g else "-", b.name) for b, g in rows],
    )


@board.command("set-visibility")
@click.argument("slug")
@click.argument("visibility", type=click.Choice(board_service.VISIBILITIES))
@click.option(
    "--group", "group_slug", default=None, metavar="SLUG", help="Nouveau groupe du tableau."
)
def board_set_visibility(slug: str, visibility: str, group_slug: str | None) -> None:
    """Change qui peut lire un tableau (group, members ou public)."""

    def change(session: Session) -> Board:
        with missing_means(f"aucun tableau « {slug} »"):
            board_service.get_board(session, slug)
        return board_service.set_board_visibility(
            session, slug=slug, visibility=visibility, group_slug=group_slug
        )

    changed = in_transaction(load_settings(), change)
    click.echo(f"Tableau {changed.slug} : visibilité {changed.visibility}.")
