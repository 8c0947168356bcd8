"""Cleaning free-text form fields: trimming, line endings, control characters, length limits."""

import re

from forum.errors import InvalidInput
from forum.i18n import gettext as _

# C0 controls except tab and newline, DEL, C1 controls: never meant in a form, and NUL is
# refused outright by PostgreSQL.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def too_long(field: str, limit: int) -> InvalidInput:
    """The error for a text longer than its column."""
    return InvalidInput(
        {field: _("Ce texte est trop long (%(limit)s caractères au plus).", limit=limit)}
    )


def clean_line(raw: str, *, field: str, limit: int) -> str:
    """A one-line value: whitespace collapsed, control characters removed, at most `limit`."""
    text = " ".join(CONTROL_RE.sub(" ", raw).split())
    if len(text) > limit:
        raise too_long(field, limit)
    return text


def clean_text(raw: str, *, field: str, limit: int) -> str:
    """A multi-line value: \\n line endings, trailing spaces and blank runs trimmed."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_RE.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(text) > limit:
        raise too_long(field, limit)
    return text
