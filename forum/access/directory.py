"""The member directory: profiles and organisation pages, for signed-in members only.

An e-mail address is shown when its owner chose to show it (administrators and the owner
always see it). An organisation's page is changed by administrators and by the members who
name it as their organisation in their profile.
"""

from sqlmodel import Session, select

from forum.access.actor import Actor
from forum.errors import NotFound, PermissionDenied
from forum.models import Group, MemberProfile, Organisation, User


def can_see_directory(actor: Actor) -> bool:
    """May the actor read member profiles and organisation pages? Signed-in members only."""
    return actor.is_authenticated


def access_directory(actor: Actor) -> None:
    """Let signed-in members through; to anyone else the directory doesn't exist."""
    if not can_see_directory(actor):
        raise NotFound("directory")


def can_see_profile(actor: Actor, user: User) -> bool:
    """Profiles of active accounts are for members; disabled ones for administrators only."""
    return can_see_directory(actor) and (user.is_active or actor.is_admin)


def access_member(session: Session, actor: Actor, login: str) -> User:
    """Fetch the account behind a profile page; missing, disabled or hidden means NotFound."""
    access_directory(actor)
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None or not can_see_profile(actor, user):
        raise NotFound(login)
    return user


def can_see_email(actor: Actor, user: User, profile: MemberProfile | None) -> bool:
    """Is this member's address shown to the actor? Only if they chose so (admins, self: always)."""
    if not can_see_directory(actor) or not user.email:
        return False
    if actor.is_admin or actor.user_id == user.id:
        return True
    return profile is not None and profile.show_email


def visible_groups(actor: Actor, groups: list[tuple[Group, str]]) -> list[tuple[Group, str]]:
    """Of a member's groups, those the actor may know of: shared ones (admins: all)."""
    if actor.is_admin:
        return groups
    return [(group, role) for group, role in groups if actor.in_group(group.id)]


def member_organisation_id(session: Session, actor: Actor) -> int | None:
    """The organisation the actor names in their profile, if any."""
    if actor.user_id is None:
        return None
    profile = session.get(MemberProfile, actor.user_id)
    return None if profile is None else profile.organisation_id


def can_create_organisation(actor: Actor, *, actor_organisation_id: int | None) -> bool:
    """Admins, and members who have no organisation yet (they become attached to it)."""
    if not actor.is_authenticated:
        return False
    return actor.is_admin or actor_organisation_id is None


def can_edit_organisation(
    actor: Actor, organisation: Organisation, *, actor_organisation_id: int | None
) -> bool:
    """Admins, and the members who name this organisation in their profile."""
    if not actor.is_authenticated:
        return False
    if actor.is_admin:
        return True
    return organisation.id is not None and organisation.id == actor_organisation_id


def access_organisation(
    session: Session, actor: Actor, slug: str, *, for_write: bool = False
) -> Organisation:
    """Fetch an organisation for a member (and, with for_write, one they may change)."""
    access_directory(actor)
    organisation = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if organisation is None:
        raise NotFound(slug)
    if for_write and not can_edit_organisation(
        actor, organisation, actor_organisation_id=member_organisation_id(session, actor)
    ):
        raise PermissionDenied(slug)
    return organisation
