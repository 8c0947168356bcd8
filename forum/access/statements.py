"""Board visibility as conditions built once into SQL statements (the busiest pages' queries).

The rule is the one of `forum.access.can_see_visibility`: administrators see every board,
visitors the public ones, members the public and members-only ones and their groups' boards.
"""

from typing import Any

from sqlalchemy import bindparam, or_

from forum.access.actor import Actor
from forum.models import Board, Visibility, table_of
from forum.prepared import Prepared

BOARDS = table_of(Board)
# visible_boards_clause for a member who is not an administrator, as a condition that can be
# built once into a statement; its parameter comes from member_visibility_params(actor).
MEMBER_VISIBLE_BOARDS = or_(
    BOARDS.c.visibility.in_([Visibility.PUBLIC.value, Visibility.MEMBERS.value]),
    BOARDS.c.group_id.in_(bindparam("visible_groups", expanding=True)),
)


def member_visibility_params(actor: Actor) -> dict[str, list[int]]:
    """The parameter of MEMBER_VISIBLE_BOARDS for a signed-in member."""
    return {"visible_groups": list(actor.roles)}


class VisibleBoardsStatements:
    """A statement that joins the boards table, built once for each kind of reader
    (administrator, visitor, member), restricted to the boards that reader may see, and
    prepared (forum.prepared)."""

    __slots__ = ("_admin", "_visitor", "_member")

    def __init__(self, statement: Any) -> None:
        self._admin = Prepared(statement)
        self._visitor = Prepared(statement.where(BOARDS.c.visibility == Visibility.PUBLIC.value))
        self._member = Prepared(statement.where(MEMBER_VISIBLE_BOARDS))

    def for_actor(self, actor: Actor) -> tuple[Prepared, dict[str, list[int]]]:
        """The statement for this actor and the parameters its restriction needs."""
        if not actor.is_authenticated:
            return self._visitor, {}
        if actor.is_admin:
            return self._admin, {}
        return self._member, member_visibility_params(actor)
