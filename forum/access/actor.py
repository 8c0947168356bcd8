"""Who is asking: the Actor of a request (a member with their group roles, or a visitor)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, select

from forum.models import Membership, Role, User


@dataclass(frozen=True)
class Actor:
    """Who is asking: a signed-in member (with their group roles) or an anonymous visitor."""

    user_id: int | None = None
    login: str = ""
    display_name: str = ""
    is_admin: bool = False
    locale: str | None = None
    roles: Mapping[int, str] = field(default_factory=dict)  # group id -> role

    @property
    def is_authenticated(self) -> bool:
        """True for a signed-in member."""
        return self.user_id is not None

    def in_group(self, group_id: int | None) -> bool:
        """True when the actor belongs to the group, whatever their role."""
        return group_id is not None and group_id in self.roles

    def moderates(self, group_id: int | None) -> bool:
        """True when the actor is a moderator of the group."""
        return group_id is not None and self.roles.get(group_id) == Role.MODERATOR.value


ANONYMOUS = Actor()


def member_actor(
    *,
    user_id: int,
    login: str,
    display_name: str,
    is_admin: bool,
    locale: str | None,
    roles: Mapping[int, str],
) -> Actor:
    """The actor of an active member whose memberships are already known."""
    return Actor(
        user_id=user_id,
        login=login,
        display_name=display_name,
        is_admin=is_admin,
        locale=locale,
        roles=dict(roles),
    )


def actor_for(session: Session, user: User) -> Actor:
    """Build the actor of an active member, with their memberships."""
    if user.id is None or not user.is_active:
        return ANONYMOUS
    rows = session.exec(
        select(Membership.group_id, Membership.role).where(Membership.user_id == user.id)
    ).all()
    return Actor(
        user_id=user.id,
        login=user.login,
        display_name=user.display_name,
        is_admin=user.is_admin,
        locale=user.locale,
        roles=dict(rows),
    )
