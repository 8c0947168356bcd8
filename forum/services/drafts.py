"""Drafts: a member's unposted new topic or reply, saved on the server as they type.

A draft is keyed "topic:{board_id}" (a new topic in a board) or "reply:{topic_id}". Every
function checks that the member may still write there: a board or topic they can no longer
see is NotFound, and its draft is never shown.
"""

from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from forum.access import Actor, access_board, access_topic, can_post_in_board, can_see_board
from forum.errors import InvalidInput, NotFound, PermissionDenied
from forum.i18n import format_number
from forum.i18n import gettext as _
from forum.markup import strip_control
from forum.models import Board, Draft, utcnow
from forum.services.boards import BoardPage, board_page
from forum.urls import parse_id

TITLE_MAX = 200
BODY_MAX = 50_000


def topic_key(board_id: int) -> str:
    """The draft key of a new topic in a board."""
    return f"topic:{board_id}"


def reply_key(topic_id: int) -> str:
    """The draft key of a reply in a topic."""
    return f"reply:{topic_id}"


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound("drafts")  # anonymous visitors have no drafts
    return actor.user_id


def check_draft_key(session: Session, actor: Actor, key: str) -> str:
    """A well-formed key naming a board or topic the actor may write in; otherwise NotFound."""
    kind, _sep, raw = key.partition(":")
    target = parse_id(raw)
    if kind not in ("topic", "reply") or target is None:
        raise NotFound(key)
    if kind == "reply":
        access_topic(session, actor, target, for_write=True)
        return key
    board = session.get(Board, target)
    if board is None or not can_see_board(actor, board):
        raise NotFound(key)
    if not can_post_in_board(actor, board):
        raise PermissionDenied(key)
    return key


def _find(session: Session, user_id: int, key: str) -> Draft | None:
    query = select(Draft).where(col(Draft.user_id) == user_id, col(Draft.key) == key)
    return session.exec(query).first()


def save_draft(
    session: Session, *, actor: Actor, key: str, title: str = "", body: str
) -> Draft | None:
    """Keep the actor's text for later (an empty draft is discarded); None when nothing is kept."""
    user_id = _user_id(actor)
    check_draft_key(session, actor, key)
    title = strip_control(title)
    body = strip_control(body.replace("\r\n", "\n"))
    errors = {}
    if len(title) > TITLE_MAX:
        errors["title"] = _("Le titre ne doit pas dépasser %(max)s caractères.", max=TITLE_MAX)
    if len(body) > BODY_MAX:
        errors["body"] = _(
            "Le message ne doit pas dépasser %(max)s caractères (il en compte %(count)s).",
            max=format_number(BODY_MAX),
            count=format_number(len(body)),
        )
    if errors:
        raise InvalidInput(errors)
    draft = _find(session, user_id, key)
    if not title.strip() and not body.strip():
        if draft is not None:
            session.delete(draft)
        return None
    if draft is None:
        draft = Draft(user_id=user_id, key=key, body=body)
    draft.title = title
    draft.body = body
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    return draft


def get_draft(session: Session, *, actor: Actor, key: str) -> Draft | None:
    """The actor's draft for a place they may still write in; None for visitors or no draft."""
    if actor.user_id is None:
        return None
    check_draft_key(session, actor, key)
    return _find(session, actor.user_id, key)


def discard_draft(session: Session, *, actor: Actor, key: str) -> None:
    """Forget the actor's draft (after posting, or when they abandon it)."""
    if actor.user_id is None:
        return
    session.execute(delete(Draft).where(col(Draft.user_id) == actor.user_id, col(Draft.key) == key))


@dataclass(frozen=True)
class NewTopicForm:
    """The board of a new topic and the actor's saved draft for it."""

    page: BoardPage
    draft: Draft | None


def new_topic_form(session: Session, actor: Actor, slug: str) -> NewTopicForm:
    """The board the actor starts a topic in (they must be allowed to post), with their draft."""
    access_board(session, actor, slug, for_write=True)
    page = board_page(session, actor, slug)
    assert page.board.id is not None
    return NewTopicForm(
        page=page, draft=get_draft(session, actor=actor, key=topic_key(page.board.id))
    )
