"""Every entry the search index should hold, read from the database in one pass."""

from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import col

from forum.models import Post, Topic, User
from forum.search import SearchEntry
from forum.search.text import text_from_html
from forum.services.documents import all_document_entries
from forum.services.search import entry_for_post, entry_for_topic

CHUNK = 2_000

# Other kinds (documents, files) add their own sources here, each yielding SearchEntry.
EXTRA_SOURCES: list[Callable[[Engine], Iterator[SearchEntry]]] = []


def _topics(engine: Engine) -> Iterator[SearchEntry]:
    author = aliased(User)
    statement = (
        select(col(Topic.id), col(Topic.board_id), col(Topic.title), col(Topic.author_id))
        .add_columns(col(author.display_name))
        .add_columns(col(Topic.created_at))
        .join(author, col(author.id) == col(Topic.author_id), isouter=True)
        .where(col(Topic.deleted_at).is_(None))
        .order_by(col(Topic.id))
    )
    with engine.connect() as connection:
        for row in connection.execution_options(yield_per=CHUNK).execute(statement):
            topic_id, board_id, title, author_id, author_name, created_at = row
            yield entry_for_topic(
                topic_id=topic_id,
                board_id=board_id,
                title=title,
                author_id=author_id,
                author_name=author_name or "",
                created_at=created_at,
            )


def _posts(engine: Engine) -> Iterator[SearchEntry]:
    author = aliased(User)
    statement = (
        select(col(Post.id), col(Post.topic_id), col(Topic.board_id), col(Topic.title))
        .add_columns(col(Post.html), col(Post.author_id), col(author.display_name))
        .add_columns(col(Post.created_at))
        .join(Topic, col(Topic.id) == col(Post.topic_id))
        .join(author, col(author.id) == col(Post.author_id), isouter=True)
        .where(
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
            col(Topic.deleted_at).is_(None),
        )
        .order_by(col(Post.id))
    )
    with engine.connect() as connection:
        for row in connection.execution_options(yield_per=CHUNK).execute(statement):
            post_id, topic_id, board_id, title, html, author_id, author_name, created_at = row
            yield entry_for_post(
                post_id=post_id,
                topic_id=topic_id,
                board_id=board_id,
                topic_title=title,
                text=text_from_html(html),
                author_id=author_id,
                author_name=author_name or "",
                created_at=created_at,
            )


def all_entries(engine: Engine) -> Iterator[SearchEntry]:
    """Live topics, then their live (not deleted, not hidden) posts, then other sources."""
    yield from _topics(engine)
    yield from _posts(engine)
    for source in EXTRA_SOURCES:
        yield from source(engine)


EXTRA_SOURCES.append(all_document_entries)
