"""Personal access tokens for scripts: create (shown once), resolve, revoke."""

from datetime import timedelta

from sqlmodel import Session, col, select, update

from forum.auth.keys import TOKEN_PREFIX, key_hash, new_access_token
from forum.db import mark_access_changed
from forum.errors import InvalidInput, NotFound
from forum.i18n import gettext as _
from forum.models import AccessToken, User, utcnow

TOUCH_INTERVAL = timedelta(minutes=5)


def create_token(session: Session, *, user_id: int, name: str = "") -> tuple[str, AccessToken]:
    """Create a token for a member; the clear token is returned once and never stored."""
    name = " ".join(name.split())
    if len(name) > 120:
        raise InvalidInput({"name": _("Le nom est trop long (120 caractères au plus).")})
    if session.get(User, user_id) is None:
        raise NotFound(str(user_id))
    token = new_access_token()
    row = AccessToken(
        user_id=user_id,
        name=name,
        token_hash=key_hash(token),
        prefix=token[: len(TOKEN_PREFIX) + 4],
    )
    session.add(row)
    session.flush()
    return token, row


def resolve_token(session: Session, *, token: str) -> tuple[AccessToken, User] | None:
    """The token row and active member behind a token, or None (read-only)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.exec(select(AccessToken).where(AccessToken.token_hash == key_hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return row, user


def needs_touch(row: AccessToken) -> bool:
    """True when last_used_at is stale enough to be worth a write."""
    return row.last_used_at is None or utcnow() - row.last_used_at > TOUCH_INTERVAL


def touch_token(session: Session, *, token_id: int) -> None:
    """Record that a token was just used."""
    session.exec(
        update(AccessToken).where(col(AccessToken.id) == token_id).values(last_used_at=utcnow())
    )


def revoke_token(session: Session, *, token_id: int, user_id: int | None = None) -> AccessToken:
    """Revoke a token (limited to one member's tokens when user_id is given)."""
    row = session.get(AccessToken, token_id)
    if row is None or (user_id is not None and row.user_id != user_id):
        raise NotFound(str(token_id))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        mark_access_changed(session)
    return row


def list_tokens(session: Session, *, user_id: int) -> list[AccessToken]:
    """A member's tokens, newest first, revoked ones included."""
    query = (
        select(AccessToken)
        .where(AccessToken.user_id == user_id)
        .order_by(col(AccessToken.created_at).desc())
    )
    return list(session.exec(query).all())
