"""What the search index should hold for a post or a topic, read from the database."""

from sqlmodel import Session

from forum.models import Board, Post, Topic, User
from forum.search import SearchEntry
from forum.search.text import text_from_html
from forum.services.search import entry_for_post, entry_for_topic


def _author_name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else ""


def post_entries(session: Session, *, post_id: int, with_topic: bool = False) -> list[SearchEntry]:
    """The entries of a live post (and of its topic's title); none for a deleted or hidden one."""
    post = session.get(Post, post_id)
    if post is None or post.id is None or post.deleted_at or post.hidden_at:
        return []
    topic = session.get(Topic, post.topic_id)
    if topic is None or topic.id is None or topic.deleted_at:
        return []
    board = session.get(Board, topic.board_id)
    if board is None or board.id is None:
        return []
    entries = [
        entry_for_post(
            post_id=post.id,
            topic_id=topic.id,
            board_id=board.id,
            topic_title=topic.title,
            text=text_from_html(post.html),
            author_id=post.author_id,
            author_name=_author_name(session, post.author_id),
            created_at=post.created_at,
        )
    ]
    if with_topic:
        entries.insert(
            0,
            entry_for_topic(
                topic_id=topic.id,
                board_id=board.id,
                title=topic.title,
                author_id=topic.author_id,
                author_name=_author_name(session, topic.author_id),
                created_at=topic.created_at,
            ),
        )
    return entries
