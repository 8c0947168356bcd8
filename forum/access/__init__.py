"""Every permission decision: who sees, posts in and administers which board.

`access_*` functions fetch one object for an actor and raise NotFound both when it is
missing and when it is hidden; `can_*` predicates answer yes/no for templates;
`visible_boards` is the one filter every listing and search goes through.

The member directory (profiles and organisations) exists for signed-in members only: to
anyone else its pages are a 404. An e-mail address is shown when its owner chose to show it
(administrators and the owner always see it). An organisation's page is changed by
administrators and by the members who name it as their organisation in their profile: that
affiliation is self-declared, shown on the profile, and each change records who made it.

The actor of a request is built in forum.access.actor and the directory's rules live in
forum.access.directory; both are re-exported here, and callers import from forum.access.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, false, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from forum.access.actor import ANONYMOUS as ANONYMOUS
from forum.access.actor import Actor as Actor
from forum.access.actor import actor_for as actor_for
from forum.access.actor import member_actor as member_actor
from forum.access.directory import access_directory as access_directory
from forum.access.directory import access_member as access_member
from forum.access.directory import access_organisation as access_organisation
from forum.access.directory import can_create_organisation as can_create_organisation
from forum.access.directory import can_edit_organisation as can_edit_organisation
from forum.access.directory import can_see_directory as can_see_directory
from forum.access.directory import can_see_email as can_see_email
from forum.access.directory import can_see_profile as can_see_profile
from forum.access.directory import member_organisation_id as member_organisation_id
from forum.access.directory import visible_groups as visible_groups
from forum.access.rows import read_board as read_board
from forum.access.rows import read_topic_and_board as read_topic_and_board
from forum.access.rules import MAX_ID as MAX_ID
from forum.access.rules import BoardState as BoardState
from forum.access.rules import PostState as PostState
from forum.access.rules import TopicState as TopicState
from forum.access.rules import can_administer_board as can_administer_board
from forum.access.rules import can_administer_site as can_administer_site
from forum.access.rules import can_edit_post as can_edit_post
from forum.access.rules import can_moderate_board as can_moderate_board
from forum.access.rules import can_post_in_board as can_post_in_board
from forum.access.rules import can_see_board as can_see_board
from forum.access.rules import can_see_visibility as can_see_visibility
from forum.access.rules import can_write_in_topic as can_write_in_topic
from forum.access.rules import check_board, check_topic
from forum.access.statements import BOARDS as _BOARDS
from forum.access.statements import MEMBER_VISIBLE_BOARDS as MEMBER_VISIBLE_BOARDS
from forum.access.statements import VisibleBoardsStatements as VisibleBoardsStatements
from forum.access.statements import member_visibility_params as member_visibility_params
from forum.errors import NotFound, PermissionDenied
from forum.models import (
    Board,
    Document,
    File,
    Group,
    Poll,
    Post,
    Role,
    StoredBlob,
    Topic,
    Visibility,
    table_of,
)


def visible_boards_clause(actor: Actor):  # type: ignore[no-untyped-def]
    """The SQL condition selecting the boards the actor may read."""
    if actor.is_authenticated and actor.is_admin:
        return True
    if not actor.is_authenticated:
        return col(Board.visibility) == Visibility.PUBLIC.value
    group_ids = list(actor.roles)
    return or_(
        col(Board.visibility).in_([Visibility.PUBLIC.value, Visibility.MEMBERS.value]),
        col(Board.group_id).in_(group_ids) if group_ids else false(),
    )


def visible_boards(session: Session, actor: Actor) -> list[Board]:
    """The boards the actor may read, in display order."""
    query = select(Board).where(visible_boards_clause(actor))
    return list(session.exec(query.order_by(col(Board.position), col(Board.name))).all())


_BOARD_BY_SLUG = select(Board).where(Board.slug == bindparam("slug"))  # built once


def access_board(session: Session, actor: Actor, slug: str, *, for_write: bool = False) -> Board:
    """Fetch a board the actor may read (and, with for_write, post in); hidden means NotFound."""
    board = session.exec(_BOARD_BY_SLUG, params={"slug": slug}).first()
    if board is None:
        raise NotFound(slug)
    check_board(actor, board, slug, for_write=for_write)
    return board


def access_site_admin(actor: Actor) -> None:
    """Let only site administrators through; to anyone else the admin pages don't exist."""
    if not can_administer_site(actor):
        raise NotFound("admin")


def access_group(session: Session, actor: Actor, slug: str) -> Group:
    """Fetch a group its members and admins may see; to others it doesn't exist."""
    group = session.exec(select(Group).where(Group.slug == slug)).first()
    if group is None or not (actor.is_admin or actor.in_group(group.id)):
        raise NotFound(slug)
    return group


# One round trip for a topic and its board, on every page of a topic.
_TOPIC_AND_BOARD = (
    select(Topic, Board)
    .join(Board, col(Board.id) == Topic.board_id)
    .where(Topic.id == bindparam("topic_id"))
)


def access_topic(
    session: Session, actor: Actor, topic_id: int, *, for_write: bool = False
) -> Topic:
    """Fetch a topic the actor may read (for_write: reply in it); hidden: NotFound.

    A deleted topic is NotFound except to administrators, who may read (not write) it to
    restore it.
    """
    return access_topic_and_board(session, actor, topic_id, for_write=for_write)[0]


def access_topic_and_board(
    session: Session, actor: Actor, topic_id: int, *, for_write: bool = False
) -> tuple[Topic, Board]:
    """access_topic, with the topic's board (one query for both)."""
    found = (
        session.exec(_TOPIC_AND_BOARD, params={"topic_id": topic_id}).first()
        if 0 < topic_id <= MAX_ID
        else None
    )
    if found is None:
        raise NotFound(f"topic {topic_id}")
    topic, board = found
    check_topic(actor, topic, board, for_write=for_write)
    return topic, board


def access_post(session: Session, actor: Actor, post_id: int, *, for_write: bool = False) -> Post:
    """Fetch a post the actor may read (with for_write: edit or delete, i.e. its author).

    Deleted posts are NotFound, and so are their revisions; posts hidden by moderation are
    NotFound except to the board's moderators.
    """
    post = session.get(Post, post_id) if 0 < post_id <= MAX_ID else None
    if post is None or post.deleted_at is not None:
        raise NotFound(f"post {post_id}")
    topic = access_topic(session, actor, post.topic_id)
    board = session.get(Board, topic.board_id)
    assert board is not None  # access_topic checked it
    if post.hidden_at is not None and not can_moderate_board(actor, board):
        raise NotFound(f"post {post_id}")
    if for_write and not can_edit_post(actor, board, topic, post):
        raise PermissionDenied(f"post {post_id}")
    return post


# --- moderation ------------------------------------------------------------------------------


def can_restore_topic(actor: Actor) -> bool:
    """May the actor bring back a deleted topic? Administrators only."""
    return actor.is_authenticated and actor.is_admin


def access_topic_to_moderate(
    session: Session, actor: Actor, topic_id: int, *, deleted: bool = False
) -> tuple[Topic, Board]:
    """A topic (and its board) the actor moderates; hidden: NotFound, merely visible: denied.

    With deleted=True the topic must be deleted (restoring it is for administrators only);
    otherwise a deleted topic is NotFound.
    """
    topic = access_topic(session, actor, topic_id)
    board = session.get(Board, topic.board_id)
    assert board is not None  # access_topic checked it
    if (topic.deleted_at is not None) != deleted:
        raise NotFound(f"topic {topic_id}")
    allowed = can_restore_topic(actor) if deleted else can_moderate_board(actor, board)
    if not allowed:
        raise PermissionDenied(f"topic {topic_id}")
    return topic, board


def access_post_to_moderate(
    session: Session, actor: Actor, post_id: int
) -> tuple[Post, Topic, Board]:
    """A post (with its topic and board) the actor moderates; hidden: NotFound, else denied."""
    post = access_post(session, actor, post_id)
    topic, board = access_topic_to_moderate(session, actor, post.topic_id)
    return post, topic, board


def check_moderates(actor: Actor, board: Board, what: str) -> None:
    """Let the board's moderators through; a hidden board is NotFound, a visible one denied."""
    if not can_see_board(actor, board):
        raise NotFound(what)
    if not can_moderate_board(actor, board):
        raise PermissionDenied(what)


def access_board_to_moderate(session: Session, actor: Actor, slug: str) -> Board:
    """A board the actor moderates, e.g. the destination of a move; hidden: NotFound."""
    board = session.exec(select(Board).where(Board.slug == slug)).first()
    if board is None:
        raise NotFound(slug)
    check_moderates(actor, board, slug)
    return board


def can_moderate_anything(actor: Actor) -> bool:
    """Does the actor moderate at least one group (or administer the site)? For the header."""
    if not actor.is_authenticated:
        return False
    return actor.is_admin or any(role == Role.MODERATOR.value for role in actor.roles.values())


def moderated_boards(session: Session, actor: Actor) -> list[Board]:
    """The boards the actor moderates, among those they may read."""
    return [board for board in visible_boards(session, actor) if can_moderate_board(actor, board)]


# --- documents written together -------------------------------------------------------------


def can_edit_document(actor: Actor, board: Board, document: Document) -> bool:
    """May the actor change the document's text? Those who may post in its board, unless it is
    archived (then it is read-only for everyone until unarchived)."""
    return document.archived_at is None and can_post_in_board(actor, board)


def access_document(
    session: Session, actor: Actor, document_id: int, *, for_write: bool = False
) -> tuple[Document, Board]:
    """A document (and its board) the actor may read: may see the board; with for_write, may
    post in it (rename, move, archive). Missing or hidden: NotFound."""
    document = session.get(Document, document_id) if 0 < document_id <= MAX_ID else None
    if document is None:
        raise NotFound(f"document {document_id}")
    board = session.get(Board, document.board_id)
    if board is None or not can_see_board(actor, board):
        raise NotFound(f"document {document_id}")
    if for_write and not can_post_in_board(actor, board):
        raise PermissionDenied(f"document {document_id}")
    return document, board


# --- polls -----------------------------------------------------------------------------------


def can_vote_in_poll(actor: Actor, board: BoardState, topic: TopicState, post: PostState) -> bool:
    """May the actor vote in a post's poll? Whoever may post in its board, on a live post."""
    return (
        can_post_in_board(actor, board)
        and topic.deleted_at is None
        and post.deleted_at is None
        and post.hidden_at is None
    )


def can_close_poll(actor: Actor, board: BoardState, post: PostState) -> bool:
    """May the actor close a poll early? The board's moderators, and its post's author."""
    if can_moderate_board(actor, board):
        return True
    return post.author_id == actor.user_id and can_post_in_board(actor, board)


def can_see_poll_voters(actor: Actor, board: BoardState) -> bool:
    """May the actor see who voted for what? The moderators of the board's group and admins."""
    return can_moderate_board(actor, board)


def access_poll(session: Session, actor: Actor, poll_id: int) -> tuple[Poll, Post, Topic, Board]:
    """Fetch a poll whose post the actor may read, with its post, topic and board.

    A poll is as hidden as its post: deleted, hidden by moderation (to all but moderators)
    or in a board the actor can't read, it is NotFound.
    """
    poll = session.get(Poll, poll_id) if 0 < poll_id <= MAX_ID else None
    if poll is None:
        raise NotFound(f"poll {poll_id}")
    post = access_post(session, actor, poll.post_id)
    topic = session.get(Topic, post.topic_id)
    board = session.get(Board, topic.board_id) if topic is not None else None
    assert topic is not None and board is not None  # access_post checked them
    return poll, post, topic, board


# --- shared files ------------------------------------------------------------------------------


def can_manage_file(actor: Actor, board: Board, file: File) -> bool:
    """May the actor rename, move or delete a library file? Its uploader and the moderators."""
    if not can_post_in_board(actor, board):
        return False
    return file.uploader_id == actor.user_id or can_moderate_board(actor, board)


@dataclass(frozen=True)
class ServableBlob:
    """One variant of a file the actor may open, as a response needs it."""

    sha256: str
    content_type: str
    name: str
    public: bool  # in a public board: caches may keep it


_FILES, _BLOBS = table_of(File), table_of(StoredBlob)
_SHOWN_BLOBS = _BLOBS.alias("shown_blobs")


def _servable_statement(variant_column: Any) -> Any:
    return (
        sa_select(
            variant_column,
            _SHOWN_BLOBS.c.content_type,
            _FILES.c.content_type,
            _FILES.c.name,
            _FILES.c.deleted_at,
            _BOARDS.c.visibility,
            _BOARDS.c.group_id,
        )
        .select_from(
            _FILES.join(_BOARDS, _BOARDS.c.id == _FILES.c.board_id).outerjoin(
                _SHOWN_BLOBS, _SHOWN_BLOBS.c.sha256 == variant_column
            )
        )
        .where(_FILES.c.public_id == bindparam("public_id"))
    )


# One query per file served, built once: a gallery page asks for thirty thumbnails at once.
_SERVABLE = {
    "original": _servable_statement(_FILES.c.blob_sha256),
    "display": _servable_statement(_FILES.c.display_sha256),
    "thumb": _servable_statement(_FILES.c.thumb_sha256),
}


def access_file_blob(session: Session, actor: Actor, public_id: str, variant: str) -> ServableBlob:
    """The bytes to send for a file (variant: original, display or thumb) the actor may read;
    hidden, deleted, unknown or without that variant (not an image): NotFound.

    The same rule as access_file, for the hot path of serving files and thumbnails.
    """
    row = (
        session.connection().execute(_SERVABLE[variant], {"public_id": public_id}).first()
        if 0 < len(public_id) <= 32 and variant in _SERVABLE
        else None
    )
    if row is None:
        raise NotFound(f"file {public_id}")
    sha, blob_type, file_type, name, deleted_at, visibility, group_id = row
    if deleted_at is not None or not can_see_visibility(actor, visibility, group_id) or not sha:
        raise NotFound(f"file {public_id}")
    original = variant == "original"
    return ServableBlob(
        sha256=sha,
        content_type=file_type if original else (blob_type or "image/jpeg"),
        name=name,
        public=visibility == Visibility.PUBLIC.value,
    )


# Built once (with a parameter): the file pages ask.
_FILE_AND_BOARD = (
    select(File, Board)
    .join(Board, col(Board.id) == File.board_id)
    .where(File.public_id == bindparam("public_id"))
)


def access_file(
    session: Session, actor: Actor, public_id: str, *, for_write: bool = False
) -> tuple[File, Board]:
    """A file (and its board) the actor may read (for_write: manage); hidden or deleted: NotFound.

    Every way of serving a file (download, display size, thumbnail) goes through here.
    """
    found = (
        session.exec(_FILE_AND_BOARD, params={"public_id": public_id}).first()
        if 0 < len(public_id) <= 32
        else None
    )
    if found is None:
        raise NotFound(f"file {public_id}")
    file, board = found
    if file.deleted_at is not None or not can_see_board(actor, board):
        raise NotFound(f"file {public_id}")
    if for_write and not can_manage_file(actor, board, file):
        raise PermissionDenied(f"file {public_id}")
    return file, board
