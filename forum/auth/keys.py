"""Random keys for sessions, tokens and one-time links, and how they are hashed for storage."""

import hashlib
import secrets

TOKEN_PREFIX = "fpat_"


def new_key(nbytes: int = 32) -> str:
    """A random URL-safe key."""
    return secrets.token_urlsafe(nbytes)


def new_access_token() -> str:
    """A personal access token; the prefix makes leaked tokens easy to recognise."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """SHA-256 of a high-entropy key: what the database keeps instead of the key."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return secrets.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )
