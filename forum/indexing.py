"""After-commit search indexing of posts and topics, shared by the pages and the API."""

import logging

import anyio.to_thread
from starlette.datastructures import State

from forum.db import Database
from forum.search import SearchBackend
from forum.services import moderation, search_entries
from forum.services.search import index_after_commit

log = logging.getLogger(__name__)


async def index_post(state: State, post_id: int, *, with_topic: bool = False) -> None:
    """Index (or re-index) a committed post, and its topic's title when asked."""
    db: Database = state.db
    entries = await db.run_read(search_entries.post_entries, post_id=post_id, with_topic=with_topic)
    if entries:
        await index_after_commit(state.search, *entries)
    else:
        await unindex_post(state, post_id)


async def index_topic(state: State, topic_id: int, first_post_id: int | None) -> None:
    """Index a new topic: its title and its first post."""
    if first_post_id is not None:
        await index_post(state, first_post_id, with_topic=True)


async def unindex_post(state: State, post_id: int) -> None:
    """Take a deleted or hidden post out of the index (a failure is logged, never raised)."""
    backend: SearchBackend = state.search
    try:
        await anyio.to_thread.run_sync(backend.remove, "post", post_id)
    except Exception:
        log.exception("search: could not remove post %s", post_id)


async def move_topic(state: State, topic_id: int, board_id: int) -> None:
    """A committed move: the topic's entries now belong to another board (logged on failure)."""
    backend: SearchBackend = state.search
    try:
        await anyio.to_thread.run_sync(lambda: backend.update_topic(topic_id, board_id=board_id))
    except Exception:
        log.exception("search: could not move topic %s", topic_id)


async def remove_topic(state: State, topic_id: int) -> None:
    """Take a deleted topic and its posts out of the index (logged on failure)."""
    backend: SearchBackend = state.search
    try:
        await anyio.to_thread.run_sync(backend.remove_topic, topic_id)
    except Exception:
        log.exception("search: could not remove topic %s", topic_id)


async def index_posts(state: State, post_ids: list[int], *, first_post_id: int | None) -> None:
    """Re-index posts (e.g. of a restored or split topic), the topic's title with its first."""
    for post_id in post_ids:
        await index_post(state, post_id, with_topic=post_id == first_post_id)


async def reindex_topic(state: State, topic_id: int, first_post_id: int | None) -> None:
    """Index every live post of a committed topic again, e.g. once it is restored."""
    db: Database = state.db
    post_ids = await db.run_read(moderation.live_post_ids, topic_id=topic_id)
    await index_posts(state, post_ids, first_post_id=first_post_id)
