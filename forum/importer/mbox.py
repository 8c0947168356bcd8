"""Mailbox files split into raw messages, streaming: mbox (plain or gzipped, LF or CRLF,
`>From` unescaped), the mbox files inside a Google Takeout or Groups.io zip, .eml folders.

Python's `mailbox.mbox` first scans the whole file for a table of contents, treats any
line starting with "From " as a separator, and leaves `>From` escaped; this reader reads
line by line, splits only on a From_ line after a blank line (or one that looks like an
envelope), and gives each message its envelope date.
"""

import gzip
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, cast

_ENVELOPE_DATE = re.compile(
    rb"(?:\w{3} )?(\w{3}) +(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})(?: [A-Z]{3,4})? (\d{4})\s*$"
)
_LOOKS_LIKE_ENVELOPE = re.compile(rb"^From \S.*\d{1,2}:\d{2}.*\d{4}\s*$")
_ESCAPED_FROM = re.compile(rb"^>(>*From )")
_MONTHS = {
    m: i for i, m in enumerate(b"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)
}


@dataclass(frozen=True)
class RawMessage:
    """A message's bytes, where they came from, and the envelope's date when there is one."""

    data: bytes
    source: str
    envelope_date: datetime | None = None
    hint: str = ""  # a thread the archive knew (Yahoo's topicId)


def envelope_date(line: bytes) -> datetime | None:
    """The date of an mbox From_ line ("From a@b Mon Jan  3 10:00:00 2005"), in UTC."""
    match = _ENVELOPE_DATE.search(line)
    if not match or match.group(1) not in _MONTHS:
        return None
    try:
        return datetime(
            int(match.group(6)),
            _MONTHS[match.group(1)],
            int(match.group(2)),
            int(match.group(3)),
            int(match.group(4)),
            int(match.group(5)),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def open_maybe_gzip(path: Path) -> IO[bytes]:
    """A binary stream of a file, gunzipped when it is gzip (by content, not by name)."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return cast(IO[bytes], gzip.open(path, "rb")) if gzipped else path.open("rb")


def split_mbox(stream: IO[bytes], name: str) -> Iterator[RawMessage]:
    """The messages of an mbox stream, one at a time."""
    lines: list[bytes] = []
    envelope: datetime | None = None
    previous_blank = True
    number = 0
    for line in stream:
        if line.startswith(b"From ") and (previous_blank or _LOOKS_LIKE_ENVELOPE.match(line)):
            if lines:
                number += 1
                yield RawMessage(_joined(lines), f"{name}#{number}", envelope)
            lines = []
            envelope = envelope_date(line.rstrip(b"\r\n"))
            previous_blank = False
            continue
        if line.startswith(b">") and _ESCAPED_FROM.match(line):
            line = line[1:]
        lines.append(line)
        previous_blank = not line.strip(b"\r\n")
    if lines and any(line.strip() for line in lines):
        number += 1
        yield RawMessage(_joined(lines), f"{name}#{number}", envelope)


def _joined(lines: list[bytes]) -> bytes:
    while lines and not lines[-1].strip(b"\r\n"):
        lines.pop()  # the blank line that separates messages belongs to the mbox
    return b"".join(lines)


def read_mbox_file(path: Path) -> Iterator[RawMessage]:
    """The messages of an mbox file, gzipped or not."""
    with open_maybe_gzip(path) as stream:
        yield from split_mbox(stream, path.name)


def read_zip_mboxes(path: Path) -> Iterator[RawMessage]:
    """The messages of every .mbox file inside a zip (Google Takeout, Groups.io)."""
    with zipfile.ZipFile(path) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or not info.filename.lower().endswith((".mbox", ".mbox.gz")):
                continue
            with archive.open(info) as member:
                stream: IO[bytes] = member
                if info.filename.lower().endswith(".gz"):
                    stream = cast(IO[bytes], gzip.GzipFile(fileobj=member))
                yield from split_mbox(stream, f"{path.name}:{info.filename}")


def zip_has_mbox(path: Path) -> bool:
    """True for a zip holding at least one mbox file."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.lower().endswith((".mbox", ".mbox.gz")) for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def read_eml(path: Path) -> Iterator[RawMessage]:
    """One .eml file, or every .eml file under a folder (in name order)."""
    files = [path] if path.is_file() else sorted(path.rglob("*.eml"))
    for file in files:
        yield RawMessage(
            file.read_bytes(), str(file.name if file == path else file.relative_to(path))
        )
