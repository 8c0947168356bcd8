"""Server-side sign-in sessions: start (rotate), resolve, revoke one or all."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select, update

from forum.access import Actor, member_actor
from forum.auth.keys import key_hash, new_key
from forum.db import mark_access_changed
from forum.errors import NotFound
from forum.models import AuthSession, Membership, User, table_of, utcnow
from forum.prepared import Prepared

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


@dataclass(frozen=True)
class LiveSession:
    """A live session and the member behind it, as every request needs them."""

    id: int
    csrf_token: str
    last_seen_at: datetime
    actor: Actor


_SESSIONS = table_of(AuthSession)
_USERS = table_of(User)
_MEMBERSHIPS = table_of(Membership)

# Built once: every signed-in request runs it, and building a statement costs more than
# SQLite takes to answer it. One row per group of the member (one row when in none).
_RESOLVE = Prepared(
    sa_select(
        _SESSIONS.c.id,
        _SESSIONS.c.csrf_token,
        _SESSIONS.c.last_seen_at,
        _SESSIONS.c.expires_at,
        _SESSIONS.c.revoked_at,
        _USERS.c.id,
        _USERS.c.login,
        _USERS.c.display_name,
        _USERS.c.is_admin,
        _USERS.c.is_active,
        _USERS.c.locale,
        _MEMBERSHIPS.c.group_id,
        _MEMBERSHIPS.c.role,
    )
    .select_from(
        _SESSIONS.join(_USERS, _USERS.c.id == _SESSIONS.c.user_id).outerjoin(
            _MEMBERSHIPS, _MEMBERSHIPS.c.user_id == _USERS.c.id
        )
    )
    .where(_SESSIONS.c.key_hash == bindparam("key_hash"))
)


def resolve_session(session: Session, *, key: str) -> LiveSession | None:
    """The live session and active member behind a cookie key, or None (read-only)."""
    rows = _RESOLVE.rows(session, {"key_hash": key_hash(key)})
    if not rows:
        return None
    first = rows[0]
    (session_id, csrf_token, last_seen, expires, revoked, user_id, login, name) = first[:8]
    is_admin, is_active, locale = first[8:11]
    if revoked is not None or expires <= utcnow() or not is_active:
        return None
    roles = {group_id: role for *_rest, group_id, role in rows if group_id is not None}
    actor = member_actor(
        user_id=user_id,
        login=login,
        display_name=name,
        is_admin=is_admin,
        locale=locale,
        roles=roles,
    )
    return LiveSession(id=session_id, csrf_token=csrf_token, last_seen_at=last_seen, actor=actor)


def needs_touch(row: AuthSession | LiveSession) -> bool:
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
