"""Discussion pages: a topic and its posts, new topics, replies, edits, deletion, history.

Every form previews without JavaScript: a "Prévisualiser" submit button re-renders the form
with the rendered Markdown above it, and nothing is written.
"""

from typing import Any
from urllib.parse import quote as url_quote

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import indexing, live
from forum.access import Actor
from forum.auth.middleware import read_then_write
from forum.db import Database
from forum.errors import InvalidInput
from forum.forms import Form, read_form
from forum.i18n import gettext as _
from forum.markup import render_markdown
from forum.pagination import page_of, parse_page
from forum.routes.attachments import read_post_form
from forum.routes.navigation import see_other
from forum.services import drafts as draft_service
from forum.services import files as file_service
from forum.services import polls as poll_service
from forum.services import reading as reading_service
from forum.services import revisions as revision_service
from forum.services import topic_views as views
from forum.services import topics as topic_service
from forum.services.post_views import POSTS_PER_PAGE
from forum.templating import render
from forum.urls import parse_id

PREVIEW = "preview"
SAVE_DRAFT, DISCARD_DRAFT = "draft", "discard"


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _actor(request: Request) -> Actor:
    actor: Actor = request.state.actor
    return actor


def _timezone(request: Request) -> str:
    timezone: str = request.app.state.settings.timezone
    return timezone


def _id(raw: str | None) -> int | None:
    """A positive id from a form or query field; anything else is None."""
    return None if raw is None else parse_id(raw)


def _post_url(topic_id: int, post_id: int, number: int) -> str:
    return f"/t/{topic_id}?page={page_of(number, POSTS_PER_PAGE)}#p{post_id}"


def _preview(form: Form) -> tuple[str, dict[str, str]]:
    """The rendered body for the preview, or the reason there is none."""
    try:
        return render_markdown(topic_service.clean_body(form.get("body"))), {}
    except InvalidInput as exc:
        return "", exc.errors


def _limits() -> dict[str, Any]:
    return {
        "title_min": topic_service.TITLE_MIN,
        "title_max": topic_service.TITLE_MAX,
        "body_max": topic_service.BODY_MAX,
        "poll_limits": poll_service.LIMITS,
    }


# --- a topic and its replies ------------------------------------------------------------------


async def show_topic(request: Request) -> Response:
    """A page of a topic, marked read for a member; ?reply_to= and ?quote= prepare the reply."""
    query = request.query_params
    topic_id: int = request.path_params["topic_id"]
    page = parse_page(query.get("page"))
    reply_to, quote = _id(query.get("reply_to")), _id(query.get("quote"))

    def visit_topic(session: Session, actor: Actor) -> reading_service.TopicVisit:
        return reading_service.visit_topic(
            session, actor, topic_id, page, reply_to=reply_to, quote=quote
        )

    # A member's visit writes their reading point, only when it moves forward (most visits
    # re-read pages already read), right after the read, on a worker thread.
    visit = await read_then_write(request, visit_topic, reading_service.visit_record)
    body = visit.view.draft or visit.draft
    return _topic_response(request, visit.view, values={"body": body}, visit=visit)


def _topic_response(
    request: Request,
    view: views.TopicPage,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    preview: str = "",
    status: int = 200,
    visit: reading_service.TopicVisit | None = None,
    draft_status: str = "",
) -> Response:
    context = {
        "view": view,
        "values": values,
        "errors": errors or {},
        "preview": preview,
        "visit": visit,
        "draft_status": draft_status,
        "draft_key": draft_service.reply_key(view.topic.id or 0),
    }
    return render(request, "topic.html", {**context, **_limits()}, status)


async def reply(request: Request) -> Response:
    """Post a reply (or preview it); errors re-render the page with the text kept."""
    form = await read_post_form(request, topic_id=request.path_params["topic_id"])
    actor = _actor(request)
    topic_id: int = request.path_params["topic_id"]
    if not actor.is_authenticated:
        return see_other("/login?next=" + url_quote(f"/t/{topic_id}", safe="/"))
    reply_to = _id(form.get("reply_to"))
    db = _db(request)

    async def again(
        errors: dict[str, str], preview: str = "", draft_status: str = "", keep: bool = True
    ) -> Response:
        view = await db.run_read(
            views.topic_page,
            actor,
            topic_id,
            parse_page(form.get("page")),
            reply_to=reply_to,
            writing=True,
        )
        status = 400 if errors else 200
        values = form.values() if keep else {}
        return _topic_response(
            request,
            view,
            values=values,
            errors=errors,
            preview=preview,
            status=status,
            draft_status=draft_status,
        )

    key = draft_service.reply_key(topic_id)
    if form.get("action") == PREVIEW:
        preview, errors = _preview(form)
        return await again(errors, preview)
    if form.get("action") == SAVE_DRAFT:
        try:
            await db.run_in_transaction(
                draft_service.save_draft, actor=actor, key=key, body=form.get("body")
            )
        except InvalidInput as exc:
            return await again(exc.errors)
        return await again({}, draft_status=_("Brouillon enregistré."))
    if form.get("action") == DISCARD_DRAFT:
        await db.run_in_transaction(draft_service.discard_draft, actor=actor, key=key)
        return await again({}, draft_status=_("Brouillon abandonné."), keep=False)
    if form.file_errors:
        return await again(form.file_errors)
    try:
        post = await db.run_in_transaction(
            topic_service.post_reply,
            actor=actor,
            topic_id=topic_id,
            body=form.get("body"),
            reply_to_id=reply_to,
            poll=poll_service.poll_from_form(form.values(), timezone=_timezone(request)),
            files=form.file_ids,
        )
    except InvalidInput as exc:
        return await again(exc.errors)
    assert post.id is not None
    await db.run_in_transaction(draft_service.discard_draft, actor=actor, key=key)
    await indexing.index_post(request.app.state, post.id)
    await live.publish_post(request.app.state, post.id)
    return see_other(_post_url(topic_id, post.id, post.number))


# --- new topics -------------------------------------------------------------------------------


async def _new_topic_page(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    preview: str = "",
    status: int = 200,
    draft_status: str = "",
) -> Response:
    """The new-topic form; without values, filled from the member's saved draft."""
    form = await _db(request).run_read(
        draft_service.new_topic_form, _actor(request), request.path_params["slug"]
    )
    if values is None:
        draft = form.draft
        values = {"title": draft.title, "body": draft.body} if draft else {}
    context = {
        "page": form.page,
        "values": values,
        "errors": errors or {},
        "preview": preview,
        "draft_status": draft_status,
        "draft_key": draft_service.topic_key(form.page.board.id or 0),
    }
    return render(request, "topic_new.html", {**context, **_limits()}, status)


async def new_topic_form(request: Request) -> Response:
    """The form to start a topic (members allowed to post in the board)."""
    return await _new_topic_page(request)


async def _topic_draft(request: Request, form: Form) -> Response:
    """Save or abandon the draft of a new topic, then show the form again."""
    db, actor = _db(request), _actor(request)
    page = await db.run_read(views.new_topic_form, actor, request.path_params["slug"])
    key = draft_service.topic_key(page.board.id or 0)
    if form.get("action") == DISCARD_DRAFT:
        await db.run_in_transaction(draft_service.discard_draft, actor=actor, key=key)
        return await _new_topic_page(request, values={}, draft_status=_("Brouillon abandonné."))
    try:
        await db.run_in_transaction(
            draft_service.save_draft,
            actor=actor,
            key=key,
            title=form.get("title"),
            body=form.get("body"),
        )
    except InvalidInput as exc:
        return await _new_topic_page(request, values=form.values(), errors=exc.errors, status=400)
    return await _new_topic_page(
        request, values=form.values(), draft_status=_("Brouillon enregistré.")
    )


async def create_topic(request: Request) -> Response:
    """Start a topic (or preview its first post, or save or abandon its draft)."""
    form = await read_post_form(request, board_slug=request.path_params["slug"])
    if form.get("action") in (SAVE_DRAFT, DISCARD_DRAFT):
        return await _topic_draft(request, form)
    if form.get("action") == PREVIEW:
        preview, errors = _preview(form)
        return await _new_topic_page(
            request,
            values=form.values(),
            errors=errors,
            preview=preview,
            status=400 if errors else 200,
        )
    actor = _actor(request)
    if form.file_errors:
        return await _new_topic_page(
            request, values=form.values(), errors=form.file_errors, status=400
        )
    try:
        topic = await _db(request).run_in_transaction(
            topic_service.start_topic,
            actor=actor,
            board_slug=request.path_params["slug"],
            title=form.get("title"),
            body=form.get("body"),
            poll=poll_service.poll_from_form(form.values(), timezone=_timezone(request)),
            files=form.file_ids,
        )
    except InvalidInput as exc:
        return await _new_topic_page(request, values=form.values(), errors=exc.errors, status=400)
    assert topic.id is not None
    key = draft_service.topic_key(topic.board_id)
    await _db(request).run_in_transaction(draft_service.discard_draft, actor=actor, key=key)
    await indexing.index_topic(request.app.state, topic.id, topic.first_post_id)
    if topic.first_post_id is not None:
        await live.publish_post(request.app.state, topic.first_post_id)
    return see_other(f"/t/{topic.id}")


# --- one post ---------------------------------------------------------------------------------


async def goto_post(request: Request) -> Response:
    """The stable link of a post: to the page of its topic that shows it."""
    post_id: int = request.path_params["post_id"]
    topic_id, page = await _db(request).run_read(views.post_location, _actor(request), post_id)
    return see_other(f"/t/{topic_id}?page={page}#p{post_id}")


async def _edit_page(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    delete_errors: dict[str, str] | None = None,
    preview: str = "",
    status: int = 200,
) -> Response:
    db, actor, post_id = _db(request), _actor(request), request.path_params["post_id"]
    editing = await db.run_read(views.post_for_edit, actor, post_id)
    if values is None:  # a fresh form: the files the post carries, ticked (untick to remove)
        request.state.attached_files = await db.run_read(file_service.files_of_post, actor, post_id)
    context = {
        "editing": editing,
        "values": values if values is not None else {"body": editing.post.body},
        "errors": errors or {},
        "delete_errors": delete_errors or {},
        "preview": preview,
    }
    return render(request, "post_edit.html", {**context, **_limits()}, status)


async def edit_form(request: Request) -> Response:
    """The edit form of one's own post."""
    return await _edit_page(request)


async def edit(request: Request) -> Response:
    """Save an edit of the text and the attached files (the previous text is kept), or preview.

    The form lists the files attached, ticked: unticking removes one, and new files join them
    (sent with the form, or uploaded by attach.js). `files_field` says the list was sent, so
    that a form without it never removes every file.
    """
    post_id: int = request.path_params["post_id"]
    form = await read_post_form(request, post_id=post_id)
    if form.get("action") == PREVIEW:
        preview, errors = _preview(form)
        errors = {**errors, **form.file_errors}
        status = 400 if errors else 200
        return await _edit_page(
            request, values=form.values(), errors=errors, preview=preview, status=status
        )
    if form.file_errors:
        return await _edit_page(request, values=form.values(), errors=form.file_errors, status=400)
    try:
        post = await _db(request).run_in_transaction(
            revision_service.edit_post,
            actor=_actor(request),
            post_id=post_id,
            body=form.get("body"),
            file_ids=form.file_ids if form.flag("files_field") else None,
        )
    except InvalidInput as exc:
        return await _edit_page(request, values=form.values(), errors=exc.errors, status=400)
    assert post.id is not None
    await indexing.index_post(request.app.state, post.id, with_topic=post.number == 1)
    await live.publish_post(request.app.state, post.id, new=False)
    return see_other(_post_url(post.topic_id, post.id, post.number))


async def delete(request: Request) -> Response:
    """Delete one's own post, once confirmed; it stays in the topic as a placeholder."""
    form = await read_form(request)
    if not form.flag("confirm"):
        # The edit page checks access first: someone else's post answers 403 or 404.
        errors = {"confirm": _("Cochez la case pour confirmer la suppression.")}
        return await _edit_page(request, delete_errors=errors, status=400)
    post = await _db(request).run_in_transaction(
        topic_service.delete_own_post, actor=_actor(request), post_id=request.path_params["post_id"]
    )
    assert post.id is not None
    await indexing.unindex_post(request.app.state, post.id)
    return see_other(_post_url(post.topic_id, post.id, post.number))


async def revisions(request: Request) -> Response:
    """Every edit of a post, as lists of added and removed lines."""
    history = await _db(request).run_read(
        revision_service.post_revisions, _actor(request), request.path_params["post_id"]
    )
    return render(request, "post_revisions.html", {"history": history})


routes = [
    Route("/b/{slug}/new", new_topic_form, methods=["GET"], name="topic_new"),
    Route("/b/{slug}/new", create_topic, methods=["POST"]),
    Route("/t/{topic_id:int}", show_topic, methods=["GET"], name="topic"),
    Route("/t/{topic_id:int}/reply", reply, methods=["POST"], name="topic_reply"),
    Route("/p/{post_id:int}", goto_post, methods=["GET"], name="post"),
    Route("/p/{post_id:int}/edit", edit_form, methods=["GET"], name="post_edit"),
    Route("/p/{post_id:int}/edit", edit, methods=["POST"]),
    Route("/p/{post_id:int}/delete", delete, methods=["POST"], name="post_delete"),
    Route("/p/{post_id:int}/revisions", revisions, methods=["GET"], name="post_revisions"),
]
