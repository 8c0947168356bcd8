"""The web administration's use cases: each checks the actor is a site admin, then acts."""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from forum.access import Actor, access_site_admin
from forum.errors import Conflict, FieldErrors, InvalidInput
from forum.i18n import gettext as _
from forum.models import AccessToken, AuthSession, Board, Group, Membership, Role, User, utcnow
from forum.services import groups as group_service
from forum.services import sessions as session_service
from forum.services import setup_links
from forum.services import tokens as token_service
from forum.services import users as user_service

ROLES = tuple(r.value for r in Role)


@dataclass(frozen=True)
class Dashboard:
    """Counts shown on the administration home page."""

    accounts: int
    admins: int
    inactive: int
    without_password: int
    groups: int
    boards: int


@dataclass(frozen=True)
class Issued:
    """A secret (one-time link key or access token) to show once, and its account."""

    user: User
    secret: str


@dataclass(frozen=True)
class AccountRow:
    """One line of the accounts table."""

    user: User
    groups: list[tuple[Group, str]]


@dataclass(frozen=True)
class AccountDetail:
    """Everything the page of one account shows."""

    user: User
    groups: list[tuple[Group, str]]
    other_groups: list[Group]
    tokens: list[AccessToken]
    open_sessions: int


def _count(session: Session, model: type[object], *conditions: object) -> int:
    query = select(func.count()).select_from(model)
    for condition in conditions:
        query = query.where(condition)  # type: ignore[arg-type]
    return int(session.exec(query).one())


def _folded(text: str) -> str:
    """Lower-case, accents removed: "Élodie" and "elodie" match each other."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def dashboard(session: Session, *, actor: Actor) -> Dashboard:
    """Counts of accounts, groups and boards."""
    access_site_admin(actor)
    return Dashboard(
        accounts=_count(session, User),
        admins=_count(session, User, col(User.is_admin), col(User.is_active)),
        inactive=_count(session, User, col(User.is_active).is_(False)),
        without_password=_count(session, User, col(User.password_hash).is_(None)),
        groups=_count(session, Group),
        boards=_count(session, Board),
    )


def list_accounts(session: Session, *, actor: Actor, search: str = "") -> list[AccountRow]:
    """Accounts by login with their groups, filtered by login or name (accents ignored)."""
    access_site_admin(actor)
    wanted = _folded(search.strip())
    users = [
        user
        for user in user_service.list_users(session)
        if not wanted or wanted in _folded(user.login) or wanted in _folded(user.display_name)
    ]
    query = (
        select(Membership.user_id, Group, Membership.role)
        .join(Group, col(Membership.group_id) == col(Group.id))
        .order_by(col(Group.name))
    )
    groups: dict[int, list[tuple[Group, str]]] = {}
    for user_id, group, role in session.exec(query).all():
        groups.setdefault(user_id, []).append((group, role))
    return [AccountRow(user=u, groups=groups.get(u.id or 0, [])) for u in users]


def all_groups(session: Session, *, actor: Actor) -> list[Group]:
    """Every group by name, for the choices of a form."""
    access_site_admin(actor)
    return group_service.list_groups(session)


def create_account(
    session: Session,
    *,
    actor: Actor,
    login: str,
    display_name: str,
    email: str | None,
    is_admin: bool,
    groups: Mapping[str, str],
    login_suffix: str,
    link_days: int,
) -> Issued:
    """Create an account, its memberships and a one-time password link, all or nothing."""
    access_site_admin(actor)
    fields = FieldErrors()
    known = {group.slug for group in group_service.list_groups(session)}
    if any(slug not in known for slug in groups):
        fields.add("groups", _("Un des groupes choisis n'existe plus. Rechargez la page."))
    if any(role not in ROLES for role in groups.values()):
        fields.add("groups", _("Rôle inconnu."))
    user = fields.check(
        lambda: user_service.create_user(
            session,
            login=login,
            display_name=display_name,
            email=email,
            is_admin=is_admin,
            login_suffix=login_suffix,
        )
    )
    fields.raise_if_any()
    assert user.id is not None
    for slug, role in groups.items():
        group_service.set_membership(session, group_slug=slug, user_id=user.id, role=role)
    key = setup_links.create_password_link(session, user_id=user.id, days=link_days)
    return Issued(user=user, secret=key)


def account_detail(session: Session, *, actor: Actor, user_id: int) -> AccountDetail:
    """An account with its groups, the groups it could join, its tokens and open sessions."""
    access_site_admin(actor)
    user = user_service.get_user(session, user_id)
    groups = group_service.user_groups(session, user_id=user_id)
    mine = {group.id for group, _role in groups}
    others = [g for g in group_service.list_groups(session) if g.id not in mine]
    open_sessions = _count(
        session,
        AuthSession,
        col(AuthSession.user_id) == user_id,
        col(AuthSession.revoked_at).is_(None),
        col(AuthSession.expires_at) > utcnow(),
    )
    return AccountDetail(
        user=user,
        groups=groups,
        other_groups=others,
        tokens=token_service.list_tokens(session, user_id=user_id),
        open_sessions=open_sessions,
    )


def update_account(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    display_name: str,
    email: str | None,
    is_admin: bool,
    is_active: bool,
) -> User:
    """Change an account's name, address and rights; disabling it signs it out everywhere."""
    access_site_admin(actor)
    was_active = user_service.get_user(session, user_id).is_active
    user = user_service.update_account(
        session,
        user_id=user_id,
        display_name=display_name,
        email=email,
        is_admin=is_admin,
        is_active=is_active,
        acting_user_id=actor.user_id,
    )
    if was_active and not is_active:
        # Otherwise its old sessions would come back to life if it were re-enabled.
        session_service.revoke_all_sessions(session, user_id=user_id)
    return user


def set_membership(
    session: Session, *, actor: Actor, user_id: int | None, group_slug: str, role: str
) -> Membership:
    """Put an account in a group with a role, or change its role there."""
    access_site_admin(actor)
    fields = FieldErrors()
    if user_id is None:
        fields.add("user", _("Choisissez un compte."))
    if not group_slug:
        fields.add("group", _("Choisissez un groupe."))
    if role not in ROLES:
        fields.add("role", _("Rôle inconnu."))
    fields.raise_if_any()
    assert user_id is not None
    return group_service.set_membership(session, group_slug=group_slug, user_id=user_id, role=role)


def remove_membership(session: Session, *, actor: Actor, user_id: int, group_slug: str) -> None:
    """Take an account out of a group."""
    access_site_admin(actor)
    user_service.get_user(session, user_id)
    group_service.remove_membership(session, group_slug=group_slug, user_id=user_id)


def new_password_link(session: Session, *, actor: Actor, user_id: int, days: int) -> Issued:
    """A fresh one-time link for the member to choose a password; older links stop working."""
    access_site_admin(actor)
    user = user_service.get_user(session, user_id)
    if not user.is_active:
        raise Conflict(_("Ce compte est désactivé : réactivez-le avant d'envoyer un lien."))
    key = setup_links.create_password_link(session, user_id=user_id, days=days)
    return Issued(user=user, secret=key)


def sign_out_everywhere(
    session: Session, *, actor: Actor, user_id: int, keep: str | None = None
) -> int:
    """Close every open session of an account (except `keep`, the admin's own browser)."""
    access_site_admin(actor)
    user_service.get_user(session, user_id)
    return session_service.revoke_all_sessions(session, user_id=user_id, keep=keep)


def create_token(session: Session, *, actor: Actor, user_id: int, name: str) -> Issued:
    """A new personal access token for an account; the clear token is returned once."""
    access_site_admin(actor)
    user = user_service.get_user(session, user_id)
    try:
        token, _row = token_service.create_token(session, user_id=user_id, name=name)
    except InvalidInput as exc:  # the form calls this field token_name
        raise InvalidInput({"token_name": next(iter(exc.errors.values()))}) from exc
    return Issued(user=user, secret=token)


def revoke_token(session: Session, *, actor: Actor, user_id: int, token_id: int) -> None:
    """Revoke one of an account's tokens; it stops working at once."""
    access_site_admin(actor)
    token_service.revoke_token(session, token_id=token_id, user_id=user_id)
