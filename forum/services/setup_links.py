"""One-time links: create the first administrator, or let a member choose a password."""

from datetime import timedelta

from sqlmodel import Session, col, select, update

from forum.auth.keys import key_hash, new_key
from forum.errors import NotFound
from forum.models import SetupLink, User, utcnow
from forum.services.sessions import revoke_all_sessions
from forum.services.users import admin_exists, create_user

FIRST_ADMIN = "first-admin"
PASSWORD = "password"


def create_first_admin_link(session: Session, *, days: int) -> str | None:
    """A fresh link to create the first administrator (older ones die); None once one exists."""
    if admin_exists(session):
        return None
    _expire_unused(session, purpose=FIRST_ADMIN, user_id=None)
    return _create(session, purpose=FIRST_ADMIN, user_id=None, days=days)


def create_password_link(session: Session, *, user_id: int, days: int) -> str:
    """A fresh link for a member to choose their password (older ones die)."""
    if session.get(User, user_id) is None:
        raise NotFound(str(user_id))
    _expire_unused(session, purpose=PASSWORD, user_id=user_id)
    return _create(session, purpose=PASSWORD, user_id=user_id, days=days)


def find_link(session: Session, *, key: str) -> SetupLink:
    """The live link behind a key; used, expired or unknown links are NotFound."""
    link = session.exec(select(SetupLink).where(SetupLink.key_hash == key_hash(key))).first()
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise NotFound("link")
    if link.purpose == FIRST_ADMIN and admin_exists(session):
        raise NotFound("link")
    return link


def link_user(session: Session, *, key: str) -> User | None:
    """The member a password link is for (None for a first-administrator link)."""
    link = find_link(session, key=key)
    return session.get(User, link.user_id) if link.user_id is not None else None


def complete_first_admin(
    session: Session,
    *,
    key: str,
    login: str,
    display_name: str,
    email: str | None,
    password_hash: str,
    login_suffix: str,
) -> User:
    """Use a first-administrator link: create that account; the link is spent."""
    link = find_link(session, key=key)
    if link.purpose != FIRST_ADMIN:
        raise NotFound("link")
    user = create_user(
        session,
        login=login,
        display_name=display_name,
        email=email,
        is_admin=True,
        password_hash=password_hash,
        login_suffix=login_suffix,
    )
    link.used_at = utcnow()
    session.add(link)
    return user


def complete_password_link(session: Session, *, key: str, password_hash: str) -> User:
    """Use a password link: store the new password hash, sign out every browser; spend the link."""
    link = find_link(session, key=key)
    if link.purpose != PASSWORD or link.user_id is None:
        raise NotFound("link")
    user = session.get(User, link.user_id)
    if user is None or not user.is_active:
        raise NotFound("link")
    user.password_hash = password_hash
    link.used_at = utcnow()
    session.add_all([user, link])
    # Whoever knew the old password is signed out, as when a member changes it themselves.
    revoke_all_sessions(session, user_id=link.user_id)
    return user


def _create(session: Session, *, purpose: str, user_id: int | None, days: int) -> str:
    key = new_key()
    now = utcnow()
    session.add(
        SetupLink(
            purpose=purpose,
            user_id=user_id,
            key_hash=key_hash(key),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.flush()
    return key


def _expire_unused(session: Session, *, purpose: str, user_id: int | None) -> None:
    query = update(SetupLink).where(
        col(SetupLink.purpose) == purpose, col(SetupLink.used_at).is_(None)
    )
    query = query.where(
        col(SetupLink.user_id).is_(None) if user_id is None else col(SetupLink.user_id) == user_id
    )
    session.exec(query.values(used_at=utcnow()))
