"""Searching as a member (visible boards first, then the backend) and building index entries."""

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import anyio.to_thread
from sqlmodel import Session, select

from forum.access import Actor, visible_boards
from forum.errors import InvalidInput
from forum.i18n import gettext as _
from forum.models import Board, User
from forum.search import SearchBackend, SearchEntry, SearchQuery, SearchResult

log = logging.getLogger(__name__)

PAGE_SIZE = 20
MAX_PAGE = 20  # 400 results: as deep as SQLite ranks (forum.search.sqlite.RANK_WINDOW)
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PAGE = re.compile(r"[0-9]{1,6}")
# Documents' and files' pages come with their own issues; these are their planned addresses.
URLS = {"post": "/p/{id}", "topic": "/t/{id}", "document": "/d/{id}", "file": "/f/{id}"}


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing a search: a board (slug), an author (login), a date range, a page."""

    board: str = ""
    author: str = ""
    date_from: date | None = None
    date_to: date | None = None  # inclusive: the whole day
    page: int = 1


def _date(params: Mapping[str, str], name: str, blank: bool, errors: dict[str, str]) -> date | None:
    raw = params.get(name)
    if raw is None or (blank and raw == ""):
        return None
    try:
        if DATE.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    errors[name] = _("Indiquez une date au format AAAA-MM-JJ.")
    return None


def filters_from_params(params: Mapping[str, str], *, form: bool = False) -> SearchFilters:
    """Read the filters of an API call, or (form=True, blank fields ignored) of the search form.

    Wrong values raise InvalidInput.
    """
    errors: dict[str, str] = {}
    date_from = _date(params, "from", form, errors)
    date_to = _date(params, "to", form, errors)
    raw_page = params.get("page")
    if raw_page is None or (form and raw_page == ""):
        raw_page = "1"
    page = int(raw_page) if PAGE.fullmatch(raw_page) else 0
    if not 1 <= page <= MAX_PAGE:
        errors["page"] = _("La page doit être un nombre entre 1 et %(max)s.", max=MAX_PAGE)
    if errors:
        raise InvalidInput(errors)
    return SearchFilters(
        # No slug or login holds a NUL byte, and PostgreSQL refuses them in a query.
        board=params.get("board", "").replace("\x00", "").strip(),
        author=params.get("author", "").replace("\x00", "").strip(),
        date_from=date_from,
        date_to=date_to,
        page=page,
    )


@dataclass(frozen=True)
class SearchHit:
    """One result with the board it was found in and the page it links to."""

    result: SearchResult
    board: Board
    url: str


@dataclass(frozen=True)
class SearchOutcome:
    """A page of hits, and the boards the actor may narrow the search to."""

    text: str
    filters: SearchFilters
    hits: list[SearchHit] = field(default_factory=list)
    has_more: bool = False
    boards: list[Board] = field(default_factory=list)


def _start_of(day: date | None, zone: ZoneInfo) -> datetime | None:
    """Midnight of `day` in the site's time zone, in UTC (None when out of range)."""
    if day is None:
        return None
    try:
        return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _next_day(day: date | None) -> date | None:
    return None if day is None or day == date.max else day + timedelta(days=1)


def search_for(
    session: Session,
    *,
    actor: Actor,
    backend: SearchBackend,
    text: str,
    filters: SearchFilters,
    timezone: str = "Europe/Paris",
) -> SearchOutcome:
    """Search what the actor may read: only their visible boards are ever searched."""
    boards = visible_boards(session, actor)
    outcome = SearchOutcome(text=text, filters=filters, boards=boards)
    by_id = {board.id: board for board in boards if board.id is not None}
    board_id: int | None = None
    if filters.board:
        chosen = [board.id for board in boards if board.slug == filters.board]
        if not chosen:  # unknown and hidden boards alike: nothing found
            return outcome
        board_id = chosen[0]
    author_id: int | None = None
    if filters.author:
        author_id = session.exec(select(User.id).where(User.login == filters.author)).first()
        if author_id is None:
            return outcome
    zone = ZoneInfo(timezone)
    query = SearchQuery(
        text=text,
        board_ids=frozenset(by_id),
        board_id=board_id,
        author_id=author_id,
        date_from=_start_of(filters.date_from, zone),
        date_to=_start_of(_next_day(filters.date_to), zone),
        limit=PAGE_SIZE,
        offset=(filters.page - 1) * PAGE_SIZE,
    )
    page = backend.search(query)
    hits = [
        SearchHit(result=r, board=by_id[r.board_id], url=URLS[r.kind].format(id=r.object_id))
        for r in page.results
        if r.board_id in by_id  # the backend filtered already; a second lock on the door
    ]
    return SearchOutcome(
        text=text, filters=filters, hits=hits, has_more=page.has_more, boards=boards
    )


# Indexing: entries from plain values, written after the commit of the change.


def entry_for_post(
    *,
    post_id: int,
    topic_id: int,
    board_id: int,
    topic_title: str,
    text: str,
    author_id: int | None,
    author_name: str,
    created_at: datetime,
) -> SearchEntry:
    """The entry of a post: its plain text, shown under its topic's title."""
    return SearchEntry(
        kind="post",
        object_id=post_id,
        board_id=board_id,
        topic_id=topic_id,
        title=topic_title,
        body=text,
        author_id=author_id,
        author_name=author_name,
        created_at=created_at,
    )


def entry_for_topic(
    *,
    topic_id: int,
    board_id: int,
    title: str,
    author_id: int | None,
    author_name: str,
    created_at: datetime,
) -> SearchEntry:
    """The entry of a topic: its title (its posts are entries of their own)."""
    return SearchEntry(
        kind="topic",
        object_id=topic_id,
        board_id=board_id,
        topic_id=topic_id,
        title=title,
        body="",
        author_id=author_id,
        author_name=author_name,
        created_at=created_at,
    )


async def index_after_commit(backend: SearchBackend, *entries: SearchEntry) -> bool:
    """Index entries on a worker thread, once their data is committed; False if it failed.

    The data is saved whatever happens here: a failure is logged, not raised, so that the
    member does not send the same message twice. A rebuild restores what was missed.
    """

    def write() -> None:
        for entry in entries:
            backend.index(entry)

    try:
        await anyio.to_thread.run_sync(write)
    except Exception:
        log.exception("search indexing failed for %d entries", len(entries))
        return False
    return True
