"""A post's edits and their history: every earlier version kept, and what each edit changed.

An edit changes a post's text, its attached files, or both. A revision keeps the text as it
was before; a revision whose text equals the next version's records an edit of the attached
files only (the text is all a revision stores, and it is never saved unchanged otherwise).
"""

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from forum.access import Actor, access_post, access_topic
from forum.models import Board, Post, PostRevision, Topic, User, utcnow
from forum.services import files as file_service
from forum.services import topics as topic_service
from forum.services.post_views import PostView
from forum.services.topic_views import get_post

ADDED, REMOVED, SAME, GAP = "added", "removed", "same", "gap"
CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: added, removed, unchanged context, or a gap of unchanged lines."""

    kind: str
    text: str


@dataclass(frozen=True)
class Edit:
    """One edit: who made it, when, and what changed."""

    number: int  # 1 for the first edit
    editor_name: str
    created_at: datetime
    lines: list[DiffLine]
    files_changed: bool = False  # the text stayed the same: the attached files changed


@dataclass(frozen=True)
class PostHistory:
    """A post and its edits, newest first."""

    post: PostView
    topic: Topic
    board: Board
    edits: list[Edit]


def diff_lines(before: str, after: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """The changed lines between two texts, with a little unchanged context around them."""
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    lines: list[DiffLine] = []
    end_of_previous = 0
    for group in matcher.get_grouped_opcodes(context):
        if group[0][1] > end_of_previous:
            lines.append(DiffLine(GAP, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine(SAME, text) for text in old[i1:i2]]
                continue
            lines += [DiffLine(REMOVED, text) for text in old[i1:i2]]
            lines += [DiffLine(ADDED, text) for text in new[j1:j2]]
        end_of_previous = group[-1][2]
    if lines and end_of_previous < len(old):
        lines.append(DiffLine(GAP, ""))
    return lines


def post_revisions(session: Session, actor: Actor, post_id: int) -> PostHistory:
    """The edits of a post the actor may read (a deleted post's history is NotFound too)."""
    post = access_post(session, actor, post_id)
    topic = access_topic(session, actor, post.topic_id)
    board = session.get(Board, topic.board_id)
    assert board is not None
    rows = session.exec(
        select(PostRevision, User.display_name)
        .join(User, col(User.id) == col(PostRevision.editor_id))
        .where(col(PostRevision.post_id) == post.id)
        .order_by(col(PostRevision.created_at), col(PostRevision.id))
    ).all()
    # A revision holds the body as it was before its edit: versions are the revisions' bodies
    # in order, then the current body.
    versions = [revision.body for revision, _name in rows] + [post.body]
    edits = [
        Edit(
            number=index + 1,
            editor_name=name,
            created_at=revision.created_at,
            lines=diff_lines(versions[index], versions[index + 1]),
            files_changed=versions[index] == versions[index + 1],
        )
        for index, (revision, name) in enumerate(rows)
    ]
    edits.reverse()
    return PostHistory(
        post=get_post(session, actor, post_id), topic=topic, board=board, edits=edits
    )


def edit_post(
    session: Session,
    *,
    actor: Actor,
    post_id: int,
    body: str | None,
    file_ids: Sequence[str] | None = None,
) -> Post:
    """Change one's own post: its text (None: unchanged) and, unless None, its attached files
    (the ids it must carry, in order). Each change leaves a revision."""
    post = access_post(session, actor, post_id, for_write=True)
    assert actor.user_id is not None and post.id is not None
    before = post.body
    if body is not None:
        post = topic_service.edit_post(session, actor=actor, post_id=post_id, body=body)
    if file_ids is None:
        return post
    files_changed = file_service.set_post_files(session, actor=actor, post=post, file_ids=file_ids)
    if files_changed and post.body == before:
        now = utcnow()
        session.add(
            PostRevision(post_id=post_id, body=post.body, editor_id=actor.user_id, created_at=now)
        )
        post.edited_at = now
        session.add(post)
        session.flush()
    return post
