"""Boards: create, change, delete (administrators); listing for the admin pages."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from forum.access import (
    Actor,
    access_site_admin,
    can_administer_board,
    can_moderate_board,
    can_post_in_board,
    read_board,
    visible_boards,
)
from forum.db import mark_access_changed
from forum.errors import Conflict, FieldErrors, InvalidInput, NotFound
from forum.i18n import gettext as _
from forum.models import Board, BoardRecord, Group, GroupLabel, Topic, Visibility
from forum.services.groups import (
    clean_description,
    clean_name,
    clean_slug,
    get_group,
    list_groups,
)

VISIBILITIES = tuple(v.value for v in Visibility)


def get_board(session: Session, slug: str) -> Board:
    """Fetch a board by slug without permission checks (admin pages and CLI only)."""
    board = session.exec(select(Board).where(Board.slug == slug)).first()
    if board is None:
        raise NotFound(slug)
    return board


def list_all_boards(session: Session) -> list[tuple[Board, Group | None]]:
    """Every board with its group, in display order (admin pages and CLI only)."""
    query = (
        select(Board, Group)
        .join(Group, col(Board.group_id) == col(Group.id), isouter=True)
        .order_by(col(Board.position), col(Board.name))
    )
    return [(board, group) for board, group in session.exec(query).all()]


def _clean(
    session: Session, *, name: str, description: str, visibility: str, group_slug: str | None
) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    try:
        values["name"] = clean_name(name)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        values["description"] = clean_description(description)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if visibility not in VISIBILITIES:
        errors["visibility"] = _("Visibilité inconnue.")
    values["visibility"] = visibility
    values["group_id"] = None
    if group_slug:
        try:
            values["group_id"] = get_group(session, group_slug).id
        except NotFound:
            errors["group"] = _("Ce groupe n'existe pas.")
    elif visibility == Visibility.GROUP.value:
        errors["group"] = _("Un tableau privé doit appartenir à un groupe.")
    if errors:
        raise InvalidInput(errors)
    return values


def create_board(
    session: Session,
    *,
    slug: str,
    name: str,
    description: str = "",
    visibility: str = Visibility.GROUP.value,
    group_slug: str | None = None,
    position: int | None = None,
) -> Board:
    """Create a board; a `group` board needs its group."""
    errors: dict[str, str] = {}
    try:
        slug = clean_slug(slug)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        values = _clean(
            session,
            name=name,
            description=description,
            visibility=visibility,
            group_slug=group_slug,
        )
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    if session.exec(select(Board.id).where(Board.slug == slug)).first() is not None:
        raise Conflict(_("Ce nom court est déjà pris."), field="slug")
    if position is None:
        last = session.exec(select(Board.position).order_by(col(Board.position).desc())).first()
        position = (last or 0) + 10
    board = Board(slug=slug, position=position, **values)  # type: ignore[arg-type]
    session.add(board)
    session.flush()
    return board


def update_board(
    session: Session,
    *,
    slug: str,
    name: str,
    description: str,
    visibility: str,
    group_slug: str | None,
    position: int | None = None,
) -> Board:
    """Change a board's name, description, visibility, group or position."""
    board = get_board(session, slug)
    values = _clean(
        session, name=name, description=description, visibility=visibility, group_slug=group_slug
    )
    for key, value in values.items():
        setattr(board, key, value)
    if position is not None:
        board.position = position
    session.add(board)
    mark_access_changed(session)
    return board


def delete_board(session: Session, *, slug: str) -> None:
    """Delete an (empty) board."""
    session.delete(get_board(session, slug))
    mark_access_changed(session)


@dataclass(frozen=True)
class BoardOverview:
    """The boards an actor sees, sorted the way the home page shows them."""

    mine: list[Board]  # boards of the actor's own groups
    common: list[Board]  # boards for every member (or everyone)
    others: list[Board]  # other groups' boards, which only administrators see
    groups: dict[int, Group]


def board_overview(session: Session, actor: Actor) -> BoardOverview:
    """Split the visible boards into "my groups", "common area" and (admins) "other groups"."""
    boards = visible_boards(session, actor)
    group_ids = {b.group_id for b in boards if b.group_id is not None}
    groups = {
        g.id: g
        for g in session.exec(select(Group).where(col(Group.id).in_(group_ids))).all()
        if g.id is not None
    }
    mine: list[Board] = []
    common: list[Board] = []
    others: list[Board] = []
    for board in boards:
        if board.visibility != Visibility.GROUP.value:
            common.append(board)
        elif actor.in_group(board.group_id):
            mine.append(board)
        else:
            others.append(board)
    return BoardOverview(mine=mine, common=common, others=others, groups=groups)


@dataclass(frozen=True)
class BoardPage:
    """What the board page shows."""

    board: Board | BoardRecord
    group: Group | GroupLabel | None
    can_post: bool
    can_moderate: bool
    can_administer: bool


def board_page(session: Session, actor: Actor, slug: str) -> BoardPage:
    """A board the actor may read, with what they may do there; hidden boards are NotFound."""
    board, group = read_board(session, actor, slug)
    return BoardPage(
        board=board,
        group=group,
        can_post=can_post_in_board(actor, board),
        can_moderate=can_moderate_board(actor, board),
        can_administer=can_administer_board(actor, board),
    )


def set_board_visibility(
    session: Session, *, slug: str, visibility: str, group_slug: str | None = None
) -> Board:
    """Change who may read a board; it keeps its group unless another one is given."""
    board = get_board(session, slug)
    if group_slug is None and board.group_id is not None:
        group = session.get(Group, board.group_id)
        group_slug = group.slug if group is not None else None
    return update_board(
        session,
        slug=slug,
        name=board.name,
        description=board.description,
        visibility=visibility,
        group_slug=group_slug,
    )


# Administration pages: each function checks that the actor is a site administrator.


@dataclass(frozen=True)
class BoardDetail:
    """A board and the groups it may be given to."""

    board: Board
    groups: list[Group]


@dataclass(frozen=True)
class BoardList:
    """Every board with its group, and the groups a new board may belong to."""

    boards: list[tuple[Board, Group | None]]
    groups: list[Group]


def _clean_position(raw: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput({"position": _("Indiquez un nombre entier.")}) from None


def admin_list_boards(session: Session, *, actor: Actor) -> BoardList:
    """Every board, private ones included, and the groups for the creation form."""
    access_site_admin(actor)
    return BoardList(boards=list_all_boards(session), groups=list_groups(session))


def admin_board_detail(session: Session, *, actor: Actor, slug: str) -> BoardDetail:
    """A board and the groups it may belong to."""
    access_site_admin(actor)
    return BoardDetail(board=get_board(session, slug), groups=list_groups(session))


def admin_save_board(
    session: Session,
    *,
    actor: Actor,
    slug: str,
    name: str,
    description: str,
    visibility: str,
    group_slug: str,
    position: str,
    create: bool,
) -> Board:
    """Create a board (create=True) or change one; every field's problem is reported at once."""
    access_site_admin(actor)
    if not create:
        get_board(session, slug)
    fields = FieldErrors()
    place = fields.check(lambda: _clean_position(position))
    save = create_board if create else update_board
    board = fields.check(
        lambda: save(
            session,
            slug=slug,
            name=name,
            description=description,
            visibility=visibility,
            group_slug=group_slug or None,
            position=place,
        )
    )
    fields.raise_if_any()
    return board


def admin_delete_board(session: Session, *, actor: Actor, slug: str, confirmed: bool) -> None:
    """Delete a board once confirmed."""
    access_site_admin(actor)
    board = get_board(session, slug)
    if not confirmed:
        raise InvalidInput({"confirm": _("Cochez la case pour confirmer la suppression.")})
    if session.exec(select(Topic.id).where(Topic.board_id == board.id)).first() is not None:
        raise InvalidInput(
            {"confirm": _("Ce tableau contient des sujets : il ne peut pas être supprimé.")}
        )
    delete_board(session, slug=slug)


def visible_board_pages(session: Session, actor: Actor) -> list[BoardPage]:
    """Every board the actor may read, with its group and what the actor may do there."""
    boards = visible_boards(session, actor)
    group_ids = {b.group_id for b in boards if b.group_id is not None}
    groups = {
        g.id: g
        for g in session.exec(select(Group).where(col(Group.id).in_(group_ids))).all()
        if g.id is not None
    }
    return [
        BoardPage(
            board=board,
            group=groups.get(board.group_id) if board.group_id is not None else None,
            can_post=can_post_in_board(actor, board),
            can_moderate=can_moderate_board(actor, board),
            can_administer=can_administer_board(actor, board),
        )
        for board in boards
    ]
