"""Writing threaded messages into a board, a batch at a time, with the services' invariants.

Same rules as forum.services.topics: titles cleaned, post numbers 1..n in each topic,
post_count and last_post_at kept, first_post_id set, HTML rendered by forum.markup; dates
are the original ones. Provenance (raw message, archive, flags) goes to imported_messages,
one row per Message-ID and board: importing again skips what is there. Each batch is one
transaction; a failing batch is retried thread by thread so that one bad thread fails
alone. Search indexing happens after each commit. A dry run loads everything in one
transaction and rolls it back.
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, SQLModel, select

from forum.errors import InvalidInput, NotFound
from forum.i18n import gettext as _
from forum.importer.attachments import AttachmentSink, PendingAttachments
from forum.importer.message import Flag, ParsedMessage
from forum.importer.people import Author, PeopleResolver
from forum.importer.render import post_html, post_source
from forum.importer.threads import Thread, clean_title
from forum.models import Board, ImportedMessage, Post, Topic, User
from forum.search import SearchEntry
from forum.services.search import entry_for_post, entry_for_topic
from forum.services.topics import TITLE_MAX, TITLE_MIN

BATCH_SIZE = 500
Progress = Callable[[int], None]

# Core tables: executemany statements, without the ORM's per-object bookkeeping.
POSTS = SQLModel.metadata.tables["posts"]
TOPICS = SQLModel.metadata.tables["topics"]
PROVENANCE = SQLModel.metadata.tables["imported_messages"]
POST_UPDATE_REPLY = (
    update(POSTS).where(POSTS.c.id == bindparam("b_id")).values(reply_to_id=bindparam("b_reply"))
)
TOPIC_FIRST_POST = (
    update(TOPICS)
    .where(TOPICS.c.id == bindparam("b_id"))
    .values(first_post_id=bindparam("b_first"))
)


def message_key(message_id: str) -> str:
    """The indexed key of a Message-ID (ids may be long; their hash is not)."""
    return hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class ImportOptions:
    """How to load: where, from which archive, with which people map and attachment sink."""

    board_slug: str
    archive: str = ""
    format: str = ""
    dry_run: bool = False
    people_map: dict[str, str] = field(default_factory=dict)
    login_suffix: str = ""
    sink: AttachmentSink = field(default_factory=PendingAttachments)
    batch_size: int = BATCH_SIZE


@dataclass
class Known:
    """What the board already holds: imported ids and the post each became."""

    board_id: int
    posts: dict[str, int | None]  # message id -> post id (None if the post was removed)


def known_messages(session: Session, slug: str) -> Known:
    """What the board already holds: every imported Message-ID and the post it became."""
    board_id = check_board(session, slug)
    rows = session.exec(
        select(ImportedMessage.message_id, ImportedMessage.post_id).where(
            ImportedMessage.board_id == board_id
        )
    ).all()
    return Known(board_id, dict(rows))


def check_board(session: Session, slug: str) -> int:
    """The id of the destination board; NotFound before anything is read."""
    board = session.exec(select(Board).where(Board.slug == slug)).first()
    if board is None or board.id is None:
        raise NotFound(_("Aucun tableau « %(slug)s ».", slug=slug))
    return board.id


def topic_title(subject: str) -> str:
    """A title the services would accept, from a message's subject."""
    title = clean_title(subject)[:TITLE_MAX].strip()
    return title if len(title) >= TITLE_MIN else _("(sans objet)")


@dataclass
class Loaded:
    """What one transaction wrote, for the report and for indexing after the commit."""

    topics: int = 0
    posts: int = 0
    attachments: int = 0
    pending: int = 0
    entries: list[SearchEntry] = field(default_factory=list)
    messages: list[ParsedMessage] = field(default_factory=list)


@dataclass
class _Placed:
    """A thread and the topic it goes to, numbering from first_number."""

    thread: Thread
    topic_id: int
    title: str
    first_number: int


class Loader:
    """Writes batches of threads into one board, resolving people and attachments."""

    def __init__(
        self, options: ImportOptions, known: Known, people: PeopleResolver, now: datetime
    ) -> None:
        self.now = now
        self.options = options
        self.known = known
        self.people = people
        self.names: dict[int, str] = {}
        self.prepared: dict[tuple[str, int], object | None] = {}

    def _name(self, session: Session, user_id: int) -> str:
        if user_id not in self.names:
            user = session.get(User, user_id)
            self.names[user_id] = user.display_name if user is not None else ""
        return self.names[user_id]

    def load(self, session: Session, threads: Sequence[Thread]) -> Loaded:
        """Write these threads with a few statements for the whole batch; raises on any
        failure (the caller rolls back)."""
        loaded = Loaded()
        board_id = self.known.board_id
        post_of: dict[str, int] = {k: v for k, v in self.known.posts.items() if v is not None}
        authors = {
            m.message_id: self.people.author(session, address=m.sender_address, name=m.sender_name)
            for thread in threads
            for m in thread.messages
        }
        placed = self._topics(session, threads, authors, post_of)
        loaded.topics = sum(1 for p in placed if not p.thread.existing)
        rows: list[dict[str, object]] = []
        order: list[tuple[_Placed, ParsedMessage, str]] = []
        for place in placed:
            for offset, message in enumerate(place.thread.messages):
                html, _main_html = post_html(message.body, message.quoted)
                # The search text is what the sender wrote: the mail's own text, which the
                # Markdown was made from (text_from_html would cost as much as rendering).
                order.append((place, message, message.body))
                rows.append(
                    {
                        "topic_id": place.topic_id,
                        "author_id": authors[message.message_id].user_id,
                        "number": place.first_number + offset,
                        "body": post_source(message.body, message.quoted),
                        "html": html,
                        "created_at": message.date,
                    }
                )
        inserted = session.execute(
            insert(POSTS).returning(POSTS.c.id, sort_by_parameter_order=True), rows
        )
        ids = [int(post_id) for post_id in inserted.scalars().all()]
        for (_place, message, _text), post_id in zip(order, ids, strict=True):
            post_of[message.message_id] = post_id
        replies = [
            {"b_id": post_id, "b_reply": post_of[parent]}
            for (place, message, _text), post_id in zip(order, ids, strict=True)
            if (parent := place.thread.parent_of.get(message.message_id)) and parent in post_of
        ]
        if replies:
            session.execute(POST_UPDATE_REPLY, replies)
        firsts = [
            {"b_id": p.topic_id, "b_first": post_of[p.thread.messages[0].message_id]}
            for p in placed
            if not p.thread.existing
        ]
        if firsts:
            session.execute(TOPIC_FIRST_POST, firsts)
        provenance = []
        for (place, message, text), post_id in zip(order, ids, strict=True):
            author = authors[message.message_id]
            described = self._attachments(session, message, post_id, author.user_id, loaded)
            provenance.append(
                {
                    "board_id": board_id,
                    "message_key": message_key(message.message_id),
                    "message_id": message.message_id,
                    "post_id": post_id,
                    "person_id": author.person_id,
                    "archive": self.options.archive[:255],
                    "source": message.source[:500],
                    "format": self.options.format[:16],
                    "flags": ",".join(f.value for f in message.flags)[:255],
                    "original_date": message.date,
                    "utc_offset_minutes": message.utc_offset_minutes,
                    "quoted": message.quoted,
                    "attachments": json.dumps(described, ensure_ascii=False),
                    "raw": message.raw_compressed,
                    "imported_at": self.now,
                }
            )
            loaded.entries.append(
                entry_for_post(
                    post_id=post_id,
                    topic_id=place.topic_id,
                    board_id=board_id,
                    topic_title=place.title,
                    text=text,
                    author_id=author.user_id,
                    author_name=self._name(session, author.user_id),
                    created_at=message.date,
                )
            )
            loaded.messages.append(message)
        if provenance:
            session.execute(insert(PROVENANCE), provenance)
        for place in placed:
            if not place.thread.existing:
                root = place.thread.messages[0]
                author_id = authors[root.message_id].user_id
                loaded.entries.append(
                    entry_for_topic(
                        topic_id=place.topic_id,
                        board_id=board_id,
                        title=place.title,
                        author_id=author_id,
                        author_name=self._name(session, author_id),
                        created_at=root.date,
                    )
                )
        loaded.posts = len(ids)
        return loaded

    def _topics(
        self,
        session: Session,
        threads: Sequence[Thread],
        authors: dict[str, Author],
        post_of: dict[str, int],
    ) -> list["_Placed"]:
        """Create the new threads' topics (one statement) and extend the existing ones."""
        new = [t for t in threads if not t.existing]
        rows = [
            {
                "board_id": self.known.board_id,
                "title": topic_title(t.messages[0].subject),
                "author_id": authors[t.messages[0].message_id].user_id,
                "created_at": t.messages[0].date,
                "last_post_at": max(m.date for m in t.messages),
                "post_count": len(t.messages),
            }
            for t in new
        ]
        placed: list[_Placed] = []
        if rows:
            inserted = session.execute(
                insert(TOPICS).returning(TOPICS.c.id, sort_by_parameter_order=True), rows
            )
            for thread, row, topic_id in zip(new, rows, inserted.scalars().all(), strict=True):
                placed.append(_Placed(thread, int(topic_id), str(row["title"]), 1))
        for thread in threads:
            if thread.existing:
                topic, first = self._extend(session, thread, post_of)
                assert topic.id is not None
                placed.append(_Placed(thread, topic.id, topic.title, first))
        return placed

    def _extend(
        self, session: Session, thread: Thread, post_of: dict[str, int]
    ) -> tuple[Topic, int]:
        post_id = post_of.get(thread.root)
        post = session.get(Post, post_id) if post_id is not None else None
        topic = session.get(Topic, post.topic_id) if post is not None else None
        if topic is None or topic.id is None:
            raise NotFound(_("Le sujet du message %(id)s n'existe plus.", id=thread.root))
        first = topic.post_count + 1
        topic.post_count += len(thread.messages)
        topic.last_post_at = max([topic.last_post_at, *(m.date for m in thread.messages)])
        session.add(topic)
        session.flush()
        return topic, first

    def _attachments(
        self,
        session: Session,
        message: ParsedMessage,
        post_id: int,
        author_id: int,
        loaded: Loaded,
    ) -> list[dict[str, object]]:
        described = []
        for index, attachment in enumerate(message.attachments):
            entry = attachment.describe()
            prepared = self.prepared.get((message.message_id, index))
            if attachment.missing:
                entry["status"] = "missing"
            elif attachment.refused:
                entry["status"] = "refused"
            elif isinstance(prepared, _Refused):
                entry["status"], entry["refused"] = "refused", prepared.reason
            elif prepared is None:
                entry["status"] = "pending"
                loaded.pending += 1
            else:
                entry["status"] = "imported"
                entry["file_id"] = self.options.sink.record(
                    session,
                    prepared,
                    board_id=self.known.board_id,
                    post_id=post_id,
                    author_id=author_id,
                    created_at=message.date,
                )
                loaded.attachments += 1
            described.append(entry)
        return described

    def prepare_attachments(self, threads: Sequence[Thread]) -> None:
        """Run the sink's prepare step for a batch, outside any transaction."""
        self.prepared = {}
        for thread in threads:
            for message in thread.messages:
                for index, attachment in enumerate(message.attachments):
                    if attachment.missing or attachment.refused:
                        continue
                    try:
                        prepared = self.options.sink.prepare(
                            name=attachment.name,
                            content_type=attachment.content_type,
                            data=attachment.data,
                        )
                    except InvalidInput as exc:
                        prepared = _Refused("; ".join(exc.errors.values()))
                        message.flag(Flag.ATTACHMENT_REFUSED)
                    self.prepared[(message.message_id, index)] = prepared


@dataclass(frozen=True)
class _Refused:
    """An attachment the file pipeline refused (type, size): it stays in the raw message."""

    reason: str
