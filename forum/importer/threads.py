"""Threads from parsed messages, in two passes, whatever order the archive holds them in.

Pass one indexes every message by its id. Pass two finds each message's parent: the
In-Reply-To, else the nearest References entry that survives (in this archive or already
imported); when the direct parent is missing the message is flagged parent_missing. A
message with none of those headers joins the thread the archive knew (X-GM-THRID, Yahoo's
topicId), or the earliest message with the same normalised subject when its own subject
says it is a reply (Re:, TR :, AW:…). Everything else starts a topic.
"""

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from forum.importer.message import Flag, ParsedMessage

_PREFIX = re.compile(
    r"^\s*(?:(?:re|r[ée]f|tr|fwd?|aw|sv|wg|rv|antw|vs|réf|ref)\s*(?:\[\d+\]|\(\d+\))?\s*[.]?\s*:"
    r"|\[[^\]]{1,40}\])\s*",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{1,40}\]\s*)*(?:re|r[ée]f|tr|fwd?|aw|sv|wg|rv|antw|vs)\s*(?:\[\d+\])?\s*[.]?\s*:",
    re.IGNORECASE,
)


def normalise_subject(subject: str) -> str:
    """A subject without reply/forward prefixes and list tags, case and accents folded."""
    text = subject
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.split())


def is_reply_subject(subject: str) -> bool:
    """True when a subject says it answers or forwards another (Re:, RE :, TR :, Fwd:…)."""
    return bool(_REPLY_PREFIX.match(subject))


def clean_title(subject: str) -> str:
    """A topic title from a subject: prefixes and list tags removed, never empty."""
    text = subject
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split())


@dataclass
class Thread:
    """A topic to create or to extend.

    root is the id of its first message: one of `messages`, or (existing=True) a message
    imported earlier. messages are in the order to load: the new root first, then by date.
    parent_of maps each message id to the id it replies to (None for the root).
    """

    root: str
    existing: bool
    messages: list[ParsedMessage] = field(default_factory=list)
    parent_of: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Threading:
    """The result: the threads, and the messages left out as duplicates of another."""

    threads: list[Thread]
    duplicates: list[ParsedMessage]


def _index(
    messages: Sequence[ParsedMessage],
) -> tuple[dict[str, ParsedMessage], list[ParsedMessage]]:
    by_id: dict[str, ParsedMessage] = {}
    duplicates: list[ParsedMessage] = []
    for message in sorted(messages, key=lambda m: (m.date, m.source)):
        if message.message_id in by_id:
            duplicates.append(message)
        else:
            by_id[message.message_id] = message
    return by_id, duplicates


def _header_parent(
    message: ParsedMessage, by_id: dict[str, ParsedMessage], existing: Collection[str]
) -> tuple[str | None, bool]:
    """(parent id, whether a named parent is missing) from In-Reply-To and References."""
    direct = message.in_reply_to or (message.references[-1] if message.references else "")
    if not direct:
        return None, False
    candidates = [direct] + [r for r in reversed(message.references) if r != direct]
    for candidate in candidates:
        if candidate == message.message_id:
            continue
        if candidate in by_id or candidate in existing:
            return candidate, candidate != direct
    return None, True


def thread_messages(messages: Sequence[ParsedMessage], existing: Collection[str] = ()) -> Threading:
    """Group messages into threads; `existing` holds the ids already imported in the board."""
    by_id, duplicates = _index(messages)
    parent_of: dict[str, str | None] = {}
    first_by_hint: dict[str, str] = {}
    first_by_subject: dict[str, str] = {}
    ordered = list(by_id.values())  # by date: the earliest of a hint or subject comes first
    for message in ordered:
        parent, missing = _header_parent(message, by_id, existing)
        headerless = not message.in_reply_to and not message.references
        if parent is None and headerless and message.thread_hint:
            parent = first_by_hint.get(message.thread_hint)
        subject = normalise_subject(message.subject)
        if parent is None and (headerless or missing) and subject:
            if is_reply_subject(message.subject):
                parent = first_by_subject.get(subject)
        if missing:
            message.flag(Flag.PARENT_MISSING)
        parent_of[message.message_id] = parent
        if message.thread_hint:
            first_by_hint.setdefault(message.thread_hint, message.message_id)
        if subject:
            first_by_subject.setdefault(subject, message.message_id)
    return Threading(_assemble(ordered, parent_of, existing), duplicates)


def _root_of(message_id: str, parent_of: dict[str, str | None], existing: Collection[str]) -> str:
    """Follow parents up to a root; a cycle (broken archives have them) is cut at the start."""
    seen = {message_id}
    current = message_id
    while True:
        parent = parent_of.get(current)
        if parent is None or parent in existing and parent not in parent_of:
            return parent if parent is not None else current
        if parent in seen:
            parent_of[message_id] = None
            return message_id
        seen.add(parent)
        current = parent


def _assemble(
    ordered: list[ParsedMessage], parent_of: dict[str, str | None], existing: Collection[str]
) -> list[Thread]:
    threads: dict[str, Thread] = {}
    for message in ordered:
        root = _root_of(message.message_id, parent_of, existing)
        thread = threads.get(root)
        if thread is None:
            thread = threads[root] = Thread(root=root, existing=root not in parent_of)
        thread.messages.append(message)
        thread.parent_of[message.message_id] = parent_of[message.message_id]
    for thread in threads.values():
        if not thread.existing:
            first = next(m for m in thread.messages if m.message_id == thread.root)
            rest = [m for m in thread.messages if m is not first]
            thread.messages = [first, *rest]
            thread.parent_of[thread.root] = None
    return sorted(threads.values(), key=lambda t: t.messages[0].date)
