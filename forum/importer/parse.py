"""One raw RFC 822 message turned into a ParsedMessage, repairing what can be repaired.

Parsing uses the compat32 policy (lazy, fast, tolerant) and decodes headers and bodies
here, so that every guess is ours to flag: charsets, dates, redacted addresses.
"""

import email.errors
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import parseaddr, parsedate_tz

from forum.importer.attachments import refusal
from forum.importer.charsets import decode_declared, header_text
from forum.importer.html_markdown import html_to_markdown
from forum.importer.message import (
    Attachment,
    Flag,
    ParsedMessage,
    compress_raw,
    synthetic_id,
)
from forum.importer.quoting import split_quoted

EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)
PLAUSIBLE_FUTURE = timedelta(days=2)
_ID = re.compile(r"<([^<>\s]+)>")
# Control characters other than tab and newline, as forum.services.topics strips them:
# invisible, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_PIPERMAIL_ADDRESS = re.compile(r"^\s*([^\s@]+)\s+at\s+([^\s@]+\.[^\s@]+)\s*$")
_SETEXT = re.compile(r"^(\s*)([=-]{2,}|#)", re.MULTILINE)
_TRUNCATION_DEFECTS = (
    email.errors.CloseBoundaryNotFoundDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.InvalidBase64PaddingDefect,
    email.errors.InvalidBase64LengthDefect,
)

# Turns a text part into (text, attachments named in it); e.g. pipermail's scrub notices.
TextFilter = Callable[[str], tuple[str, list[Attachment]]]


class Unreadable(ValueError):
    """Nothing readable can be kept of a message."""


def parse_bytes(raw: bytes) -> Message:
    """The message tree, leniently (compat32 never raises on malformed mail)."""
    return BytesParser(policy=compat32).parsebytes(raw)


def message_ids(value: str | None) -> list[str]:
    """The <ids> of a Message-ID, In-Reply-To or References header, in order."""
    if not value:
        return []
    found = _ID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]  # an id written without its angle brackets
    return found


def sender(value: str | None) -> tuple[str, str, bool, bool]:
    """(name, address, redacted, redecoded) from a From header."""
    text, redecoded = header_text(value)
    name, address = parseaddr(text)
    if not address and text:
        address = text
    pipermail = _PIPERMAIL_ADDRESS.match(address)
    if pipermail:  # Mailman's "user at example.org"
        address = f"{pipermail.group(1)}@{pipermail.group(2)}"
    address = address.strip().lower()
    redacted = "..." in address or address.endswith("@")
    if "@" not in address and not redacted:
        address = ""
    if not name:
        name = address.split("@")[0] if address else ""
    return " ".join(name.strip("\"' ").split()), address, redacted, redecoded


def parse_date(value: str | None, now: datetime) -> tuple[datetime, int] | None:
    """(UTC date, original offset in minutes) of a Date header, or None when impossible."""
    if not value:
        return None
    try:
        parts = parsedate_tz(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parts is None:
        return None
    offset = parts[9] or 0
    try:
        local = datetime(*parts[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
    moment = local - timedelta(seconds=offset)
    if not EARLIEST <= moment <= now + PLAUSIBLE_FUTURE or abs(offset) > 14 * 3600:
        return None
    return moment, offset // 60


def received_date(message: Message, now: datetime) -> datetime | None:
    """The date the first mail server stamped (the last Received header), if readable."""
    for header in reversed(message.get_all("Received") or []):
        _sep, _semicolon, stamp = str(header).rpartition(";")
        found = parse_date(stamp, now)
        if found:
            return found[0]
    return None


def plain_to_markdown(text: str) -> str:
    """Plain mail text as Markdown that shows it as written (signature dashes stay dashes)."""
    return _SETEXT.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def unflow(text: str, delsp: bool) -> str:
    """Undo format=flowed soft line breaks (RFC 3676), signature separator excepted."""
    out: list[str] = []
    carry = ""
    for line in text.split("\n"):
        if line.endswith(" ") and line != "-- " and not line.startswith(">"):
            carry += line[:-1] if delsp else line
            continue
        out.append(carry + line)
        carry = ""
    if carry:
        out.append(carry)
    return "\n".join(out)


RAW_NAME = re.compile(r'(?:file)?name\*?=("?)([^";\r\n]+)\1', re.IGNORECASE)


def _filename(part: Message) -> str:
    raw_name = part.get_filename()
    if raw_name is None:
        raw_name = part.get_param("name")  # type: ignore[assignment]
        if isinstance(raw_name, tuple):
            raw_name = raw_name[2]
    text, _redecoded = header_text(str(raw_name) if raw_name else "")
    if "\ufffd" in text:
        # An undeclared 8-bit name, which the parser decoded lossily: read the raw header.
        raw_headers = {k.lower(): v for k, v in part.raw_items()}
        for header in ("content-disposition", "content-type"):
            found = RAW_NAME.search(str(raw_headers.get(header, "")))
            if found:
                text, _redecoded = header_text(found.group(2))
                break
    return text.replace("/", "_").replace("\\", "_").strip()


def _text_of(part: Message) -> tuple[str, bool]:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return "", False
    text, redecoded = decode_declared(data, part.get_content_charset())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    flowed = "flowed" in str(part.get("Content-Type", "")).lower()
    if flowed and part.get_content_subtype() == "plain" and part.get_param("format") == "flowed":
        text = unflow(text, str(part.get_param("delsp", "no")).lower() == "yes")
    return text, redecoded


class _Body:
    """What the walk over a message's parts collects."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.redecoded = False
        self.truncated = False


def _walk(message: Message, text_filter: TextFilter | None) -> _Body:
    body = _Body()
    alternatives_with_plain: set[int] = set()
    for part in message.walk():
        if any(isinstance(d, _TRUNCATION_DEFECTS) for d in part.defects):
            body.truncated = True
        if part.get_content_type() == "multipart/alternative":
            payload = part.get_payload()
            if isinstance(payload, list) and any(
                isinstance(p, Message) and p.get_content_type() == "text/plain" for p in payload
            ):
                alternatives_with_plain.update(id(p) for p in payload)
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        maintype, _slash, subtype = content_type.partition("/")
        # Reading parameters is slow in compat32: only parts that may be files are asked.
        disposition = part.get("Content-Disposition")
        may_be_file = (
            disposition is not None
            or maintype != "text"
            or "name" in str(part.get("Content-Type", ""))
        )
        name = _filename(part) if may_be_file else ""
        attached = (disposition is not None and part.get_content_disposition() == "attachment") or (
            name and maintype != "text"
        )
        if maintype == "text" and not attached and subtype in ("plain", "html"):
            text, redecoded = _text_of(part)
            body.redecoded = body.redecoded or redecoded
            if subtype == "plain":
                if text_filter is not None:
                    text, named = text_filter(text)
                    body.attachments.extend(named)
                body.plain.append(text)
            elif id(part) not in alternatives_with_plain:
                body.html.append(text)
            continue
        if maintype == "multipart" or content_type == "message/rfc822":
            continue
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        name = name or f"piece-jointe-{len(body.attachments) + 1}"
        body.attachments.append(
            Attachment(name, content_type, data, refusal(name, content_type, data))
        )
    return body


def parse_message(
    raw: bytes,
    *,
    source: str,
    now: datetime,
    envelope_date: datetime | None = None,
    text_filter: TextFilter | None = None,
) -> ParsedMessage:
    """Parse one message; repairs are flagged, Unreadable when nothing can be kept."""
    if not raw.strip():
        raise Unreadable("message vide")
    message = parse_bytes(raw)
    flags: list[Flag] = []
    subject, subject_redecoded = header_text(message.get("Subject"))
    name, address, redacted, name_redecoded = sender(message.get("From"))
    collected = _walk(message, text_filter)
    if collected.plain:
        text = plain_to_markdown("\n\n".join(t.strip("\n") for t in collected.plain))
    else:
        text = "\n\n".join(html_to_markdown(h) for h in collected.html)
    main, quoted = split_quoted(text.strip("\n"))
    if not main.strip() and not quoted.strip() and not collected.attachments and not subject:
        raise Unreadable("ni objet, ni texte, ni pièce jointe")
    if subject_redecoded or name_redecoded or collected.redecoded:
        flags.append(Flag.CHARSET_REDECODED)
    if redacted:
        flags.append(Flag.ADDRESS_REDACTED)
    if collected.truncated:
        flags.append(Flag.BODY_TRUNCATED)
    if any(a.missing for a in collected.attachments):
        flags.append(Flag.ATTACHMENT_MISSING)
    if any(a.refused for a in collected.attachments):
        flags.append(Flag.ATTACHMENT_REFUSED)
    dated = parse_date(message.get("Date"), now)
    if dated is None:
        flags.append(Flag.DATE_REPAIRED)
        repaired = envelope_date or received_date(message, now)
        # No envelope either: a neighbour's date is filled in later (read.repair_dates).
        dated = (repaired or EARLIEST, 0)
    ids = message_ids(message.get("Message-ID"))
    if ids:
        message_id = ids[0]
    else:
        headers = "\n".join(str(message.get(h, "")) for h in ("From", "Date", "Subject"))
        message_id = synthetic_id(headers.encode("utf-8", "surrogateescape"), text.encode())
    parents = message_ids(message.get("In-Reply-To"))
    return ParsedMessage(
        message_id=_CONTROL.sub("", message_id)[:900],
        subject=_CONTROL.sub("", subject),
        sender_name=_CONTROL.sub("", name),
        sender_address=_CONTROL.sub("", address),
        date=dated[0],
        utc_offset_minutes=dated[1],
        body=_CONTROL.sub("", main),
        quoted=_CONTROL.sub("", quoted),
        in_reply_to=_CONTROL.sub("", parents[-1]) if parents else "",
        references=[_CONTROL.sub("", r) for r in message_ids(message.get("References"))],
        thread_hint=str(message.get("X-GM-THRID", "") or "").strip(),
        attachments=collected.attachments,
        flags=flags,
        source=source,
        raw_compressed=compress_raw(raw),
    )
