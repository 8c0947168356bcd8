"""JSON API for topics and posts: list, read, start a topic, reply (shapes in openapi_topics)."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from forum import indexing, live
from forum.access import Actor
from forum.api import serialize
from forum.api.files import file_json
from forum.api.handling import (
    database,
    path_id,
    read_payload,
    signed_in,
    text_field,
    unauthenticated,
)
from forum.api.serialize import iso_utc
from forum.errors import InvalidInput
from forum.i18n import gettext as _
from forum.models import Board, BoardRecord, Topic, TopicRecord
from forum.pagination import parse_page
from forum.services import files as file_service
from forum.services import polls as poll_service
from forum.services import revisions as revision_service
from forum.services import topic_views as views
from forum.services import topics as topic_service
from forum.services.attachments import Attachment, visible_post_attachments
from forum.services.post_views import Person, PostView

JSON = dict[str, Any]
Files = dict[int, list[Attachment]]  # post id -> the files it carries, as the reader sees them


def _person(person: Person | None) -> JSON | None:
    return None if person is None else {"id": person.id, "display_name": person.display_name}


def post_json(view: PostView, files: Files) -> JSON:
    """A post as the caller sees it (placeholders have no author, body, html or files)."""
    return {
        "id": view.id,
        "topic_id": view.topic_id,
        "number": view.number,
        "url": f"/p/{view.id}",
        "state": view.state,
        "author": _person(view.author),
        "reply_to": view.reply_to.post_id if view.reply_to else None,
        "body": view.body,
        "html": view.html,
        "created_at": iso_utc(view.created_at),
        "edited_at": iso_utc(view.edited_at) if view.edited_at else None,
        "poll": serialize.poll(view.poll) if view.poll else None,
        "files": [file_json(f) for f in files.get(view.id, [])] if view.shown else [],
    }


def topic_summary(topic: Topic | TopicRecord, board: Board | BoardRecord, author: Person) -> JSON:
    """A topic without its posts."""
    return {
        "id": topic.id,
        "title": topic.title,
        "url": f"/t/{topic.id}",
        "board": {"slug": board.slug, "name": board.name},
        "author": _person(author),
        "created_at": iso_utc(topic.created_at),
        "last_post_at": iso_utc(topic.last_post_at),
        "post_count": topic.post_count,
        "is_pinned": topic.is_pinned,
        "is_locked": topic.is_locked,
    }


def topic_json(detail: views.TopicDetail, files: Files) -> JSON:
    """A topic and every one of its posts, the first one included."""
    return {
        **topic_summary(detail.topic, detail.board, detail.author),
        "posts": [post_json(post, files) for post in detail.posts],
    }


def _files_of(session: Session, actor: Actor, posts: Sequence[PostView]) -> Files:
    shown = [post.id for post in posts if post.shown]
    return visible_post_attachments(session, actor, shown)


def topic_with_files(
    session: Session, actor: Actor, topic_id: int
) -> tuple[views.TopicDetail, Files]:
    """A topic the actor may read, and the files of its posts (one read)."""
    detail = views.topic_detail(session, actor, topic_id)
    return detail, _files_of(session, actor, detail.posts)


def post_with_files(session: Session, actor: Actor, post_id: int) -> tuple[PostView, Files]:
    """A post the actor may read, and its files (one read)."""
    view = views.get_post(session, actor, post_id)
    return view, _files_of(session, actor, [view])


def _file_ids(data: JSON) -> list[str]:
    """The ids of uploaded files to attach (see POST /boards/{slug}/files)."""
    files = data.get("files")
    if files is None:
        return []
    if not isinstance(files, list):
        raise InvalidInput({"files": _("Liste d'identifiants de fichiers attendue.")})
    return files


async def list_topics(request: Request) -> Response:
    """A page of a board's topics."""
    listing = await database(request).run_read(
        views.board_topics,
        request.state.actor,
        request.path_params["slug"],
        parse_page(request.query_params.get("page")),
    )
    board = listing.page.board
    return JSONResponse(
        {
            "board": {"slug": board.slug, "name": board.name},
            "page": listing.pagination.number,
            "pages": listing.pagination.count,
            "total": listing.total,
            "topics": [
                topic_summary(row.topic, board, Person(row.topic.author_id, row.author_name))
                for row in listing.topics
            ],
        }
    )


async def start_topic(request: Request) -> Response:
    """Start a topic; 201 with the topic and its first post."""
    actor = signed_in(request)
    if actor is None:
        return unauthenticated()
    data = await read_payload(request)
    errors: dict[str, str] = {}
    title, body = text_field(data, "title", errors), text_field(data, "body", errors)
    if errors:
        raise InvalidInput(errors)
    poll = poll_service.poll_from_json(data.get("poll"))
    db = database(request)
    topic = await db.run_in_transaction(
        topic_service.start_topic,
        actor=actor,
        board_slug=request.path_params["slug"],
        title=title,
        body=body,
        poll=poll,
        files=_file_ids(data),
    )
    assert topic.id is not None
    await indexing.index_topic(request.app.state, topic.id, topic.first_post_id)
    if topic.first_post_id is not None:
        await live.publish_post(request.app.state, topic.first_post_id)
    detail, files = await db.run_read(topic_with_files, actor, topic.id)
    headers = {"Location": f"/api/v1/topics/{topic.id}"}
    return JSONResponse(topic_json(detail, files), status_code=201, headers=headers)


async def get_topic(request: Request) -> Response:
    """A topic with all its posts and their files."""
    detail, files = await database(request).run_read(
        topic_with_files, request.state.actor, path_id(request, "topic_id")
    )
    return JSONResponse(topic_json(detail, files))


async def reply(request: Request) -> Response:
    """Reply in a topic; 201 with the new post."""
    actor = signed_in(request)
    if actor is None:
        return unauthenticated()
    topic_id = path_id(request, "topic_id")
    data = await read_payload(request)
    errors: dict[str, str] = {}
    body = text_field(data, "body", errors)
    reply_to = data.get("reply_to")
    if reply_to is not None and (not isinstance(reply_to, int) or isinstance(reply_to, bool)):
        errors["reply_to"] = _("Numéro de message attendu.")
    if errors:
        raise InvalidInput(errors)
    poll = poll_service.poll_from_json(data.get("poll"))
    db = database(request)
    post = await db.run_in_transaction(
        topic_service.post_reply,
        actor=actor,
        topic_id=topic_id,
        body=body,
        reply_to_id=reply_to,
        poll=poll,
        files=_file_ids(data),
    )
    assert post.id is not None
    await indexing.index_post(request.app.state, post.id)
    await live.publish_post(request.app.state, post.id)
    view, files = await db.run_read(post_with_files, actor, post.id)
    headers = {"Location": f"/api/v1/posts/{post.id}"}
    return JSONResponse(post_json(view, files), status_code=201, headers=headers)


async def get_post(request: Request) -> Response:
    """One post."""
    view, files = await database(request).run_read(
        post_with_files, request.state.actor, path_id(request, "post_id")
    )
    return JSONResponse(post_json(view, files))


async def edit_post(request: Request) -> Response:
    """Edit one's own post: `body` (the text), `files` (the ids it must carry, in order); each
    left out stays as it is. 200 with the post."""
    actor = signed_in(request)
    if actor is None:
        return unauthenticated()
    post_id = path_id(request, "post_id")
    data = await read_payload(request)
    errors: dict[str, str] = {}
    body = text_field(data, "body", errors) if "body" in data else None
    if data.get("files", []) is None:  # null would read as "no files": say what is expected
        errors["files"] = _("Liste d'identifiants de fichiers attendue.")
    if errors:
        raise InvalidInput(errors)
    file_ids = file_service.clean_file_ids(data["files"]) if "files" in data else None
    db = database(request)
    post = await db.run_in_transaction(
        revision_service.edit_post, actor=actor, post_id=post_id, body=body, file_ids=file_ids
    )
    assert post.id is not None
    if body is not None or file_ids is not None:  # else nothing changed: nothing to announce
        await indexing.index_post(request.app.state, post.id, with_topic=post.number == 1)
        await live.publish_post(request.app.state, post.id, new=False)
    view, files = await db.run_read(post_with_files, actor, post.id)
    return JSONResponse(post_json(view, files))


async def one_post(request: Request) -> Response:
    """One route for both methods, so that a 405 names them both in its Allow header."""
    return await (edit_post if request.method == "PATCH" else get_post)(request)


async def board_topics(request: Request) -> Response:
    """One route for both methods, so that a 405 names them both in its Allow header."""
    return await (start_topic if request.method == "POST" else list_topics)(request)


def routes() -> list[BaseRoute]:
    """The topic and post routes of /api/v1 (each one described in forum.api.openapi_topics)."""
    return [
        Route("/boards/{slug}/topics", board_topics, methods=["GET", "POST"], name="api_topics"),
        Route("/topics/{topic_id}", get_topic, methods=["GET"], name="api_topic"),
        Route("/topics/{topic_id}/posts", reply, methods=["POST"], name="api_topic_posts"),
        Route("/posts/{post_id}", one_post, methods=["GET", "PATCH"], name="api_post"),
    ]
