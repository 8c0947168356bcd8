"""Turning received files into recorded ones: check and re-encode on worker threads, then record.

Shared by the library page, the post forms and the JSON API. Image work happens outside any
transaction, a few at a time (a decoded photo takes a lot of memory); the rows are then written
in one transaction that checks access and quotas again. Blobs left on disk by a refusal are
removed when no row names them.
"""

from functools import partial

import anyio.to_thread
from starlette.datastructures import State

from forum.access import Actor
from forum.db import Database
from forum.files.intake import PreparedFile, prepare_file
from forum.files.storage import FileStorage
from forum.files.upload import ReceivedFile
from forum.models import File
from forum.services import files as file_service
from forum.settings import Settings

MB = 1024 * 1024


def quotas(settings: Settings) -> file_service.Quotas:
    """The quotas of the settings, in bytes."""
    return file_service.Quotas(
        member=settings.member_quota_mb * MB, board=settings.board_quota_mb * MB
    )


def max_file_bytes(settings: Settings) -> int:
    """The per-file limit, in bytes."""
    return settings.max_upload_mb * MB


async def accept_files(
    state: State,
    actor: Actor,
    received: list[ReceivedFile],
    *,
    board_slug: str,
    folder_id: int | None = None,
) -> list[File]:
    """Check, store and record received files in a board; InvalidInput(file=…) when refused.

    Every received temporary file is consumed (moved into the storage or removed).
    """
    storage: FileStorage = state.storage
    db: Database = state.db
    prepared: list[PreparedFile] = []
    try:
        # Cheap checks first: no image work for a board one may not write in, or a full quota.
        await db.run_read(
            file_service.check_can_add,
            actor=actor,
            board_slug=board_slug,
            adding=sum(item.size for item in received),
            quotas=quotas(state.settings),
        )
        for item in received:
            work = partial(prepare_file, storage, item.path, item.filename, item.sha256)
            prepared.append(await anyio.to_thread.run_sync(work, limiter=state.image_limiter))
        return await db.run_in_transaction(
            file_service.add_files,
            actor=actor,
            board_slug=board_slug,
            prepared=prepared,
            quotas=quotas(state.settings),
            folder_id=folder_id,
        )
    except BaseException:
        for item in received:
            item.path.unlink(missing_ok=True)
        shas = [sha for done in prepared for sha in done.blobs()]
        orphans = await db.run_read(file_service.unreferenced_blobs, shas)
        for sha in orphans:
            storage.delete(sha)
        raise
