"""What every archive reader yields: a parsed message, its attachments, its repair flags."""

import enum
import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import datetime


class Flag(enum.StrEnum):
    """A repair or a loss the importer made or met; each one is kept with the post."""

    CHARSET_REDECODED = "charset_redecoded"  # the declared charset was wrong or missing
    ADDRESS_REDACTED = "address_redacted"  # the archive hid the sender's address
    DATE_REPAIRED = "date_repaired"  # missing or impossible date, taken from elsewhere
    ATTACHMENT_MISSING = "attachment_missing"  # named in the message, bytes not in the archive
    BODY_TRUNCATED = "body_truncated"  # the archive cut the message short
    PARENT_MISSING = "parent_missing"  # replied to a message the archive does not hold
    ATTACHMENT_REFUSED = "attachment_refused"  # vCard, TNEF, executable, unknown binary


@dataclass(frozen=True)
class Attachment:
    """A file carried by a message; data is empty when the archive lost it."""

    name: str
    content_type: str
    data: bytes = b""
    refused: str = ""  # why it is not published ("" when it may be)

    @property
    def missing(self) -> bool:
        """True when the archive names the file but does not hold its bytes."""
        return not self.data

    def describe(self) -> dict[str, object]:
        """Its provenance entry (without the bytes)."""
        entry: dict[str, object] = {
            "name": self.name,
            "content_type": self.content_type,
            "size": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest() if self.data else "",
        }
        if self.refused:
            entry["refused"] = self.refused
        return entry


@dataclass
class ParsedMessage:
    """One message of an archive, decoded and ready to be threaded and loaded.

    message_id is the Message-ID without angle brackets, or a stable synthetic id
    ("synthetic-<hash>@import") computed from the headers and body. body is Markdown
    without the quoted history, which is kept apart in quoted (also Markdown).
    """

    message_id: str
    subject: str
    sender_name: str
    sender_address: str  # normalised (lower case); "" when unknown; may be "name@..."
    date: datetime  # UTC
    utc_offset_minutes: int  # the offset the sender's clock showed
    body: str
    quoted: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    thread_hint: str = ""  # X-GM-THRID, Yahoo's topicId: a thread the archive knew
    attachments: list[Attachment] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    source: str = ""  # where in the archive: "archive.mbox#12", "email/12_raw.json"
    raw_compressed: bytes = b""

    @property
    def raw(self) -> bytes:
        """The original message, byte for byte as the archive held it."""
        return zlib.decompress(self.raw_compressed) if self.raw_compressed else b""

    def flag(self, flag: Flag) -> None:
        """Record a repair once."""
        if flag not in self.flags:
            self.flags.append(flag)


@dataclass(frozen=True)
class ReadProblem:
    """A message nothing readable could be kept of: it becomes a failure of the report."""

    source: str
    reason: str


def compress_raw(raw: bytes) -> bytes:
    """The raw message as stored (zlib level 1: fast, and mail still shrinks about 3 times)."""
    return zlib.compress(raw, 1)


def synthetic_id(headers: bytes, body: bytes) -> str:
    """A Message-ID for a message that has none: the same message always gets the same one."""
    digest = hashlib.sha256(headers.strip() + b"\n\n" + body.strip()).hexdigest()[:32]
    return f"synthetic-{digest}@import"
