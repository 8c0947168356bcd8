"""What notifies a member: their settings, the topics they watch or mute, the boards they watch."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from forum.access import Actor, access_board, access_topic, visible_boards_clause
from forum.errors import InvalidInput, NotFound
from forum.i18n import gettext as _
from forum.models import Board, BoardWatch, NotificationSetting, Topic, TopicWatch, utcnow
from forum.services.notifications import MUTED, WATCHING

NORMAL = "normal"
TOPIC_LEVELS = (NORMAL, WATCHING, MUTED)
SETTING_NAMES = ("mentions", "group_mentions", "post_replies", "topic_replies")


def _member(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound("notifications")
    return actor.user_id


def settings_of(session: Session, actor: Actor) -> dict[str, bool]:
    """The actor's choices, name -> on (no row yet: everything on)."""
    row = session.get(NotificationSetting, _member(actor))
    return {name: getattr(row, name) if row else True for name in SETTING_NAMES}


def save_settings(session: Session, *, actor: Actor, chosen: set[str]) -> dict[str, bool]:
    """Turn on the kinds named in chosen, off the others."""
    user_id = _member(actor)
    unknown = chosen - set(SETTING_NAMES)
    if unknown:
        raise InvalidInput({"settings": _("Choix de notification inconnu.")})
    row = session.get(NotificationSetting, user_id) or NotificationSetting(user_id=user_id)
    for name in SETTING_NAMES:
        setattr(row, name, name in chosen)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return settings_of(session, actor)


@dataclass(frozen=True)
class TopicFollowing:
    """A topic and the actor's choice for it."""

    topic: Topic
    board: Board
    level: str


def topic_following(session: Session, actor: Actor, topic_id: int) -> TopicFollowing:
    """The actor's choice for a topic they may read."""
    user_id = _member(actor)
    topic = access_topic(session, actor, topic_id)
    board = session.get(Board, topic.board_id)
    assert board is not None
    row = session.exec(
        select(TopicWatch).where(TopicWatch.user_id == user_id, TopicWatch.topic_id == topic.id)
    ).first()
    return TopicFollowing(topic=topic, board=board, level=row.level if row else NORMAL)


def set_topic_level(session: Session, *, actor: Actor, topic_id: int, level: str) -> str:
    """Watch, mute, or go back to the default for a topic the actor may read."""
    user_id = _member(actor)
    if level not in TOPIC_LEVELS:
        raise InvalidInput({"level": _("Choix de suivi inconnu.")})
    topic = access_topic(session, actor, topic_id)
    row = session.exec(
        select(TopicWatch).where(TopicWatch.user_id == user_id, TopicWatch.topic_id == topic.id)
    ).first()
    if level == NORMAL:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(TopicWatch(user_id=user_id, topic_id=topic.id or 0, level=level))
    else:
        row.level = level
        session.add(row)
    session.flush()
    return level


@dataclass(frozen=True)
class BoardFollowing:
    """A board and whether the actor watches it."""

    board: Board
    watching: bool


def board_following(session: Session, actor: Actor, slug: str) -> BoardFollowing:
    """Whether the actor watches a board they may read."""
    user_id = _member(actor)
    board = access_board(session, actor, slug)
    row = session.exec(
        select(BoardWatch).where(BoardWatch.user_id == user_id, BoardWatch.board_id == board.id)
    ).first()
    return BoardFollowing(board=board, watching=row is not None)


def set_board_watch(session: Session, *, actor: Actor, slug: str, watching: bool) -> bool:
    """Start or stop watching a board the actor may read."""
    user_id = _member(actor)
    board = access_board(session, actor, slug)
    row = session.exec(
        select(BoardWatch).where(BoardWatch.user_id == user_id, BoardWatch.board_id == board.id)
    ).first()
    if watching and row is None:
        session.add(BoardWatch(user_id=user_id, board_id=board.id or 0))
    elif not watching and row is not None:
        session.delete(row)
    session.flush()
    return watching


@dataclass(frozen=True)
class NotificationSettingsPage:
    """The settings page: choices, and the topics and boards followed (visible ones only)."""

    settings: dict[str, bool]
    topics: list[TopicFollowing]
    boards: list[Board]


def settings_page(session: Session, actor: Actor) -> NotificationSettingsPage:
    """What the actor has chosen, among what they may still read."""
    user_id = _member(actor)
    topic_rows = session.exec(
        select(TopicWatch, Topic, Board)
        .join(Topic, col(Topic.id) == col(TopicWatch.topic_id))
        .join(Board, col(Board.id) == col(Topic.board_id))
        .where(
            TopicWatch.user_id == user_id,
            col(Topic.deleted_at).is_(None),
            visible_boards_clause(actor),
        )
        .order_by(col(Topic.last_post_at).desc())
    ).all()
    boards = session.exec(
        select(Board)
        .join(BoardWatch, col(BoardWatch.board_id) == col(Board.id))
        .where(BoardWatch.user_id == user_id, visible_boards_clause(actor))
        .order_by(col(Board.position), col(Board.name))
    ).all()
    return NotificationSettingsPage(
        settings=settings_of(session, actor),
        topics=[TopicFollowing(topic=t, board=b, level=w.level) for w, t, b in topic_rows],
        boards=list(boards),
    )
