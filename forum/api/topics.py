"""JSON API for topics and posts: list, read, start a topic, reply (shapes in openapi_topics)."""

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from forum import indexing, live
from forum.access import Actor
from forum.api import serialize
from forum.api.serialize import iso_utc
from forum.db import Database
from forum.errors import InvalidInput, NotFound
from forum.forms import MAX_FORM_BYTES, FormTooLarge
from forum.i18n import gettext as _
from forum.models import Board, Topic
from forum.pagination import parse_page
from forum.services import polls as poll_service
from forum.services import topic_views as views
from forum.services import topics as topic_service
from forum.services.post_views import Person, PostView
from forum.urls import parse_id

JSON = dict[str, Any]


def _person(person: Person | None) -> JSON | None:
    return None if person is None else {"id": person.id, "display_name": person.display_name}


def post_json(view: PostView) -> JSON:
    """A post as the caller sees it (placeholders have no author, body or html)."""
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
    }


def topic_summary(topic: Topic, board: Board, author: Person) -> JSON:
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


def topic_json(detail: views.TopicDetail) -> JSON:
    """A topic and every one of its posts, the first one included."""
    return {
        **topic_summary(detail.topic, detail.board, detail.author),
        "posts": [post_json(post) for post in detail.posts],
    }


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _path_id(request: Request, name: str) -> int:
    """An id from the path; anything but digits names nothing."""
    raw = str(request.path_params[name])
    number = parse_id(raw)
    if number is None:
        raise NotFound(raw)
    return number


async def _payload(request: Request) -> JSON:
    """The request's JSON object, read with the same size limit as forms."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise FormTooLarge(length)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_FORM_BYTES:
            raise FormTooLarge(str(len(received)))
    try:
        data = json.loads(bytes(received))
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise InvalidInput({"request": _("Envoyez un objet JSON.")})
    return data


def _text(data: JSON, name: str, errors: dict[str, str]) -> str:
    value = data.get(name, "")
    if isinstance(value, str):
        return value
    errors[name] = _("Texte attendu.")
    return ""


def _file_ids(data: JSON) -> list[str]:
    """The ids of uploaded files to attach (see POST /boards/{slug}/files)."""
    files = data.get("files")
    if files is None:
        return []
    if not isinstance(files, list):
        raise InvalidInput({"files": _("Liste d'identifiants de fichiers attendue.")})
    return files


def _member(request: Request) -> Actor | None:
    actor: Actor = request.state.actor
    return actor if actor.is_authenticated else None


def _unauthenticated() -> Response:
    """401, as forum.api.routes answers it: posting needs a member."""
    return JSONResponse(
        {"error": "unauthenticated", "message": _("Connectez-vous ou présentez un jeton d'accès.")},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def list_topics(request: Request) -> Response:
    """A page of a board's topics."""
    listing = await _db(request).run_read(
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
    actor = _member(request)
    if actor is None:
        return _unauthenticated()
    data = await _payload(request)
    errors: dict[str, str] = {}
    title, body = _text(data, "title", errors), _text(data, "body", errors)
    if errors:
        raise InvalidInput(errors)
    poll = poll_service.poll_from_json(data.get("poll"))
    db = _db(request)
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
    detail = await db.run_read(views.topic_detail, actor, topic.id)
    headers = {"Location": f"/api/v1/topics/{topic.id}"}
    return JSONResponse(topic_json(detail), status_code=201, headers=headers)


async def get_topic(request: Request) -> Response:
    """A topic with all its posts."""
    detail = await _db(request).run_read(
        views.topic_detail, request.state.actor, _path_id(request, "topic_id")
    )
    return JSONResponse(topic_json(detail))


async def reply(request: Request) -> Response:
    """Reply in a topic; 201 with the new post."""
    actor = _member(request)
    if actor is None:
        return _unauthenticated()
    topic_id = _path_id(request, "topic_id")
    data = await _payload(request)
    errors: dict[str, str] = {}
    body = _text(data, "body", errors)
    reply_to = data.get("reply_to")
    if reply_to is not None and (not isinstance(reply_to, int) or isinstance(reply_to, bool)):
        errors["reply_to"] = _("Numéro de message attendu.")
    if errors:
        raise InvalidInput(errors)
    poll = poll_service.poll_from_json(data.get("poll"))
    db = _db(request)
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
    view = await db.run_read(views.get_post, actor, post.id)
    headers = {"Location": f"/api/v1/posts/{post.id}"}
    return JSONResponse(post_json(view), status_code=201, headers=headers)


async def get_post(request: Request) -> Response:
    """One post."""
    view = await _db(request).run_read(
        views.get_post, request.state.actor, _path_id(request, "post_id")
    )
    return JSONResponse(post_json(view))


async def board_topics(request: Request) -> Response:
    """One route for both methods, so that a 405 names them both in its Allow header."""
    return await (start_topic if request.method == "POST" else list_topics)(request)


def routes() -> list[BaseRoute]:
    """The topic and post routes of /api/v1 (each one described in forum.api.openapi_topics)."""
    return [
        Route("/boards/{slug}/topics", board_topics, methods=["GET", "POST"], name="api_topics"),
        Route("/topics/{topic_id}", get_topic, methods=["GET"], name="api_topic"),
        Route("/topics/{topic_id}/posts", reply, methods=["POST"], name="api_topic_posts"),
        Route("/posts/{post_id}", get_post, methods=["GET"], name="api_post"),
    ]
