"""`forum user …` and `forum token …`: accounts, passwords, sessions and access tokens."""

import click
from sqlmodel import Session

from forum.cli_context import (
    echo_table,
    find_user,
    for_user,
    in_transaction,
    link_url,
    load_settings,
    local_time,
    missing_means,
    password_hash_from_stdin,
    reading,
    user_id,
)
from forum.models import AccessToken, User
from forum.services import accounts as account_service
from forum.services import groups as group_service
from forum.services import sessions as session_service
from forum.services import setup_links
from forum.services import tokens as token_service
from forum.services import users as user_service


def _yes(flag: bool) -> str:
    return "oui" if flag else "non"


def _echo_password_link(login: str, url: str, days: int) -> None:
    click.echo(
        f"Lien pour que {login} choisisse son mot de passe "
        f"(utilisable une fois, valable {days} jours) :"
    )
    click.echo(f"  {url}")


@click.group()
def user() -> None:
    """Comptes des membres."""


@user.command("add")
@click.argument("login")
@click.option("--name", "display_name", required=True, help="Nom affiché.")
@click.option("--email", default=None, help="Adresse électronique.")
@click.option("--admin", is_flag=True, help="Administrateur du site.")
@click.option(
    "--group", "groups", multiple=True, metavar="SLUG", help="Groupe à rejoindre (répétable)."
)
@click.option("--password-stdin", is_flag=True, help="Lit le mot de passe sur l'entrée standard.")
def user_add(
    login: str,
    display_name: str,
    email: str | None,
    admin: bool,
    groups: tuple[str, ...],
    password_stdin: bool,
) -> None:
    """Crée un compte ; sans mot de passe, affiche un lien pour le choisir."""
    settings = load_settings()
    password_hash = password_hash_from_stdin(login) if password_stdin else None

    def create(session: Session) -> tuple[User, str | None]:
        account = user_service.create_user(
            session,
            login=login,
            display_name=display_name,
            email=email,
            is_admin=admin,
            password_hash=password_hash,
            login_suffix=settings.login_suffix,
        )
        for slug in groups:
            with missing_means(f"aucun groupe « {slug} »"):
                group_service.set_membership(session, group_slug=slug, user_id=user_id(account))
        key = None
        if password_hash is None:
            key = setup_links.create_password_link(
                session, user_id=user_id(account), days=settings.setup_link_days
            )
        return account, key

    account, key = in_transaction(settings, create)
    role = "administrateur" if account.is_admin else "membre"
    click.echo(f"Compte créé : {account.login} ({account.display_name}, {role})")
    if key is not None:
        _echo_password_link(account.login, link_url(settings, key), settings.setup_link_days)


@user.command("list")
def user_list() -> None:
    """Liste les comptes."""
    users = reading(load_settings(), user_service.list_users)
    echo_table(
        ["identifiant", "nom", "courriel", "admin", "actif"],
        [
            (u.login, u.display_name, u.email or "-", _yes(u.is_admin), _yes(u.is_active))
            for u in users
        ],
    )


@user.command("show")
@click.argument("login")
def user_show(login: str) -> None:
    """Affiche un compte, ses groupes et ses sessions ouvertes."""
    settings = load_settings()

    def overview(session: Session) -> account_service.AccountOverview:
        account = find_user(session, login, settings.login_suffix)
        return account_service.account_overview(session, user_id=user_id(account))

    found = reading(settings, overview)
    account = found.user
    click.echo(f"identifiant : {account.login}")
    click.echo(f"nom : {account.display_name}")
    click.echo(f"courriel : {account.email or '-'}")
    click.echo(f"administrateur : {_yes(account.is_admin)}")
    click.echo(f"actif : {_yes(account.is_active)}")
    click.echo(f"mot de passe choisi : {_yes(account.password_hash is not None)}")
    click.echo(f"créé le : {local_time(settings, account.created_at)}")
    memberships = ", ".join(f"{g.slug} ({role})" for g, role in found.groups) or "aucun"
    click.echo(f"groupes : {memberships}")
    click.echo(f"sessions ouvertes : {len(found.sessions)}")


@user.command("set-password")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Lit le mot de passe sur l'entrée standard.")
def user_set_password(login: str, password_stdin: bool) -> None:
    """Change le mot de passe (lu sur l'entrée standard) ou affiche un lien pour le choisir."""
    settings = load_settings()
    if not password_stdin:
        _password_link(login)
        return
    password_hash = password_hash_from_stdin(login)
    account = for_user(
        settings,
        login,
        lambda session, account: account_service.change_password(
            session, user_id=user_id(account), password_hash=password_hash, keep_session=None
        ),
    )
    click.echo(f"Mot de passe de {account.login} changé ; ses sessions ont été fermées.")


def _password_link(login: str) -> None:
    settings = load_settings()

    def create(session: Session) -> tuple[User, str]:
        account = find_user(session, login, settings.login_suffix)
        key = setup_links.create_password_link(
            session, user_id=user_id(account), days=settings.setup_link_days
        )
        return account, key

    account, key = in_transaction(settings, create)
    _echo_password_link(account.login, link_url(settings, key), settings.setup_link_days)


@user.command("password-link")
@click.argument("login")
def user_password_link(login: str) -> None:
    """Affiche un lien à usage unique pour choisir un mot de passe (les anciens meurent)."""
    _password_link(login)


def _set_active(login: str, active: bool) -> User:
    return for_user(
        load_settings(),
        login,
        lambda session, account: account_service.set_account_active(
            session, user_id=user_id(account), is_active=active
        ),
    )


@user.command("disable")
@click.argument("login")
def user_disable(login: str) -> None:
    """Désactive un compte : il ne peut plus se connecter ; ses sessions sont fermées."""
    account = _set_active(login, False)
    click.echo(f"Compte {account.login} désactivé.")


@user.command("enable")
@click.argument("login")
def user_enable(login: str) -> None:
    """Réactive un compte."""
    account = _set_active(login, True)
    click.echo(f"Compte {account.login} réactivé.")


@user.command("signout")
@click.argument("login")
def user_signout(login: str) -> None:
    """Ferme toutes les sessions d'un membre (sur tous ses appareils)."""
    settings = load_settings()

    def revoke(session: Session) -> tuple[User, int]:
        account = find_user(session, login, settings.login_suffix)
        return account, session_service.revoke_all_sessions(session, user_id=user_id(account))

    account, count = in_transaction(settings, revoke)
    click.echo(f"{count} session(s) de {account.login} fermée(s).")


@click.group()
def token() -> None:
    """Jetons d'accès personnels (pour les scripts et l'API)."""


@token.command("create")
@click.argument("login")
@click.option("--name", default="", help="À quoi sert ce jeton.")
def token_create(login: str, name: str) -> None:
    """Crée un jeton ; la dernière ligne affichée est le jeton seul."""
    settings = load_settings()
    clear, row = for_user(
        settings,
        login,
        lambda session, account: token_service.create_token(
            session, user_id=user_id(account), name=name
        ),
    )
    label = f" « {row.name} »" if row.name else ""
    click.echo(f"Jeton n° {row.id}{label} créé. Il ne sera plus affiché : copiez-le maintenant.")
    click.echo(clear)


@token.command("list")
@click.argument("login")
def token_list(login: str) -> None:
    """Liste les jetons d'un membre (les révoqués compris)."""
    settings = load_settings()

    def tokens(session: Session) -> list[AccessToken]:
        account = find_user(session, login, settings.login_suffix)
        return token_service.list_tokens(session, user_id=user_id(account))

    echo_table(
        ["n°", "début", "nom", "créé", "dernier usage", "révoqué"],
        [
            (
                t.id,
                f"{t.prefix}…",
                t.name or "-",
                local_time(settings, t.created_at),
                local_time(settings, t.last_used_at),
                local_time(settings, t.revoked_at),
            )
            for t in reading(settings, tokens)
        ],
    )


@token.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
def token_revoke(token_id: int) -> None:
    """Révoque un jeton (son n° est donné par `forum token list`)."""

    def revoke(session: Session) -> AccessToken:
        with missing_means(f"aucun jeton n° {token_id}"):
            return token_service.revoke_token(session, token_id=token_id)

    in_transaction(load_settings(), revoke)
    click.echo(f"Jeton n° {token_id} révoqué.")
