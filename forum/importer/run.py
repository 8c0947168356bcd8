"""One import from archive paths to report: read everything, then thread and load it."""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from forum.db import Database
from forum.importer.batches import import_messages
from forum.importer.file_sink import LibrarySink, publish_pending
from forum.importer.folder import import_yahoo_library
from forum.importer.load import ImportOptions, Progress, check_board
from forum.importer.read import Item, read_archives
from forum.importer.report import ImportReport
from forum.importer.yahoo import yahoo_dir
from forum.search import SearchBackend


def run_import(
    db: Database,
    fmt: str,
    paths: Sequence[Path],
    options: ImportOptions,
    *,
    search: SearchBackend | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
    on_read: Callable[[Item], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Read the archives (bad messages become failures), then load what is new.

    on_progress(done, total) follows the loading phase. With the library sink, attachments
    left pending by an earlier import of the same messages are published too, and a
    yahoo-group-archiver folder's files/ and photos/ go into the board's library.
    """
    moment = now or datetime.now(UTC)
    db.reading(check_board, options.board_slug)
    messages, problems = read_archives(fmt, paths, now=moment, on_item=on_read)
    report = ImportReport()
    if since is not None:
        kept = [m for m in messages if m.date >= since]
        report.skipped_before_since = len(messages) - len(kept)
        report.messages_read += report.skipped_before_since
        messages = kept
    total = len(messages)
    progress: Progress | None = None
    if on_progress is not None:
        callback = on_progress

        def progress(done: int) -> None:
            callback(done, total)

    report = import_messages(
        db,
        messages,
        problems,
        options,
        search=search,
        now=moment,
        on_progress=progress,
        report=report,
    )
    if isinstance(options.sink, LibrarySink):
        # Attachments an import made before the file library existed left pending.
        publish_pending(db, messages, options, report)
        options.sink.discard_unrecorded(db)
        if fmt in ("yahoo", "auto") and not options.dry_run:
            _yahoo_libraries(db, paths, options.sink, options.board_slug, report)
    return report


def _yahoo_libraries(
    db: Database,
    paths: Sequence[Path],
    sink: LibrarySink,
    board_slug: str,
    report: ImportReport,
) -> None:
    """The files/ and photos/ of yahoo-group-archiver folders into the board's library
    (counted with the attachments; refused files are failures, like the folder command's)."""
    for path in paths:
        root = path.parent if path.name == "email" else path
        if not (root.is_dir() and yahoo_dir(root)):
            continue
        library = import_yahoo_library(
            db, sink.storage, root, board_slug=board_slug, max_bytes=sink.max_bytes
        )
        report.attachments_imported += library.files_added
        for failure in library.failures:
            report.fail(failure["file"], failure["reason"])
