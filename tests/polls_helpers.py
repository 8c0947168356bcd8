"""Helpers for the poll tests: topics carrying a poll, votes through the service, stored rows."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from forum.db import Database
from forum.models import Poll, PollOption, PollVote, utcnow
from forum.services import polls as poll_service
from forum.services import topics as topic_service
from tests.conftest import Member
from tests.discussions import actor


def draft(
    question: str = "Validez-vous la fiche d'activité ?",
    options: tuple[str, ...] = ("Oui", "Non", "Je m'abstiens"),
    **rules: object,
) -> poll_service.PollDraft:
    """A poll as a form or a script would submit it."""
    return poll_service.PollDraft(question=question, options=options, **rules)  # type: ignore[arg-type]


def topic_with_poll(
    db: Database, member: Member, board: str, poll: poll_service.PollDraft | None = None
) -> tuple[int, int]:
    """Start a topic whose first post carries a poll: (topic id, poll id)."""
    topic = db.transaction(
        topic_service.start_topic,
        actor=actor(db, member),
        board_slug=board,
        title="Validation de la fiche",
        body="Merci de voter avant vendredi.",
        poll=poll or draft(),
    )
    assert topic.id is not None
    poll_id = db.reading(
        lambda session: session.exec(
            select(Poll.id).where(col(Poll.post_id) == topic.first_post_id)
        ).one()
    )
    assert isinstance(poll_id, int)
    return topic.id, poll_id


def option_ids(db: Database, poll_id: int) -> list[int]:
    """A poll's option ids, in their order."""

    def read(session: Session) -> list[int]:
        rows = session.exec(
            select(PollOption.id)
            .where(col(PollOption.poll_id) == poll_id)
            .order_by(col(PollOption.position))
        ).all()
        return [row for row in rows if row is not None]

    return db.reading(read)


def vote(db: Database, member: Member, poll_id: int, *options: int) -> None:
    """Vote through the service."""
    db.transaction(
        poll_service.cast_vote, actor=actor(db, member), poll_id=poll_id, option_ids=list(options)
    )


def votes_of(db: Database, member: Member, poll_id: int) -> set[int]:
    """The options a member chose in a poll, as stored."""
    return set(
        db.reading(
            lambda session: session.exec(
                select(PollVote.option_id).where(
                    col(PollVote.poll_id) == poll_id, col(PollVote.user_id) == member.id
                )
            ).all()
        )
    )


def poll_count(db: Database) -> int:
    """Polls in the whole database."""
    count: int = db.reading(lambda session: session.exec(select(func.count(col(Poll.id)))).one())
    return count


def set_closing(db: Database, poll_id: int, moment: datetime | None) -> None:
    """Move a poll's closing time directly (e.g. into the past, as time passing would)."""

    def write(session: Session) -> None:
        poll = session.get(Poll, poll_id)
        assert poll is not None
        poll.closes_at = moment
        session.add(poll)

    db.transaction(write)


def in_days(days: float) -> datetime:
    """A moment this many days from now."""
    return utcnow() + timedelta(days=days)
