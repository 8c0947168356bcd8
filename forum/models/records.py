"""Boards and topics as plain rows, for the pages that read them on every visit.

A `BoardRecord` or `TopicRecord` holds every column of its table, under the same names as
the model's attributes, so that the rules of forum.access and the templates read either.
They are read-only: changes go through the models in a write transaction.
"""

from datetime import datetime
from typing import NamedTuple


class BoardRecord(NamedTuple):
    """Every column of a board (the table `boards`, model `Board`)."""

    id: int
    slug: str
    name: str
    description: str
    visibility: str
    group_id: int | None
    position: int
    created_at: datetime


class TopicRecord(NamedTuple):
    """Every column of a topic (the table `topics`, model `Topic`)."""

    id: int
    board_id: int
    title: str
    author_id: int
    created_at: datetime
    last_post_at: datetime
    post_count: int
    is_pinned: bool
    is_locked: bool
    deleted_at: datetime | None
    first_post_id: int | None


class GroupLabel(NamedTuple):
    """What a board's page says of its group."""

    id: int
    slug: str
    name: str


class DocumentRecord(NamedTuple):
    """Every column of a document written together (the table `documents`, model `Document`)."""

    id: int
    board_id: int
    title: str
    topic_id: int | None
    created_by_id: int
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
