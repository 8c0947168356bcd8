"""Reading an archive: which format it is, and its messages as ParsedMessage or ReadProblem.

Every reader yields; one bad message becomes a ReadProblem and the others go on.
"""

import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from forum.importer.mbox import (
    RawMessage,
    open_maybe_gzip,
    read_eml,
    read_mbox_file,
    read_zip_mboxes,
    zip_has_mbox,
)
from forum.importer.message import Flag, ParsedMessage, ReadProblem
from forum.importer.parse import EARLIEST, TextFilter, Unreadable, parse_message
from forum.importer.pipermail import pipermail_file, read_pipermail, scrubbed_attachments
from forum.importer.yahoo import read_yahoo, yahoo_attachments, yahoo_dir

FORMATS = ("mbox", "takeout", "yahoo", "pipermail", "eml", "groupsio")
Item = ParsedMessage | ReadProblem


class UnknownFormat(ValueError):
    """The archive's format could not be recognised, or does not match the one asked for."""


def _starts_like_pipermail(path: Path) -> bool:
    with open_maybe_gzip(path) as stream:
        head = stream.read(4096)
    first = head.split(b"\n", 1)[0]
    return first.startswith(b"From ") and b" at " in first.split(b"  ")[0]


def detect_format(path: Path) -> str:
    """The format of one archive path, from its layout and first bytes."""
    if path.is_dir():
        if yahoo_dir(path):
            return "yahoo"
        if any(path.rglob("*.eml")):
            return "eml"
        if any(p.name.lower().endswith((".txt", ".txt.gz")) for p in path.iterdir()):
            return "pipermail"
        raise UnknownFormat(f"{path.name} : dossier sans archive reconnue")
    if not path.is_file():
        raise UnknownFormat(f"{path} : introuvable")
    name = path.name.lower()
    if zipfile.is_zipfile(path):
        if not zip_has_mbox(path):
            raise UnknownFormat(f"{path.name} : archive zip sans fichier mbox")
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        takeout = any(n.startswith("Takeout/") or "google" in n.lower() for n in names)
        return "takeout" if takeout else "groupsio"
    if name.endswith(".eml"):
        return "eml"
    if pipermail_file(path) and _starts_like_pipermail(path):
        return "pipermail"
    with open_maybe_gzip(path) as stream:
        head = stream.read(65536)
    if head.startswith(b"From "):
        return "takeout" if b"\nX-GM-THRID:" in head else "mbox"
    raise UnknownFormat(f"{path.name} : format non reconnu")


def raw_messages(fmt: str, path: Path) -> Iterator[RawMessage | tuple[str, str]]:
    """The raw messages of one path read as format fmt."""
    if fmt in ("takeout", "groupsio") and zipfile.is_zipfile(path):
        yield from read_zip_mboxes(path)
    elif fmt in ("mbox", "takeout", "groupsio"):
        yield from read_mbox_file(path)
    elif fmt == "pipermail":
        yield from read_pipermail(path)
    elif fmt == "eml":
        yield from read_eml(path)
    elif fmt == "yahoo":
        yield from read_yahoo(path)
    else:
        raise UnknownFormat(f"format inconnu : {fmt}")


def read_path(fmt: str, path: Path, *, now: datetime) -> Iterator[Item]:
    """The parsed messages of one archive path (fmt "auto" recognises it)."""
    if fmt == "auto":
        fmt = detect_format(path)
    text_filter: TextFilter | None = scrubbed_attachments if fmt == "pipermail" else None
    for item in raw_messages(fmt, path):
        if isinstance(item, tuple):
            yield ReadProblem(*item)
            continue
        try:
            message = parse_message(
                item.data,
                source=item.source,
                now=now,
                envelope_date=item.envelope_date,
                text_filter=text_filter,
            )
        except (Unreadable, LookupError, ValueError, UnicodeError, AssertionError) as exc:
            yield ReadProblem(item.source, str(exc) or type(exc).__name__)
            continue
        if item.hint and not message.thread_hint:
            message.thread_hint = item.hint
        if fmt == "yahoo":
            _add_yahoo_attachments(message, path)
        yield message


def _add_yahoo_attachments(message: ParsedMessage, path: Path) -> None:
    known = {a.name for a in message.attachments if not a.missing}
    message.attachments = [a for a in message.attachments if not a.missing or a.name not in known]
    for attachment in yahoo_attachments(path, message.source):
        message.attachments = [a for a in message.attachments if a.name != attachment.name]
        message.attachments.append(attachment)
    message.flags = [
        f for f in message.flags if f not in (Flag.ATTACHMENT_MISSING, Flag.ATTACHMENT_REFUSED)
    ]
    if any(a.missing for a in message.attachments):
        message.flag(Flag.ATTACHMENT_MISSING)
    if any(a.refused for a in message.attachments):
        message.flag(Flag.ATTACHMENT_REFUSED)


def read_archives(
    fmt: str,
    paths: Iterable[Path],
    *,
    now: datetime | None = None,
    on_item: Callable[[Item], None] | None = None,
) -> tuple[list[ParsedMessage], list[ReadProblem]]:
    """Every message of every path, dates repaired from neighbours."""
    moment = now or datetime.now(UTC)
    messages: list[ParsedMessage] = []
    problems: list[ReadProblem] = []
    for path in paths:
        for item in read_path(fmt, path, now=moment):
            if on_item is not None:
                on_item(item)
            if isinstance(item, ReadProblem):
                problems.append(item)
            else:
                messages.append(item)
    repair_dates(messages)
    return messages, problems


def repair_dates(messages: list[ParsedMessage]) -> None:
    """Messages with no usable date nor envelope take their neighbour's (archive order)."""
    last: datetime | None = None
    pending: list[ParsedMessage] = []
    for message in messages:
        if message.date == EARLIEST and Flag.DATE_REPAIRED in message.flags:
            if last is not None:
                message.date = last
            else:
                pending.append(message)
            continue
        last = message.date
        for waiting in pending:
            waiting.date = message.date
        pending = []
