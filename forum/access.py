"""Every permission decision: who sees, posts in and administers which board.

`access_*` functions fetch one object for an actor and raise NotFound both when it is
missing and when it is hidden; `can_*` predicates answer yes/no for templates;
`visible_boards` is the one filter every listing and search goes through.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import false, or_
from sqlmodel import Session, col, select

from forum.errors import NotFound, PermissionDenied
from forum.models import Board, Group, Membership, Role, User, Visibility


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


def can_see_board(actor: Actor, board: Board) -> bool:
    """May the actor read this board?"""
    if board.visibility == Visibility.PUBLIC.value:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_admin or board.visibility == Visibility.MEMBERS.value:
        return True
    return actor.in_group(board.group_id)


def can_post_in_board(actor: Actor, board: Board) -> bool:
    """May the actor start topics and reply in this board?"""
    if not actor.is_authenticated or not can_see_board(actor, board):
        return False
    if actor.is_admin or board.visibility != Visibility.GROUP.value:
        return True
    return actor.in_group(board.group_id)


def can_moderate_board(actor: Actor, board: Board) -> bool:
    """May the actor moderate this board (pin, lock, hide)? Admins and its group's moderators."""
    if not can_see_board(actor, board) or not actor.is_authenticated:
        return False
    return actor.is_admin or actor.moderates(board.group_id)


def can_administer_board(actor: Actor, board: Board) -> bool:
    """May the actor change the board itself (name, visibility, group)? Admins only."""
    return actor.is_authenticated and actor.is_admin


def can_administer_site(actor: Actor) -> bool:
    """May the actor manage accounts, groups and boards?"""
    return actor.is_authenticated and actor.is_admin


def visible_boards_clause(actor: Actor):  # type: ignore[no-untyped-def]
    """The SQL condition selecting the boards the actor may read."""
    if actor.is_authenticated and actor.is_admin:
        return True
    if not actor.is_authenticated:
        return col(Board.visibility) == Visibility.PUBLIC.value
    group_ids = list(actor.roles)
    return or_(
        col(Board.visibility).in_([Visibility.PUBLIC.value, Visibility.MEMBERS.value]),
        col(Board.group_id).in_(group_ids) if group_ids else false(),
    )


def visible_boards(session: Session, actor: Actor) -> list[Board]:
    """The boards the actor may read, in display order."""
    query = select(Board).where(visible_boards_clause(actor))
    return list(session.exec(query.order_by(col(Board.position), col(Board.name))).all())


def access_board(session: Session, actor: Actor, slug: str, *, for_write: bool = False) -> Board:
    """Fetch a board the actor may read (and, with for_write, post in); hidden means NotFound."""
    board = session.exec(select(Board).where(Board.slug == slug)).first()
    if board is None or not can_see_board(actor, board):
        raise NotFound(slug)
    if for_write and not can_post_in_board(actor, board):
        raise PermissionDenied(slug)
    return board


def access_site_admin(actor: Actor) -> None:
    """Let only site administrators through; to anyone else the admin pages don't exist."""
    if not can_administer_site(actor):
        raise NotFound("admin")


def access_group(session: Session, actor: Actor, slug: str) -> Group:
    """Fetch a group its members and admins may see; to others it doesn't exist."""
    group = session.exec(select(Group).where(Group.slug == slug)).first()
    if group is None or not (actor.is_admin or actor.in_group(group.id)):
        raise NotFound(slug)
    return group
