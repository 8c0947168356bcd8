"""Folders written by yahoo-group-archiver.

`email/<id>_raw.json` holds "rawEmail", HTML-escaped, with addresses redacted to
`name@...`; `email/<id>.json` holds Yahoo's own thread ("topicId") and the attachments
list; attachment bytes were saved beside them as `email/<id>-<filename>`, and Yahoo
stripped them from the raw message. files/ and photos/ are the group's library: they are
for `forum import files`, once the file library exists.
"""

import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forum.importer.attachments import refusal
from forum.importer.mbox import RawMessage
from forum.importer.message import Attachment


def yahoo_dir(path: Path) -> bool:
    """True for a yahoo-group-archiver folder (or its email/ subfolder)."""
    folder = path / "email" if (path / "email").is_dir() else path
    return path.is_dir() and any(folder.glob("*_raw.json"))


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _message_number(path: Path) -> int:
    stem = path.name.removesuffix("_raw.json")
    return int(stem) if stem.isdigit() else 0


def read_yahoo(path: Path) -> Iterator[RawMessage | tuple[str, str]]:
    """Raw messages of a yahoo-group-archiver folder; (source, reason) for unreadable files."""
    folder = path / "email" if (path / "email").is_dir() else path
    for raw_file in sorted(folder.glob("*_raw.json"), key=_message_number):
        source = f"email/{raw_file.name}"
        data = _load_json(raw_file)
        raw_email = data.get("rawEmail") if isinstance(data, dict) else None
        if not isinstance(raw_email, str) or not raw_email.strip():
            yield source, "fichier JSON illisible ou sans rawEmail"
            continue
        number = raw_file.name.removesuffix("_raw.json")
        details = _load_json(folder / f"{number}.json")
        details = details if isinstance(details, dict) else {}
        if isinstance(details.get("ygData"), dict):
            details = details["ygData"]
        topic = details.get("topicId", data.get("topicId", ""))
        raw = html.unescape(raw_email).encode("utf-8", "surrogateescape")
        yield RawMessage(raw, source, hint=f"yahoo-topic-{topic}" if topic else "")


def yahoo_attachments(path: Path, source: str) -> list[Attachment]:
    """The attachments Yahoo listed for a message: bytes from disk, or missing."""
    folder = path / "email" if (path / "email").is_dir() else path
    number = Path(source).name.removesuffix("_raw.json")
    details = _load_json(folder / f"{number}.json")
    if isinstance(details, dict) and isinstance(details.get("ygData"), dict):
        details = details["ygData"]
    listed = details.get("attachments") if isinstance(details, dict) else None
    found: list[Attachment] = []
    for entry in listed if isinstance(listed, list) else []:
        if not isinstance(entry, dict) or not entry.get("filename"):
            continue
        name = Path(html.unescape(str(entry["filename"]))).name
        content_type = str(entry.get("fileType") or entry.get("mimeType") or "")
        file = folder / f"{number}-{name}"
        data = file.read_bytes() if file.is_file() else b""
        content_type = content_type or "application/octet-stream"
        found.append(Attachment(name, content_type, data, refusal(name, content_type, data)))
    return found
