"""A board or a topic with its board, read for a page as plain rows (forum.models.records):
one prepared statement, the same rules as forum.access's access_board and
access_topic_and_board, without the ORM's objects. Re-exported by forum.access.
"""

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session

from forum.access.actor import Actor
from forum.access.rules import MAX_ID, check_board, check_topic
from forum.access.statements import BOARDS as _BOARDS
from forum.errors import NotFound
from forum.models import BoardRecord, Group, GroupLabel, Topic, TopicRecord, table_of
from forum.prepared import Prepared

# access_board's query, as one row of plain columns, with the board's group.
_GROUPS = table_of(Group)
_BOARD_ROW_BY_SLUG = Prepared(
    sa_select(
        *(_BOARDS.c[name] for name in BoardRecord._fields),
        _GROUPS.c.id,
        _GROUPS.c.slug,
        _GROUPS.c.name,
    )
    .outerjoin_from(_BOARDS, _GROUPS, _GROUPS.c.id == _BOARDS.c.group_id)
    .where(_BOARDS.c.slug == bindparam("slug"))
)


def read_board(
    session: Session, actor: Actor, slug: str, *, for_write: bool = False
) -> tuple[BoardRecord, GroupLabel | None]:
    """access_board as a row, with its group, for the pages that only read them (a board's
    page): the same rules, without the ORM's objects."""
    found = _BOARD_ROW_BY_SLUG.rows(session, {"slug": slug})
    if not found:
        raise NotFound(slug)
    board = BoardRecord._make(found[0][: len(BoardRecord._fields)])
    check_board(actor, board, slug, for_write=for_write)
    group_id, group_slug, group_name = found[0][len(BoardRecord._fields) :]
    group = None if group_id is None else GroupLabel(group_id, group_slug, group_name)
    return board, group


# access_topic_and_board's query, as one row of plain columns.
_TOPICS, _TOPIC_COLUMNS = table_of(Topic), len(TopicRecord._fields)
_TOPIC_AND_BOARD_ROW = Prepared(
    sa_select(
        *(_TOPICS.c[name] for name in TopicRecord._fields),
        *(_BOARDS.c[name] for name in BoardRecord._fields),
    )
    .join_from(_TOPICS, _BOARDS, _BOARDS.c.id == _TOPICS.c.board_id)
    .where(_TOPICS.c.id == bindparam("topic_id"))
)


def read_topic_and_board(
    session: Session, actor: Actor, topic_id: int, *, for_write: bool = False
) -> tuple[TopicRecord, BoardRecord]:
    """access_topic_and_board as rows, for the pages that only read them (a topic's page):
    the same rules, without the ORM's objects."""
    found = (
        _TOPIC_AND_BOARD_ROW.rows(session, {"topic_id": topic_id}) if 0 < topic_id <= MAX_ID else []
    )
    if not found:
        raise NotFound(f"topic {topic_id}")
    topic = TopicRecord._make(found[0][:_TOPIC_COLUMNS])
    board = BoardRecord._make(found[0][_TOPIC_COLUMNS:])
    check_topic(actor, topic, board, for_write=for_write)
    return topic, board
