"""The rules of boards, topics and posts: who reads, writes in and moderates what.

They read what they need of a board, topic or post (the protocols below): the models, or
the rows a page reads (forum.models.records). Re-exported by forum.access.
"""

from datetime import datetime
from typing import Protocol

from forum.access.actor import Actor
from forum.errors import NotFound, PermissionDenied
from forum.models import Visibility

MAX_ID = 2**63 - 1  # larger ids can't be stored: they name nothing


class PostState(Protocol):
    """What the post rules read of a post: a Post, or a post read as a row for a page."""

    @property
    def author_id(self) -> int: ...
    @property
    def deleted_at(self) -> datetime | None: ...
    @property
    def hidden_at(self) -> datetime | None: ...


class BoardState(Protocol):
    """What the board rules read of a board: a Board, or a BoardRecord read for a page."""

    @property
    def id(self) -> int | None: ...
    @property
    def visibility(self) -> str: ...
    @property
    def group_id(self) -> int | None: ...


class TopicState(Protocol):
    """What the topic rules read of a topic: a Topic, or a TopicRecord read for a page."""

    @property
    def id(self) -> int | None: ...
    @property
    def is_locked(self) -> bool: ...
    @property
    def deleted_at(self) -> datetime | None: ...


def can_see_board(actor: Actor, board: BoardState) -> bool:
    """May the actor read this board?"""
    return can_see_visibility(actor, board.visibility, board.group_id)


def can_see_visibility(actor: Actor, visibility: str, group_id: int | None) -> bool:
    """May the actor read a board with this visibility and group? (can_see_board's rule.)"""
    if visibility == Visibility.PUBLIC.value:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_admin or visibility == Visibility.MEMBERS.value:
        return True
    return actor.in_group(group_id)


def can_post_in_board(actor: Actor, board: BoardState) -> bool:
    """May the actor start topics and reply in this board?"""
    if not actor.is_authenticated or not can_see_board(actor, board):
        return False
    if actor.is_admin or board.visibility != Visibility.GROUP.value:
        return True
    return actor.in_group(board.group_id)


def can_moderate_board(actor: Actor, board: BoardState) -> bool:
    """May the actor moderate this board (pin, lock, hide)? Admins and its group's moderators."""
    if not can_see_board(actor, board) or not actor.is_authenticated:
        return False
    return actor.is_admin or actor.moderates(board.group_id)


def can_administer_board(actor: Actor, board: BoardState) -> bool:
    """May the actor change the board itself (name, visibility, group)? Admins only."""
    return actor.is_authenticated and actor.is_admin


def can_administer_site(actor: Actor) -> bool:
    """May the actor manage accounts, groups and boards?"""
    return actor.is_authenticated and actor.is_admin


def can_write_in_topic(actor: Actor, board: BoardState, topic: TopicState) -> bool:
    """May the actor reply in this topic (and edit there)? A locked topic: its moderators only."""
    if not can_post_in_board(actor, board):
        return False
    return not topic.is_locked or can_moderate_board(actor, board)


def can_edit_post(actor: Actor, board: BoardState, topic: TopicState, post: PostState) -> bool:
    """May the actor edit or delete this post? Its author, while they may write in the topic."""
    return (
        actor.user_id is not None
        and post.author_id == actor.user_id
        and post.deleted_at is None
        and post.hidden_at is None
        and can_write_in_topic(actor, board, topic)
    )


def check_board(actor: Actor, board: BoardState, slug: str, *, for_write: bool) -> None:
    """The rules of access_board: NotFound when hidden, PermissionDenied when read-only."""
    if not can_see_board(actor, board):
        raise NotFound(slug)
    if for_write and not can_post_in_board(actor, board):
        raise PermissionDenied(slug)


def check_topic(actor: Actor, topic: TopicState, board: BoardState, *, for_write: bool) -> None:
    """The rules of access_topic: NotFound when hidden, PermissionDenied when read-only."""
    if topic.deleted_at is not None and (for_write or not actor.is_admin):
        raise NotFound(f"topic {topic.id}")
    if not can_see_board(actor, board):
        raise NotFound(f"topic {topic.id}")
    if for_write and not can_write_in_topic(actor, board, topic):
        raise PermissionDenied(f"topic {topic.id}")
