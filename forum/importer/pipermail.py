"""Mailman 2 (pipermail) monthly archives: mbox files (.txt or .txt.gz) whose senders are
written "user at example.org" and whose attachments were replaced by "scrubbed" notices;
their 8-bit bodies declare no charset (parse decodes them UTF-8 first, then windows-1252).
"""

import re
from collections.abc import Iterator
from pathlib import Path

from forum.importer.mbox import RawMessage, read_mbox_file
from forum.importer.message import Attachment

_SCRUBBED = re.compile(
    r"-{5,} (?:next part|section suivante) -{5,}\n"
    r"(?P<kind>An? (?:non-text|HTML) attachment was scrubbed\.\.\.|"
    r"Une pièce jointe (?:non texte|HTML) a été nettoyée\.\.\.)\n"
    r"(?P<fields>(?:[A-Za-zé ]+ ?: .*\n?)*)",
)


def pipermail_file(path: Path) -> bool:
    """True for a pipermail monthly archive (.txt or .txt.gz whose senders use " at ")."""
    name = path.name.lower()
    return path.is_file() and (name.endswith(".txt") or name.endswith(".txt.gz"))


def read_pipermail(path: Path) -> Iterator[RawMessage]:
    """The messages of one pipermail archive, or of every one in a folder (in name order)."""
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.iterdir() if p.name.lower().endswith((".txt", ".txt.gz")))
    )
    for file in files:
        yield from read_mbox_file(file)


def scrubbed_attachments(text: str) -> tuple[str, list[Attachment]]:
    """Pipermail's "attachment was scrubbed" notices: removed from the text, each non-text
    one named as a missing attachment (the HTML alternative is not a loss)."""
    found: list[Attachment] = []

    def replace(match: re.Match[str]) -> str:
        if "HTML" in match.group("kind"):
            return ""
        fields: dict[str, str] = {}
        for line in match.group("fields").splitlines():
            key, _sep, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        name = fields.get("name") or fields.get("nom") or "piece-jointe"
        found.append(Attachment(name, fields.get("type", "application/octet-stream")))
        return ""

    return _SCRUBBED.sub(replace, text).rstrip(), found
