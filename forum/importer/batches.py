"""Running a load: threads cut into batches, one transaction each (or savepoints in a dry
run), a failing batch retried thread by thread, search indexing after each commit."""

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from forum.db import Database
from forum.errors import ForumError
from forum.importer.load import ImportOptions, Loaded, Loader, Progress, known_messages
from forum.importer.message import ParsedMessage, ReadProblem
from forum.importer.people import PeopleResolver
from forum.importer.report import ImportReport
from forum.importer.threads import Thread, thread_messages
from forum.search import SearchBackend, SearchEntry

log = logging.getLogger(__name__)


def _batches(threads: list[Thread], size: int) -> list[list[Thread]]:
    batches: list[list[Thread]] = [[]]
    count = 0
    for thread in threads:
        if count >= size:
            batches.append([])
            count = 0
        batches[-1].append(thread)
        count += len(thread.messages)
    return [b for b in batches if b]


@runtime_checkable
class BulkIndex(Protocol):
    """A search backend that indexes a batch in one transaction (both of ours do)."""

    def index_many(self, entries: Iterable[SearchEntry]) -> int:
        """Add or replace these entries."""
        ...


def _index(search: SearchBackend | None, entries: list[SearchEntry]) -> None:
    """Index committed posts; a search failure is logged, never fatal to the import."""
    if search is None:
        return
    try:
        if isinstance(search, BulkIndex):
            search.index_many(entries)
        else:
            for entry in entries:
                search.index(entry)
    except Exception:
        log.exception("import: search indexing failed; run a search rebuild")


def import_messages(
    db: Database,
    messages: list[ParsedMessage],
    problems: Sequence[ReadProblem],
    options: ImportOptions,
    *,
    search: SearchBackend | None = None,
    now: datetime,
    on_progress: Progress | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Thread and load read messages into the board; the report says what happened."""
    report = report or ImportReport()
    report.board, report.dry_run = options.board_slug, options.dry_run
    report.messages_read += len(messages) + len(problems)
    for problem in problems:
        report.fail(problem.source, problem.reason)
    known = db.reading(known_messages, options.board_slug)
    fresh = [m for m in messages if m.message_id not in known.posts]
    report.duplicates_skipped += len(messages) - len(fresh)
    alive = {message_id for message_id, post_id in known.posts.items() if post_id is not None}
    threading = thread_messages(fresh, existing=alive)
    report.duplicates_skipped += len(threading.duplicates)
    people = PeopleResolver(people_map=options.people_map, login_suffix=options.login_suffix)
    loader = Loader(options, known, people, now)
    done = report.duplicates_skipped
    if on_progress:
        on_progress(done)
    if options.dry_run:
        with db.write() as session:
            transaction = session.begin()
            try:
                for batch in _batches(threading.threads, options.batch_size):
                    _account(report, _load_isolated(session, loader, batch, report))
            finally:
                transaction.rollback()
        done += len(fresh) - len(threading.duplicates)
        if on_progress:
            on_progress(done)
    else:
        for batch in _batches(threading.threads, options.batch_size):
            loaded = _load_batch(db, loader, batch, report)
            _account(report, loaded)
            _index(search, loaded.entries)
            done += sum(len(t.messages) for t in batch)
            if on_progress:
                on_progress(done)
    report.people_matched += len(people.matched)
    report.placeholders_created += len(people.placeholders_created)
    return report


def _account(report: ImportReport, loaded: Loaded) -> None:
    report.topics_created += loaded.topics
    report.posts_created += loaded.posts
    report.attachments_imported += loaded.attachments
    report.attachments_pending += loaded.pending
    for message in loaded.messages:
        report.note_flags(message)


FAILURES = (ForumError, SQLAlchemyError, ValueError, KeyError)


def _load_batch(db: Database, loader: Loader, batch: list[Thread], report: ImportReport) -> Loaded:
    """One transaction for the batch; if it fails, one per thread, failures reported."""
    loader.prepare_attachments(batch)
    try:
        with db.write() as session, session.begin():
            loaded = loader.load(session, batch)
        loader.people.committed()
        return loaded
    except FAILURES:
        loader.people.forget_uncommitted()
    total = Loaded()
    for thread in batch:
        try:
            with db.write() as session, session.begin():
                part = loader.load(session, [thread])
            loader.people.committed()
        except FAILURES as exc:
            loader.people.forget_uncommitted()
            for message in thread.messages:
                report.fail(message.message_id, _describe(exc))
            continue
        _merge(total, part)
    return total


def _load_isolated(
    session: Session, loader: Loader, batch: list[Thread], report: ImportReport
) -> Loaded:
    """The dry run's batch: savepoints instead of transactions, same isolation of failures."""
    total = Loaded()
    for thread in batch:
        try:
            with session.begin_nested():
                part = loader.load(session, [thread])
            loader.people.committed()
        except FAILURES as exc:
            loader.people.forget_uncommitted()
            for message in thread.messages:
                report.fail(message.message_id, _describe(exc))
            continue
        _merge(total, part)
    return total


def _merge(total: Loaded, part: Loaded) -> None:
    total.topics += part.topics
    total.posts += part.posts
    total.attachments += part.attachments
    total.pending += part.pending
    total.entries += part.entries
    total.messages += part.messages


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SQLAlchemyError):
        return "base de données : " + (str(exc).splitlines() or [type(exc).__name__])[0]
    return str(exc) or type(exc).__name__
