"""Member accounts: logins, profiles, passwords (already hashed), admin flags."""

import re

from sqlmodel import Session, col, func, select

from forum.db import mark_access_changed
from forum.errors import Conflict, FieldErrors, InvalidInput, NotFound
from forum.i18n import LOCALES
from forum.i18n import gettext as _
from forum.models import User

LOGIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$")
EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


def normalize_login(raw: str, suffix: str = "") -> str:
    """Lower-case a login, check its characters and add the site's suffix when missing."""
    login = raw.strip().lower()
    if suffix and not login.endswith(suffix):
        login += suffix
    if not LOGIN_RE.match(login) or ".." in login or len(login) > 64:
        raise InvalidInput(
            {
                "login": _(
                    "L'identifiant ne peut contenir que des lettres sans accent, des chiffres, "
                    "des points et des tirets (64 caractères au plus)."
                )
            }
        )
    return login


def login_candidates(raw: str, suffix: str = "") -> list[str]:
    """The stored logins a typed one may stand for: as typed, and with the suffix added."""
    login = raw.strip().lower()
    candidates = [login]
    if suffix and not login.endswith(suffix):
        candidates.insert(0, login + suffix)
    return candidates


def clean_display_name(raw: str) -> str:
    """Trim a display name; refuse an empty or overlong one."""
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput({"display_name": _("Indiquez un nom.")})
    if len(name) > 120:
        raise InvalidInput({"display_name": _("Le nom est trop long (120 caractères au plus).")})
    return name


def clean_email(raw: str | None) -> str | None:
    """Trim an optional e-mail address; refuse one that can't be an address."""
    email = (raw or "").strip()
    if not email:
        return None
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise InvalidInput({"email": _("Cette adresse électronique n'est pas valide.")})
    return email


def clean_locale(raw: str | None) -> str | None:
    """An empty choice means "follow the browser"; anything else must be a known locale."""
    if not raw:
        return None
    if raw not in LOCALES:
        raise InvalidInput({"locale": _("Langue inconnue.")})
    return raw


def get_user(session: Session, user_id: int) -> User:
    """Fetch an account by id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(str(user_id))
    return user


def get_user_by_login(session: Session, login: str) -> User:
    """Fetch an account by its exact stored login."""
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None:
        raise NotFound(login)
    return user


def find_user_for_sign_in(session: Session, typed_login: str, suffix: str) -> User | None:
    """The account a typed login designates (with or without the suffix), if any."""
    for candidate in login_candidates(typed_login, suffix):
        user = session.exec(select(User).where(User.login == candidate)).first()
        if user is not None:
            return user
    return None


def create_user(
    session: Session,
    *,
    login: str,
    display_name: str,
    email: str | None = None,
    is_admin: bool = False,
    password_hash: str | None = None,
    login_suffix: str = "",
) -> User:
    """Create an account; the login gets the site's suffix."""
    fields = FieldErrors()
    login = fields.check(lambda: normalize_login(login, login_suffix))
    display_name = fields.check(lambda: clean_display_name(display_name))
    email = fields.check(lambda: clean_email(email))
    fields.raise_if_any()
    if session.exec(select(User.id).where(User.login == login)).first() is not None:
        raise Conflict(_("Cet identifiant est déjà pris."), field="login")
    user = User(
        login=login,
        display_name=display_name,
        email=email,
        is_admin=is_admin,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    return user


def update_profile(
    session: Session,
    *,
    user_id: int,
    display_name: str,
    email: str | None,
    locale: str | None,
) -> User:
    """A member changes their own name, address and language."""
    fields = FieldErrors()
    display_name = fields.check(lambda: clean_display_name(display_name))
    email = fields.check(lambda: clean_email(email))
    locale = fields.check(lambda: clean_locale(locale))
    fields.raise_if_any()
    user = get_user(session, user_id)
    user.display_name = display_name
    user.email = email
    user.locale = locale
    session.add(user)
    return user


def set_password_hash(session: Session, *, user_id: int, password_hash: str) -> User:
    """Store a new password hash (the caller hashed it off the event loop)."""
    user = get_user(session, user_id)
    user.password_hash = password_hash
    session.add(user)
    return user


def update_account(
    session: Session,
    *,
    user_id: int,
    display_name: str,
    email: str | None,
    is_admin: bool,
    is_active: bool,
    acting_user_id: int | None = None,
) -> User:
    """An administrator changes an account; nobody may demote or disable themselves."""
    user = get_user(session, user_id)
    fields = FieldErrors()
    display_name = fields.check(lambda: clean_display_name(display_name))
    email = fields.check(lambda: clean_email(email))
    if acting_user_id == user_id and not is_admin:
        fields.add("is_admin", _("Vous ne pouvez pas retirer vos propres droits d'administrateur."))
    if acting_user_id == user_id and not is_active:
        fields.add("is_active", _("Vous ne pouvez pas désactiver votre propre compte."))
    fields.raise_if_any()
    user.display_name = display_name
    user.email = email
    user.is_admin = is_admin
    user.is_active = is_active
    session.add(user)
    mark_access_changed(session)
    return user


def list_users(session: Session) -> list[User]:
    """Every account, by login."""
    return list(session.exec(select(User).order_by(col(User.login))).all())


def admin_exists(session: Session) -> bool:
    """True once at least one active administrator account exists."""
    query = select(func.count()).select_from(User).where(User.is_admin, User.is_active)
    return session.exec(query).one() > 0


def set_locale(session: Session, *, user_id: int, locale: str | None) -> User:
    """Remember a member's interface language."""
    user = get_user(session, user_id)
    user.locale = clean_locale(locale)
    session.add(user)
    return user
