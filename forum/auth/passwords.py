"""Password hashing (argon2id through the passlib API) off the event loop, and strength rules."""

from functools import cache
from pathlib import Path

import anyio
import anyio.to_thread
from passlib.context import CryptContext

from forum.i18n import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 1024
COMMON_PASSWORDS_FILE = Path(__file__).parent / "common-passwords.txt"

# argon2id for new hashes; bcrypt only to verify hashes brought in from elsewhere.
_context = CryptContext(schemes=["argon2", "bcrypt"], deprecated="auto")
# Each argon2 hash takes ~64 MiB and ~0.2 s: a cap keeps a burst of sign-ins from
# exhausting memory or the thread pool.
_limiter: anyio.CapacityLimiter | None = None

# A hash of a random string, verified when the login is unknown so that an unknown
# login and a wrong password take about the same time.
_DUMMY_HASH = _context.hash("pas-un-vrai-mot-de-passe-0f3c9a")


def _hash_limiter() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(2)
    return _limiter


def hash_password_sync(password: str) -> str:
    """Hash a password (blocking; for the CLI and tests)."""
    return str(_context.hash(password))


def verify_password_sync(password: str, password_hash: str | None) -> bool:
    """Check a password against a stored hash (blocking); None hashes never match."""
    if not password_hash or len(password) > MAX_LENGTH:
        _context.verify("x", _DUMMY_HASH)
        return False
    try:
        return bool(_context.verify(password, password_hash))
    except (ValueError, TypeError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True for hashes made with an older scheme or weaker parameters (e.g. bcrypt)."""
    return bool(_context.needs_update(password_hash))


async def hash_password(password: str) -> str:
    """Hash a password on a worker thread."""
    return await anyio.to_thread.run_sync(hash_password_sync, password, limiter=_hash_limiter())


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Verify a password on a worker thread."""
    return await anyio.to_thread.run_sync(
        verify_password_sync, password, password_hash, limiter=_hash_limiter()
    )


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, *, login: str = "") -> str | None:
    """A translated reason why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Le mot de passe doit contenir au moins %(min)s caractères.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Le mot de passe est trop long (%(max)s caractères au plus).", max=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords():
        return _("Ce mot de passe est trop courant : choisissez-en un autre.")
    login = login.strip().lower()
    # The login itself, or the login without its suffix ("amina" for "amina.copcm").
    if login and (lowered == login or login.startswith(lowered + ".")):
        return _("Le mot de passe ne doit pas être votre identifiant.")
    return None
