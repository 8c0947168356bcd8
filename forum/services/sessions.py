"""Server-side sign-in sessions: start (rotate), resolve, revoke one or all."""

from datetime import timedelta

from sqlmodel import Session, col, select, update

from forum.auth.keys import key_hash, new_key
from forum.db import mark_access_changed
from forum.errors import NotFound
from forum.models import AuthSession, User, utcnow

TOUCH_INTERVAL = timedelta(minutes=5)


def start_session(
    session: Session,
    *,
    user_id: int,
    days: int,
    ip: str = "",
    user_agent: str = "",
    replaces: str | None = None,
) -> tuple[str, AuthSession]:
    """Open a new session (revoking the one it replaces); returns the cookie key and the row."""
    if replaces:
        revoke_session(session, key=replaces)
    key = new_key()
    now = utcnow()
    row = AuthSession(
        key_hash=key_hash(key),
        user_id=user_id,
        csrf_token=new_key(24),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=days),
        ip=ip[:64],
        user_agent=user_agent[:300],
    )
    session.add(row)
    session.flush()
    return key, row


def resolve_session(session: Session, *, key: str) -> tuple[AuthSession, User] | None:
    """The live session and active member behind a cookie key, or None (read-only)."""
    row = session.exec(select(AuthSession).where(AuthSession.key_hash == key_hash(key))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return row, user


def needs_touch(row: AuthSession) -> bool:
    """True when last_seen_at is stale enough to be worth a write."""
    return utcnow() - row.last_seen_at > TOUCH_INTERVAL


def touch_session(session: Session, *, session_id: int) -> None:
    """Record that a session was just used."""
    session.exec(
        update(AuthSession).where(col(AuthSession.id) == session_id).values(last_seen_at=utcnow())
    )


def revoke_session(session: Session, *, key: str) -> None:
    """Sign one browser out."""
    session.exec(
        update(AuthSession)
        .where(col(AuthSession.key_hash) == key_hash(key), col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    mark_access_changed(session)


def revoke_session_by_id(session: Session, *, user_id: int, session_id: int) -> None:
    """Sign out one of a member's sessions, chosen from their list; others' are NotFound."""
    row = session.get(AuthSession, session_id)
    if row is None or row.user_id != user_id:
        raise NotFound(str(session_id))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        mark_access_changed(session)


def revoke_all_sessions(session: Session, *, user_id: int, keep: str | None = None) -> int:
    """Sign a member out everywhere (except, optionally, the current browser)."""
    query = update(AuthSession).where(
        col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None)
    )
    if keep:
        query = query.where(col(AuthSession.key_hash) != key_hash(keep))
    result = session.exec(query.values(revoked_at=utcnow()))
    mark_access_changed(session)
    return int(result.rowcount or 0)


def active_sessions(session: Session, *, user_id: int) -> list[AuthSession]:
    """A member's open sessions, most recent first."""
    query = (
        select(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.expires_at) > utcnow(),
        )
        .order_by(col(AuthSession.last_seen_at).desc())
    )
    return list(session.exec(query).all())
