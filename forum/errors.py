"""Domain errors raised by services and access rules, mapped to responses once in the app.

ForumError
├── NotFound          missing *or* hidden: the caller can't tell which (404)
├── PermissionDenied  visible but not allowed, e.g. posting in a read-only board (403)
├── InvalidInput      a form or payload with wrong fields; carries per-field messages (400/422)
├── Conflict          the request clashes with existing state, e.g. a login taken (409)
└── RateLimited       too many attempts; retry later (429)
"""

from collections.abc import Callable
from typing import TypeVar, cast

T = TypeVar("T")


class ForumError(Exception):
    """Base of every error a service may raise on purpose."""


class NotFound(ForumError):
    """The thing does not exist, or the actor may not know that it does."""


class PermissionDenied(ForumError):
    """The actor sees the thing but may not do this to it."""


class InvalidInput(ForumError):
    """One or more fields are wrong; `errors` maps field names to translated messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Conflict(ForumError):
    """The change clashes with what exists; `field` names the culprit when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RateLimited(ForumError):
    """Too many attempts in the current window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class FieldErrors:
    """Collects per-field InvalidInput errors so that a form reports them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, clean: Callable[[], T]) -> T:
        """Run one field's check; on failure record its message and return a placeholder."""
        try:
            return clean()
        except InvalidInput as exc:
            self.errors.update(exc.errors)
            return cast(T, None)

    def add(self, field: str, message: str) -> None:
        """Record a problem found by other means."""
        self.errors.setdefault(field, message)

    def raise_if_any(self) -> None:
        """Raise InvalidInput with every recorded problem."""
        if self.errors:
            raise InvalidInput(self.errors)
