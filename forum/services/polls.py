"""Polls carried by posts: read from a form or JSON, created with their post, votes, closing.

A poll is created in the same transaction as its post (start_topic and post_reply call
clean_poll with the other fields, then attach_poll). Votes can be changed until the poll
closes; a single-choice poll keeps one vote per member. What a reader sees of a poll is in
forum.services.poll_views.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, select

from forum.access import Actor, access_poll, can_close_poll, can_vote_in_poll
from forum.errors import FieldErrors, InvalidInput, PermissionDenied
from forum.i18n import gettext as _
from forum.i18n import ngettext
from forum.models import Poll, PollOption, PollResults, PollVote, Post, utcnow

QUESTION_MAX = 300
OPTION_MAX = 200
OPTIONS_MIN, OPTIONS_MAX = 2, 20
RESULTS = tuple(r.value for r in PollResults)
LIMITS = {
    "question_max": QUESTION_MAX,
    "option_max": OPTION_MAX,
    "options_min": OPTIONS_MIN,
    "options_max": OPTIONS_MAX,
}

# The form's field names; errors are reported under the same names (API included).
QUESTION, OPTIONS, KIND, MAX_CHOICES = "poll_question", "poll_options", "poll_kind", "poll_max"
CLOSES_ON, CLOSES_TIME, RESULTS_FIELD = "poll_closes_on", "poll_closes_time", "poll_results"
SINGLE, MULTIPLE = "single", "multiple"
CHOICES = "options"  # the field of a vote

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DAY_FR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_TIME = re.compile(r"(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?")


@dataclass(frozen=True)
class PollDraft:
    """A poll as submitted, not yet checked; `problems` holds what could not even be read."""

    question: str
    options: tuple[str, ...]
    multiple: bool = False
    max_choices: int | None = None
    closes_at: datetime | None = None
    results: str = PollResults.AFTER_VOTING.value
    problems: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PollSpec:
    """A checked poll, ready to be stored with its post."""

    question: str
    options: tuple[str, ...]
    multiple: bool
    max_choices: int
    closes_at: datetime | None
    results: str


def _line(raw: str) -> str:
    return " ".join(_CONTROL.sub(" ", raw).split())


def _closing(day: str, moment: str, timezone: str) -> datetime | None:
    """A closing date (YYYY-MM-DD or DD/MM/YYYY) and time (HH:MM, 18h30; none: 23:59)."""
    day, moment = day.strip(), moment.strip()
    if not day:
        if moment:
            raise InvalidInput({CLOSES_ON: _("Indiquez aussi la date de clôture.")})
        return None
    try:
        french = _DAY_FR.fullmatch(day)
        if french:
            when = date(int(french[3]), int(french[2]), int(french[1]))
        else:
            when = date.fromisoformat(day)
        hour, minute = 23, 59
        if moment:
            parts = _TIME.fullmatch(moment)
            if parts is None:
                raise ValueError(moment)
            hour, minute = int(parts[1]), int(parts[2] or 0)
        at = time(hour, minute)
        return datetime.combine(when, at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(
            {CLOSES_ON: _("Date ou heure de clôture illisible (par exemple 31/12/2026 et 18:00).")}
        ) from None


def poll_from_form(values: Mapping[str, str], *, timezone: str) -> PollDraft | None:
    """The poll of a new-topic or reply form; None when its fieldset was left empty."""
    question, options = values.get(QUESTION, ""), values.get(OPTIONS, "")
    if not question.strip() and not options.strip():
        return None
    problems: dict[str, str] = {}
    multiple = values.get(KIND) == MULTIPLE
    max_raw = values.get(MAX_CHOICES, "").strip() if multiple else ""  # single: always 1
    max_choices = None
    if max_raw.isascii() and max_raw.isdigit() and len(max_raw) <= 3:
        max_choices = int(max_raw)
    elif max_raw:
        problems[MAX_CHOICES] = _("Indiquez un nombre entier.")
    closes_at = None
    try:
        closes_at = _closing(values.get(CLOSES_ON, ""), values.get(CLOSES_TIME, ""), timezone)
    except InvalidInput as exc:
        problems.update(exc.errors)
    return PollDraft(
        question=question,
        options=tuple(options.splitlines()),
        multiple=multiple,
        max_choices=max_choices,
        closes_at=closes_at,
        results=values.get(RESULTS_FIELD) or PollResults.AFTER_VOTING.value,
        problems=problems,
    )


def _json_closing(raw: object, problems: dict[str, str]) -> datetime | None:
    if raw is None:
        return None
    try:
        if not isinstance(raw, str):
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw.strip())
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        problems[CLOSES_ON] = _("Date et heure ISO 8601 attendues, par exemple 2026-12-31T18:00Z.")
        return None


def poll_from_json(raw: object) -> PollDraft | None:
    """The `poll` object of an API request; None (or absent) means no poll."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidInput({"poll": _("Objet attendu.")})
    problems: dict[str, str] = {}
    question = raw.get("question", "")
    if not isinstance(question, str):
        problems[QUESTION], question = _("Texte attendu."), ""
    options = raw.get("options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        problems[OPTIONS], options = _("Liste de textes attendue."), []
    multiple = raw.get("multiple", False)
    if not isinstance(multiple, bool):
        problems[KIND], multiple = _("Vrai ou faux attendu."), False
    max_choices = raw.get("max_choices")
    if max_choices is not None and (
        not isinstance(max_choices, int) or isinstance(max_choices, bool)
    ):
        problems[MAX_CHOICES], max_choices = _("Nombre entier attendu."), None
    results = raw.get("results_visibility", PollResults.AFTER_VOTING.value)
    if not isinstance(results, str):
        results = ""
    return PollDraft(
        question=question,
        options=tuple(options),
        multiple=multiple,
        max_choices=max_choices,
        closes_at=_json_closing(raw.get("closes_at"), problems),
        results=results,
        problems=problems,
    )


def _clean_question(raw: str) -> str:
    question = _line(raw)
    if not question:
        raise InvalidInput({QUESTION: _("La question du sondage est vide.")})
    if len(question) > QUESTION_MAX:
        raise InvalidInput(
            {QUESTION: _("La question ne doit pas dépasser %(max)s caractères.", max=QUESTION_MAX)}
        )
    return question


def _clean_options(raw: Sequence[str]) -> tuple[str, ...]:
    options = tuple(label for label in (_line(o) for o in raw) if label)
    if not OPTIONS_MIN <= len(options) <= OPTIONS_MAX:
        message = _(
            "Un sondage propose de %(min)s à %(max)s réponses, une par ligne "
            "(il y en a %(count)s).",
            min=OPTIONS_MIN,
            max=OPTIONS_MAX,
            count=len(options),
        )
        raise InvalidInput({OPTIONS: message})
    seen: set[str] = set()
    for label in options:
        if len(label) > OPTION_MAX:
            message = _(
                "Chaque réponse compte au plus %(max)s caractères : "
                "« %(label)s… » est trop longue.",
                max=OPTION_MAX,
                label=label[:30],
            )
            raise InvalidInput({OPTIONS: message})
        if label.casefold() in seen:
            raise InvalidInput(
                {OPTIONS: _("La réponse « %(label)s » figure deux fois.", label=label)}
            )
        seen.add(label.casefold())
    return options


def _clean_max(draft: PollDraft, count: int | None) -> int:
    if not draft.multiple:
        return 1
    if count is None:  # the options are wrong already: their message is enough
        return 0
    if draft.max_choices is None:
        return count
    if not 2 <= draft.max_choices <= count:
        raise InvalidInput(
            {
                MAX_CHOICES: _(
                    "Pour un choix multiple, le nombre de réponses possibles va de 2 à %(max)s.",
                    max=count,
                )
            }
        )
    return draft.max_choices


def clean_poll(draft: PollDraft | None, *, now: datetime | None = None) -> PollSpec | None:
    """Check a submitted poll (every problem at once); None stays None."""
    if draft is None:
        return None
    fields = FieldErrors()
    for name, message in draft.problems.items():
        fields.add(name, message)
    question = fields.check(lambda: _clean_question(draft.question))
    options = fields.check(lambda: _clean_options(draft.options))
    count = len(options) if options is not None else None
    max_choices = fields.check(lambda: _clean_max(draft, count))
    if draft.results not in RESULTS:
        fields.add(RESULTS_FIELD, _("Choisissez quand les résultats sont visibles."))
    if draft.closes_at is not None and draft.closes_at <= (now or utcnow()):
        fields.add(CLOSES_ON, _("La date de clôture est déjà passée."))
    fields.raise_if_any()
    return PollSpec(
        question=question,
        options=options,
        multiple=draft.multiple,
        max_choices=max_choices,
        closes_at=draft.closes_at,
        results=draft.results,
    )


def attach_poll(session: Session, *, post: Post, spec: PollSpec | None) -> Poll | None:
    """Store a checked poll with its (just written) post; nothing for None."""
    if spec is None:
        return None
    assert post.id is not None
    poll = Poll(
        post_id=post.id,
        question=spec.question,
        is_multiple=spec.multiple,
        max_choices=spec.max_choices,
        closes_at=spec.closes_at,
        results_visibility=spec.results,
    )
    session.add(poll)
    session.flush()
    assert poll.id is not None
    for position, label in enumerate(spec.options, start=1):
        session.add(PollOption(poll_id=poll.id, position=position, label=label))
    session.flush()
    return poll


def is_open(poll: Poll, now: datetime | None = None) -> bool:
    """Does the poll still take votes?"""
    if poll.is_closed:
        return False
    return poll.closes_at is None or (now or utcnow()) < poll.closes_at


def _choices(session: Session, poll: Poll, option_ids: Sequence[int]) -> list[int]:
    """The distinct options chosen, checked against the poll's rules."""
    if not option_ids:
        raise InvalidInput({CHOICES: _("Choisissez au moins une réponse.")})
    chosen = list(dict.fromkeys(option_ids))
    known = set(session.exec(select(PollOption.id).where(col(PollOption.poll_id) == poll.id)).all())
    if any(option_id not in known for option_id in chosen):
        raise InvalidInput({CHOICES: _("Cette réponse ne fait pas partie du sondage.")})
    if not poll.is_multiple and len(chosen) > 1:
        raise InvalidInput({CHOICES: _("Ce sondage n'accepte qu'une seule réponse.")})
    if len(chosen) > poll.max_choices:
        message = ngettext(
            "Vous pouvez choisir au plus %(num)s réponse.",
            "Vous pouvez choisir au plus %(num)s réponses.",
            poll.max_choices,
        )
        raise InvalidInput({CHOICES: message})
    return chosen


def cast_vote(session: Session, *, actor: Actor, poll_id: int, option_ids: Sequence[int]) -> Post:
    """Vote (or change one's vote) in an open poll of a board the actor may post in.

    Returns the post that carries the poll.
    """
    poll, post, topic, board = access_poll(session, actor, poll_id)
    if not can_vote_in_poll(actor, board, topic, post):
        raise PermissionDenied(f"poll {poll_id}")
    assert actor.user_id is not None and poll.id is not None  # can_vote: a member
    # Votes of one poll queue on its row (PostgreSQL; SQLite writes one at a time anyway), so
    # that two quick submissions can't leave two votes in a single-choice poll.
    session.refresh(poll, with_for_update=True)
    if not is_open(poll):
        raise InvalidInput({CHOICES: _("Ce sondage est clos : il n'accepte plus de votes.")})
    chosen = _choices(session, poll, option_ids)
    mine = col(PollVote.poll_id) == poll.id, col(PollVote.user_id) == actor.user_id
    current = set(session.exec(select(PollVote.option_id).where(*mine)).all())
    if current == set(chosen):
        return post
    session.execute(delete(PollVote).where(*mine))
    now = utcnow()
    for option_id in chosen:
        session.add(
            PollVote(poll_id=poll.id, option_id=option_id, user_id=actor.user_id, created_at=now)
        )
    session.flush()
    return post


def close_poll(session: Session, *, actor: Actor, poll_id: int) -> Post:
    """Close a poll before its date (its post's author or a moderator); closing twice is fine."""
    poll, post, _topic, board = access_poll(session, actor, poll_id)
    if not can_close_poll(actor, board, post):
        raise PermissionDenied(f"poll {poll_id}")
    session.refresh(poll, with_for_update=True)
    if is_open(poll):
        poll.is_closed = True
        poll.closes_at = utcnow()
        session.add(poll)
        session.flush()
    return post
