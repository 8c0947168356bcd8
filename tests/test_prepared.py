"""Prepared statements (forum.prepared) give what SQLAlchemy's Core gives for the same
statement, on SQLite and on PostgreSQL (FORUM_TEST_POSTGRES_URL): parameters, IN lists of
any length, values written into the statement, timestamps, booleans and NULLs."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Float, Numeric, bindparam, cast, event, func, select, tuple_
from sqlmodel import Session

from forum.db import Database
from forum.models import (
    Board,
    BoardRecord,
    Document,
    DocumentRecord,
    Topic,
    TopicRecord,
    User,
    Visibility,
    table_of,
)
from forum.prepared import Prepared

USERS, TOPICS, BOARDS = table_of(User), table_of(Topic), table_of(Board)
MOMENT = datetime(2026, 3, 29, 0, 59, 58, 123456, tzinfo=UTC)  # the night of a DST change


def _fill(db: Database) -> list[int]:
    def fill(session: Session) -> list[int]:
        board = Board(slug="b", name="Pôle ESS", visibility=Visibility.GROUP.value)
        users = [User(login=f"m{n}", display_name=f"Membre « {n} »") for n in range(5)]
        session.add_all([board, *users])
        session.flush()
        for n, user in enumerate(users):
            assert user.id is not None and board.id is not None
            session.add(
                Topic(
                    board_id=board.id,
                    title=f"Sujet {n}",
                    author_id=user.id,
                    created_at=MOMENT + timedelta(days=n),
                    last_post_at=MOMENT + timedelta(days=n, hours=1),
                    is_pinned=n % 2 == 0,
                    deleted_at=MOMENT if n == 3 else None,
                )
            )
        return [user.id for user in users if user.id is not None]

    return db.transaction(fill)


def _both(db: Database, statement: Any, params: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    prepared = Prepared(statement)

    def read(session: Session) -> tuple[list[Any], list[Any]]:
        core = [tuple(row) for row in session.connection().execute(statement, params)]
        return prepared.rows(session, params), core

    return db.reading(read)


STATEMENT = (
    select(
        TOPICS.c.id,
        TOPICS.c.title,
        TOPICS.c.created_at,
        TOPICS.c.deleted_at,
        TOPICS.c.is_pinned,
        USERS.c.display_name,
        func.coalesce(TOPICS.c.first_post_id, 7),  # a value written into the statement
    )
    .join_from(TOPICS, USERS, USERS.c.id == TOPICS.c.author_id)
    .where(TOPICS.c.author_id.in_(bindparam("authors", expanding=True)))
    .where(TOPICS.c.created_at >= bindparam("since"))
    .where(TOPICS.c.title.in_(["Sujet 0", "Sujet 1", "Sujet 3", "Sujet 4"]))
    .order_by(TOPICS.c.id)
)


@pytest.mark.parametrize("authors", [1, 2, 5])
def test_rows_are_those_of_core(db: Database, authors: int) -> None:
    users = _fill(db)
    params = {"authors": users[:authors], "since": MOMENT}
    prepared, core = _both(db, STATEMENT, params)
    assert prepared == core
    assert len(prepared) == {1: 1, 2: 2, 5: 4}[authors]  # Sujet 2 is not in the list
    first = prepared[0]
    assert first[2] == MOMENT and first[2].tzinfo is UTC  # timestamps come back aware, in UTC
    assert first[4] is True and first[6] == 7
    assert all(isinstance(row[4], bool) for row in prepared)


def test_a_timestamp_parameter_is_converted_as_core_does(db: Database) -> None:
    users = _fill(db)
    later = MOMENT.astimezone(UTC) + timedelta(days=2, seconds=1)
    prepared, core = _both(db, STATEMENT, {"authors": users, "since": later})
    assert prepared == core and [row[1] for row in prepared] == ["Sujet 3", "Sujet 4"]
    assert prepared[0][3] == MOMENT  # a deleted topic's time


def test_a_parameter_used_twice_and_no_rows(db: Database) -> None:
    _fill(db)
    twice = select(USERS.c.id).where(
        (USERS.c.id == bindparam("who")) | (USERS.c.id == bindparam("who") + 1000)
    )
    assert _both(db, twice, {"who": 10**6}) == ([], [])


def test_listeners_of_the_engine_see_the_sql(db: Database) -> None:
    users = _fill(db)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        prepared = Prepared(STATEMENT)
        db.reading(lambda session: prepared.rows(session, {"authors": users, "since": MOMENT}))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len([sql for sql in seen if "topics" in sql]) == 1


def test_a_missing_parameter_is_an_error(db: Database) -> None:
    prepared = Prepared(STATEMENT)
    with pytest.raises(Exception):  # noqa: B017 (SQLAlchemy's or the driver's own error)
        db.reading(lambda session: prepared.rows(session, {"authors": [1]}))


def test_records_have_every_column_of_their_table() -> None:
    # forum.access reads topics and boards as these rows: a new column must be added there.
    assert TopicRecord._fields == tuple(column.name for column in TOPICS.c)
    assert BoardRecord._fields == tuple(column.name for column in BOARDS.c)
    documents = table_of(Document)
    assert DocumentRecord._fields == tuple(column.name for column in documents.c)


def test_a_list_and_a_parameter_named_like_its_items(db: Database) -> None:
    # SQLAlchemy renames the list's items when a parameter already has their names.
    users = _fill(db)
    clash = (
        select(USERS.c.id)
        .where(USERS.c.id.in_(bindparam("ids", expanding=True)))
        .where(USERS.c.id != bindparam("ids_1"))
        .order_by(USERS.c.id)
    )
    for first in users[:3]:
        prepared, core = _both(db, clash, {"ids": users[:3], "ids_1": first})
        assert prepared == core and len(prepared) == 2
    two_lists = (
        select(USERS.c.id)
        .where(USERS.c.id.in_(bindparam("a", expanding=True)))
        .where(USERS.c.id.in_(bindparam("a_1", expanding=True)))
    )
    assert _both(db, two_lists, {"a": users[:3], "a_1": users[2:]}) == (
        [(users[2],)],
        [(users[2],)],
    )


def test_numbers_come_back_as_core_gives_them(db: Database) -> None:
    # PostgreSQL's numbers are converted according to the type the server describes.
    _fill(db)
    numbers = select(cast(TOPICS.c.id, Float), cast(TOPICS.c.id, Numeric(10, 2))).order_by(
        TOPICS.c.id
    )
    prepared, core = _both(db, numbers, {})
    assert prepared == core and len(prepared) == 5


def test_lists_of_tuples_are_refused_when_built() -> None:
    pairs = select(USERS.c.id).where(
        tuple_(USERS.c.id, USERS.c.login).in_(bindparam("pairs", expanding=True))
    )
    with pytest.raises(ValueError, match="tuples"):
        Prepared(pairs)
