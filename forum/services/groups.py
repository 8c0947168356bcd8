"""Groups and memberships: create, rename, add/remove members, change roles."""

import re
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from forum.access import Actor, access_site_admin
from forum.db import mark_access_changed
from forum.errors import Conflict, FieldErrors, InvalidInput, NotFound
from forum.i18n import gettext as _
from forum.models import Board, Group, Membership, Role, User

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def clean_slug(raw: str) -> str:
    """A short URL name: lower-case letters without accents, digits and dashes."""
    slug = raw.strip().lower()
    if not SLUG_RE.match(slug):
        raise InvalidInput(
            {
                "slug": _(
                    "Le nom court ne peut contenir que des lettres sans accent, des chiffres "
                    "et des tirets (64 caractères au plus)."
                )
            }
        )
    return slug


def clean_name(raw: str, field: str = "name") -> str:
    """A non-empty name of at most 120 characters."""
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput({field: _("Indiquez un nom.")})
    if len(name) > 120:
        raise InvalidInput({field: _("Le nom est trop long (120 caractères au plus).")})
    return name


def clean_description(raw: str) -> str:
    """An optional description of at most 2000 characters."""
    text = raw.strip()
    if len(text) > 2000:
        raise InvalidInput({"description": _("La description est trop longue.")})
    return text


def clean_role(raw: str) -> str:
    """member or moderator."""
    if raw not in (Role.MEMBER.value, Role.MODERATOR.value):
        raise InvalidInput({"role": _("Rôle inconnu.")})
    return raw


def get_group(session: Session, slug: str) -> Group:
    """Fetch a group by slug (for administrators and the CLI)."""
    group = session.exec(select(Group).where(Group.slug == slug)).first()
    if group is None:
        raise NotFound(slug)
    return group


def list_groups(session: Session) -> list[Group]:
    """Every group, by name."""
    return list(session.exec(select(Group).order_by(col(Group.name))).all())


def create_group(session: Session, *, slug: str, name: str, description: str = "") -> Group:
    """Create a group."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for field, clean, raw in (
        ("slug", clean_slug, slug),
        ("name", clean_name, name),
        ("description", clean_description, description),
    ):
        try:
            values[field] = clean(raw)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    if session.exec(select(Group.id).where(Group.slug == values["slug"])).first() is not None:
        raise Conflict(_("Ce nom court est déjà pris."), field="slug")
    group = Group(slug=values["slug"], name=values["name"], description=values["description"])
    session.add(group)
    session.flush()
    return group


def update_group(session: Session, *, slug: str, name: str, description: str) -> Group:
    """Rename a group or change its description."""
    group = get_group(session, slug)
    group.name = clean_name(name)
    group.description = clean_description(description)
    session.add(group)
    return group


def delete_group(session: Session, *, slug: str) -> None:
    """Delete a group; refused while a board still belongs to it."""
    group = get_group(session, slug)
    if session.exec(select(Board.id).where(Board.group_id == group.id)).first() is not None:
        raise Conflict(
            _("Ce groupe a encore des tableaux : rattachez-les à un autre groupe d'abord.")
        )
    for membership in session.exec(select(Membership).where(Membership.group_id == group.id)):
        session.delete(membership)
    # Without ORM relationships the flush could delete the group first (its memberships then
    # vanish by ON DELETE CASCADE and their own DELETE matches no row): memberships go first.
    session.flush()
    session.delete(group)
    mark_access_changed(session)


def set_membership(
    session: Session, *, group_slug: str, user_id: int, role: str = Role.MEMBER.value
) -> Membership:
    """Add a member to a group, or change their role if they are already in it."""
    role = clean_role(role)
    group = get_group(session, group_slug)
    if session.get(User, user_id) is None:
        raise NotFound(str(user_id))
    membership = session.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.group_id == group.id)
    ).first()
    if membership is None:
        assert group.id is not None
        membership = Membership(user_id=user_id, group_id=group.id, role=role)
    else:
        membership.role = role
    session.add(membership)
    session.flush()
    return membership


def remove_membership(session: Session, *, group_slug: str, user_id: int) -> None:
    """Take a member out of a group (nothing happens if they were not in it)."""
    group = get_group(session, group_slug)
    membership = session.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.group_id == group.id)
    ).first()
    if membership is not None:
        session.delete(membership)
        mark_access_changed(session)


def group_members(session: Session, *, group_id: int) -> list[tuple[User, str]]:
    """The members of a group with their roles, by name."""
    query = (
        select(User, Membership.role)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.group_id == group_id)
        .order_by(col(User.display_name))
    )
    return [(user, role) for user, role in session.exec(query).all()]


def user_groups(session: Session, *, user_id: int) -> list[tuple[Group, str]]:
    """The groups a member belongs to, with their role in each."""
    query = (
        select(Group, Membership.role)
        .join(Membership, col(Membership.group_id) == col(Group.id))
        .where(Membership.user_id == user_id)
        .order_by(col(Group.name))
    )
    return [(group, role) for group, role in session.exec(query).all()]


# Administration pages: each function checks that the actor is a site administrator.


@dataclass(frozen=True)
class GroupRow:
    """One line of the administration's groups table."""

    group: Group
    members: int
    boards: int


@dataclass(frozen=True)
class GroupDetail:
    """Everything the administration page of one group shows."""

    group: Group
    members: list[tuple[User, str]]
    candidates: list[User]  # accounts not in the group yet
    boards: list[Board]


def admin_list_groups(session: Session, *, actor: Actor) -> list[GroupRow]:
    """Every group with its number of members and boards."""
    access_site_admin(actor)
    member_counts = select(Membership.group_id, func.count()).group_by(col(Membership.group_id))
    board_counts = (
        select(Board.group_id, func.count())
        .where(col(Board.group_id).is_not(None))
        .group_by(col(Board.group_id))
    )
    members = dict(session.exec(member_counts).all())
    boards = dict(session.exec(board_counts).all())
    return [
        GroupRow(group=g, members=members.get(g.id or 0, 0), boards=boards.get(g.id, 0))
        for g in list_groups(session)
    ]


def admin_create_group(
    session: Session, *, actor: Actor, slug: str, name: str, description: str
) -> Group:
    """Create a group from the administration."""
    access_site_admin(actor)
    return create_group(session, slug=slug, name=name, description=description)


def admin_group_detail(session: Session, *, actor: Actor, slug: str) -> GroupDetail:
    """A group with its members, the accounts that could join it, and its boards."""
    access_site_admin(actor)
    group = get_group(session, slug)
    assert group.id is not None
    members = group_members(session, group_id=group.id)
    inside = {user.id for user, _role in members}
    everyone = session.exec(select(User).order_by(col(User.display_name))).all()
    boards = session.exec(
        select(Board).where(Board.group_id == group.id).order_by(col(Board.position))
    ).all()
    return GroupDetail(
        group=group,
        members=members,
        candidates=[u for u in everyone if u.id not in inside],
        boards=list(boards),
    )


def admin_update_group(
    session: Session, *, actor: Actor, slug: str, name: str, description: str
) -> Group:
    """Rename a group or change its description, reporting every field's problem at once."""
    access_site_admin(actor)
    get_group(session, slug)
    fields = FieldErrors()
    fields.check(lambda: clean_name(name))
    fields.check(lambda: clean_description(description))
    fields.raise_if_any()
    return update_group(session, slug=slug, name=name, description=description)


def admin_delete_group(session: Session, *, actor: Actor, slug: str, confirmed: bool) -> None:
    """Delete a group once confirmed; refused while boards belong to it."""
    access_site_admin(actor)
    get_group(session, slug)
    if not confirmed:
        raise InvalidInput({"confirm": _("Cochez la case pour confirmer la suppression.")})
    delete_group(session, slug=slug)
