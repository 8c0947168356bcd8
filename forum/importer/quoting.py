"""A mail body split into what the sender wrote and the quoted history below it.

The history is kept (nothing is lost) but stored apart so that pages fold it. Recognised:
"Le … a écrit :", "On … wrote:", Outlook's "De : … Envoyé : …" / "From: … Sent: …" blocks,
"-----Message d'origine-----" separators, and a trailing block of `>` lines. Quotes
interleaved with answers stay in the body: they are part of what the sender wrote.
"""

import re

_ATTRIBUTION = re.compile(
    r"^\s*(?:le\s.{3,200}?\sa\s+écrit|on\s.{3,200}?\swrote|am\s.{3,200}?\sschrieb"
    r"|el\s.{3,200}?\sescribió)\s*:\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:message d'origine|original message|mail original|message transféré"
    r"|forwarded message|message initial)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\**(?:de|from)\s*:\**\s*\S", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(
    r"^\s*\**(?:envoyé|sent|date|à|to|objet|subject)\s*:\**\s*\S", re.IGNORECASE
)
_QUOTE_LINE = re.compile(r"^\s*>")


def _attribution_at(lines: list[str], index: int) -> bool:
    """An attribution line, possibly wrapped over two lines by the sender's mailer."""
    line = lines[index]
    if _ATTRIBUTION.match(line):
        return True
    if index + 1 < len(lines) and re.match(r"^\s*(le|on)\s", line, re.IGNORECASE):
        return bool(_ATTRIBUTION.match(line.rstrip() + " " + lines[index + 1].strip()))
    return False


def _outlook_header_at(lines: list[str], index: int) -> bool:
    """A "De : …" line followed within four lines by "Envoyé : …" (or To/Subject)."""
    if not _OUTLOOK_FROM.match(lines[index]):
        return False
    following = lines[index + 1 : index + 5]
    return sum(1 for line in following if _OUTLOOK_SENT.match(line)) >= 2


def _trailing_quote_start(lines: list[str]) -> int | None:
    """Where a block of `>` lines that runs to the end of the message begins."""
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and (_QUOTE_LINE.match(lines[start - 1]) or not lines[start - 1].strip()):
        start -= 1
    while start < end and not lines[start].strip():
        start += 1
    if start >= end or not any(line.strip() for line in lines[:start]):
        return None  # nothing quoted, or the whole message is a quotation: keep it whole
    return start


def split_quoted(text: str) -> tuple[str, str]:
    """(what the sender wrote, the quoted history); the history may be ""."""
    lines = text.split("\n")
    for index in range(len(lines)):
        if (
            _attribution_at(lines, index)
            or _SEPARATOR.match(lines[index])
            or _outlook_header_at(lines, index)
        ):
            if not any(line.strip() for line in lines[:index]):
                break  # a message that is only a forward: its content is the content
            return "\n".join(lines[:index]).rstrip(), "\n".join(lines[index:]).strip("\n")
    start = _trailing_quote_start(lines)
    if start is None:
        return text, ""
    return "\n".join(lines[:start]).rstrip(), "\n".join(lines[start:]).strip("\n")
