"""Attachments of imported mail: which are refused, and the seam to the board's file library.

Until the file library (forum/files, issue 4) exists, `PendingAttachments` publishes
nothing: each attachment stays inside the raw message, and its description (name, type,
size, sha256, status "pending") goes into the provenance row (imported_messages.attachments).
When files land, implement `AttachmentSink` on the upload pipeline (forum.files.intake's
prepare_file for `prepare`, the file service's record-and-link for `record`) and pass it
as `ImportOptions(sink=...)`.
"""

from datetime import datetime
from pathlib import PurePosixPath
from typing import Protocol

from sqlmodel import Session

REFUSED_EXTENSIONS = {
    ".vcf": "vcard",
    ".vcard": "vcard",
    ".dat": "tnef",  # winmail.dat: Outlook's private wrapper
    ".exe": "executable",
    ".com": "executable",
    ".bat": "executable",
    ".cmd": "executable",
    ".scr": "executable",
    ".pif": "executable",
    ".msi": "executable",
    ".vbs": "executable",
    ".js": "executable",
    ".jar": "executable",
    ".dll": "executable",
    ".ps1": "executable",
    ".lnk": "executable",
    ".apk": "executable",
}
REFUSED_TYPES = {
    "text/vcard": "vcard",
    "text/x-vcard": "vcard",
    "text/directory": "vcard",
    "application/ms-tnef": "tnef",
    "application/vnd.ms-tnef": "tnef",
    "application/x-msdownload": "executable",
    "application/x-msdos-program": "executable",
    "application/x-executable": "executable",
}
# Magic numbers of the formats an association shares; anything binary and not here is refused.
KNOWN_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"PK\x03\x04",  # zip, and the Office/OpenDocument formats inside one
    b"\xd0\xcf\x11\xe0",  # Office 97-2003 (doc, xls, ppt)
    b"{\\rtf",
    b"RIFF",  # webp, wav, avi
    b"ID3",
    b"\xff\xfb",
    b"OggS",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"fLaC",
)
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


def _is_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start > len(sample) - 4 or all(b >= 0x20 or b in b"\t\r\n" for b in sample)


def refusal(name: str, content_type: str, data: bytes) -> str:
    """Why an attachment may not be published ("" when it may): vcard, tnef, executable,
    unknown. A missing attachment (no bytes) is not refused, it is missing."""
    lowered = name.lower()
    suffix = PurePosixPath(lowered).suffix
    if lowered == "winmail.dat" or content_type in REFUSED_TYPES:
        return REFUSED_TYPES.get(content_type, "tnef")
    if suffix in REFUSED_EXTENSIONS and (suffix != ".dat" or lowered.startswith("winmail")):
        return REFUSED_EXTENSIONS[suffix]
    if not data:
        return ""
    if data.startswith(EXECUTABLE_MAGIC):
        return "executable"
    if data.startswith(KNOWN_MAGIC) or (data[4:8] in (b"ftyp",)) or _is_text(data):
        return ""
    return "unknown"


class AttachmentSink(Protocol):
    """Where an imported attachment goes: the board's file library, once it exists.

    Two steps, like an upload: `prepare` runs outside any transaction (sniffing, size
    limits, thumbnails, blobs written to storage); `record` runs inside the batch's
    transaction (the file row, deduplicated in the board's library, linked to the post).
    """

    def prepare(self, *, name: str, content_type: str, data: bytes) -> object | None:
        """Check and store the bytes; None keeps the attachment pending. Raise
        forum.errors.InvalidInput to refuse it (it stays in the raw message, flagged)."""
        ...

    def record(
        self,
        session: Session,
        prepared: object,
        *,
        board_id: int,
        post_id: int,
        author_id: int,
        created_at: datetime,
    ) -> int:
        """Record a prepared file in the board's library, linked to the post; its id."""
        ...


class PendingAttachments:
    """The sink used while the file library does not exist: nothing is published."""

    def prepare(self, *, name: str, content_type: str, data: bytes) -> object | None:
        """Keep the attachment pending (its bytes stay in the stored raw message)."""
        return None

    def record(
        self,
        session: Session,
        prepared: object,
        *,
        board_id: int,
        post_id: int,
        author_id: int,
        created_at: datetime,
    ) -> int:
        """Never called: prepare() keeps everything pending."""
        raise AssertionError("PendingAttachments prepares nothing")
