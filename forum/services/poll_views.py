"""Polls as a reader sees them: options, their own choices, and results when they may see them.

Counts are shown once the poll is closed, or once the reader has voted when the poll says
"after voting"; the moderators of the board's group and administrators always see them, and
they alone see who voted for what (forum.access.can_see_poll_voters).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from babel.numbers import format_percent
from sqlalchemy import bindparam, distinct, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from forum.access import (
    Actor,
    BoardState,
    TopicState,
    access_poll,
    can_close_poll,
    can_see_poll_voters,
    can_vote_in_poll,
)
from forum.i18n import current_locale
from forum.models import (
    Board,
    Poll,
    PollOption,
    PollResults,
    PollVote,
    Post,
    Topic,
    User,
    table_of,
)
from forum.prepared import Prepared
from forum.services.polls import is_open
from forum.services.post_rows import PostRecord


@dataclass(frozen=True)
class Voter:
    """A member who chose an option, as moderators see them."""

    id: int
    display_name: str


@dataclass(frozen=True)
class OptionView:
    """One answer; votes and percent are None while the reader may not see results."""

    id: int
    label: str
    chosen: bool  # by this reader
    votes: int | None
    percent: int | None  # of the voters, rounded
    voters: tuple[Voter, ...] | None  # for moderators only

    @property
    def percent_label(self) -> str:
        """The share of voters in the reader's locale (French: « 42 % »)."""
        return format_percent((self.percent or 0) / 100, locale=current_locale())


@dataclass(frozen=True)
class PollView:
    """A poll and what this reader may do with it."""

    id: int
    post_id: int
    question: str
    multiple: bool
    max_choices: int
    closes_at: datetime | None
    closed: bool
    results_visibility: str
    options: tuple[OptionView, ...]
    results_visible: bool
    total_voters: int | None  # None while the reader may not see results
    has_voted: bool
    can_vote: bool
    can_close: bool
    show_voters: bool

    @property
    def after_closing(self) -> bool:
        """Are the results kept back until the poll closes?"""
        return self.results_visibility == PollResults.AFTER_CLOSING.value

    @property
    def limited(self) -> bool:
        """Does a multiple-choice poll cap the number of answers below the number of options?"""
        return self.multiple and self.max_choices < len(self.options)


def _counts(session: Session, poll_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """(votes by option id, distinct voters by poll id)."""
    by_option = session.exec(
        select(PollVote.option_id, func.count())
        .where(col(PollVote.poll_id).in_(poll_ids))
        .group_by(col(PollVote.option_id))
    ).all()
    by_poll = session.exec(
        select(PollVote.poll_id, func.count(distinct(col(PollVote.user_id))))
        .where(col(PollVote.poll_id).in_(poll_ids))
        .group_by(col(PollVote.poll_id))
    ).all()
    return dict(by_option), dict(by_poll)


def _voters(session: Session, poll_ids: list[int]) -> dict[int, list[Voter]]:
    """The voters of each option, alphabetically."""
    rows = session.exec(
        select(PollVote.option_id, User.id, User.display_name)
        .join(User, col(User.id) == col(PollVote.user_id))
        .where(col(PollVote.poll_id).in_(poll_ids))
        .order_by(col(User.display_name))
    ).all()
    voters: dict[int, list[Voter]] = defaultdict(list)
    for option_id, user_id, name in rows:
        assert user_id is not None
        voters[option_id].append(Voter(user_id, name))
    return voters


_POLLS = table_of(Poll)
_ANY_POLL = Prepared(
    sa_select(_POLLS.c.id).where(_POLLS.c.post_id.in_(bindparam("ids", expanding=True))).limit(1)
)


def poll_views(
    session: Session,
    actor: Actor,
    board: BoardState,
    topic: TopicState,
    posts: Sequence[Post | PostRecord],
) -> dict[int, PollView]:
    """The polls of these posts (those the reader is shown), by post id."""
    by_id = {post.id: post for post in posts if post.id is not None}
    if not by_id:
        return {}
    if not _ANY_POLL.rows(session, {"ids": list(by_id)}):
        return {}  # most pages carry no poll: one cheap query instead of the ORM's
    polls = session.exec(select(Poll).where(col(Poll.post_id).in_(list(by_id)))).all()
    if not polls:
        return {}
    poll_ids = [poll.id for poll in polls if poll.id is not None]
    options: dict[int, list[PollOption]] = defaultdict(list)
    for option in session.exec(
        select(PollOption)
        .where(col(PollOption.poll_id).in_(poll_ids))
        .order_by(col(PollOption.poll_id), col(PollOption.position))
    ).all():
        options[option.poll_id].append(option)
    votes, voters = _counts(session, poll_ids)
    mine: set[int] = set()
    if actor.user_id is not None:
        mine = set(
            session.exec(
                select(PollVote.option_id).where(
                    col(PollVote.poll_id).in_(poll_ids), col(PollVote.user_id) == actor.user_id
                )
            ).all()
        )
    show_voters = can_see_poll_voters(actor, board)
    names = _voters(session, poll_ids) if show_voters else {}
    views = {}
    for poll in polls:
        assert poll.id is not None
        post = by_id[poll.post_id]
        open_now = is_open(poll)
        has_voted = any(option.id in mine for option in options[poll.id])
        visible = (
            not open_now
            or show_voters
            or (has_voted and poll.results_visibility == PollResults.AFTER_VOTING.value)
        )
        total = voters.get(poll.id, 0)
        views[poll.post_id] = PollView(
            id=poll.id,
            post_id=poll.post_id,
            question=poll.question,
            multiple=poll.is_multiple,
            max_choices=poll.max_choices,
            closes_at=poll.closes_at,
            closed=not open_now,
            results_visibility=poll.results_visibility,
            options=tuple(
                _option(option, mine, votes, total, names, visible=visible, voters=show_voters)
                for option in options[poll.id]
            ),
            results_visible=visible,
            total_voters=total if visible else None,
            has_voted=has_voted,
            can_vote=open_now and can_vote_in_poll(actor, board, topic, post),
            can_close=open_now and can_close_poll(actor, board, post),
            show_voters=show_voters,
        )
    return views


def _option(
    option: PollOption,
    mine: set[int],
    votes: dict[int, int],
    total: int,
    names: dict[int, list[Voter]],
    *,
    visible: bool,
    voters: bool,
) -> OptionView:
    assert option.id is not None
    count = votes.get(option.id, 0)
    return OptionView(
        id=option.id,
        label=option.label,
        chosen=option.id in mine,
        votes=count if visible else None,
        percent=(round(100 * count / total) if total else 0) if visible else None,
        voters=tuple(names.get(option.id, ())) if voters else None,
    )


@dataclass(frozen=True)
class PollPage:
    """A poll on its own page, with where its post is."""

    poll: PollView
    post: Post
    topic: Topic
    board: Board


def poll_page(session: Session, actor: Actor, poll_id: int) -> PollPage:
    """A poll whose post the actor may read; hidden: NotFound."""
    poll, post, topic, board = access_poll(session, actor, poll_id)
    view = poll_views(session, actor, board, topic, [post])[post.id or 0]
    assert view.id == poll.id
    return PollPage(poll=view, post=post, topic=topic, board=board)
