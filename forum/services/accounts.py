"""What a member sees and changes about their own account."""

from dataclasses import dataclass

from sqlmodel import Session

from forum.db import mark_access_changed
from forum.models import AuthSession, Group, User
from forum.services import sessions as session_service
from forum.services.groups import user_groups
from forum.services.users import get_user, set_password_hash


@dataclass(frozen=True)
class AccountOverview:
    """The account page's data."""

    user: User
    groups: list[tuple[Group, str]]
    sessions: list[AuthSession]


def account_overview(session: Session, *, user_id: int) -> AccountOverview:
    """A member's profile, groups and open sessions."""
    return AccountOverview(
        user=get_user(session, user_id),
        groups=user_groups(session, user_id=user_id),
        sessions=session_service.active_sessions(session, user_id=user_id),
    )


def change_password(
    session: Session, *, user_id: int, password_hash: str, keep_session: str | None
) -> User:
    """Store a new password and sign out every other browser."""
    user = set_password_hash(session, user_id=user_id, password_hash=password_hash)
    session_service.revoke_all_sessions(session, user_id=user_id, keep=keep_session)
    return user


def set_account_active(session: Session, *, user_id: int, is_active: bool) -> User:
    """Enable or disable an account; disabling also signs it out everywhere."""
    user = get_user(session, user_id)
    user.is_active = is_active
    session.add(user)
    mark_access_changed(session)
    if not is_active:
        session_service.revoke_all_sessions(session, user_id=user_id)
    return user
