"""Reading provenance: which posts came from the old group, and a post's original message
(for the board's moderators and the administrators only)."""

import json
import zlib
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from forum.access import Actor, access_post, check_moderates
from forum.errors import NotFound
from forum.importer.charsets import decode_undeclared
from forum.importer.report import REPAIR_LABELS
from forum.models import Board, ImportedMessage, Post, Topic, table_of
from forum.prepared import Prepared

RAW_SHOWN_MAX = 2_000_000  # characters of the raw message shown on the page


_IMPORTED_TABLE = table_of(ImportedMessage)
_IMPORTED = Prepared(
    sa_select(_IMPORTED_TABLE.c.post_id).where(
        _IMPORTED_TABLE.c.post_id.in_(bindparam("ids", expanding=True))
    )
)  # built once: every topic page asks


def imported_post_ids(session: Session, post_ids: list[int]) -> frozenset[int]:
    """Which of these posts were imported from the old discussion group."""
    wanted = [i for i in post_ids if i is not None]
    if not wanted:
        return frozenset()
    rows = _IMPORTED.rows(session, {"ids": wanted})
    return frozenset(i for (i,) in rows if i is not None)


@dataclass(frozen=True)
class MessageSource:
    """An imported post's original message and what the import did to it."""

    post: Post
    topic: Topic
    board: Board
    imported: ImportedMessage
    raw: str
    truncated: bool
    repairs: list[str]
    attachments: list[dict[str, object]]


def message_source(session: Session, actor: Actor, post_id: int) -> MessageSource:
    """The original of an imported post; NotFound when hidden or not imported, denied to
    readers who do not moderate the board."""
    post = access_post(session, actor, post_id)
    topic = session.get(Topic, post.topic_id)
    board = session.get(Board, topic.board_id) if topic is not None else None
    assert topic is not None and board is not None  # access_post checked them
    check_moderates(actor, board, f"post {post_id}")
    imported = session.exec(
        select(ImportedMessage).where(ImportedMessage.post_id == post.id)
    ).first()
    if imported is None:
        raise NotFound(f"post {post_id}")
    text, _guessed = decode_undeclared(zlib.decompress(imported.raw))
    labels = {flag.value: label for flag, label in REPAIR_LABELS.items()}
    try:
        attachments = json.loads(imported.attachments)
    except ValueError:
        attachments = []
    return MessageSource(
        post=post,
        topic=topic,
        board=board,
        imported=imported,
        raw=text[:RAW_SHOWN_MAX],
        truncated=len(text) > RAW_SHOWN_MAX,
        repairs=[labels.get(f, f) for f in imported.flags.split(",") if f],
        attachments=attachments if isinstance(attachments, list) else [],
    )
