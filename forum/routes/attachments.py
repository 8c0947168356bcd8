"""Post forms with files: the new-topic, reply and edit forms accept files without JavaScript.

Files sent with the form are checked and recorded in the board's library first; their ids
join those already attached (hidden `files` fields, or those attach.js uploaded), so that a
preview or an error never loses them. The files shown as attached are left on request.state
for the form's template.
"""

from starlette.requests import Request

from forum.access import Actor
from forum.db import Database
from forum.errors import InvalidInput
from forum.files.accept import accept_files, max_file_bytes
from forum.files.upload import receive_form
from forum.forms import Form
from forum.services import files as file_service


class PostForm(Form):
    """A post form: its text fields, the files attached, and why an upload was refused."""

    file_ids: list[str]
    file_errors: dict[str, str]


async def read_post_form(
    request: Request,
    *,
    board_slug: str | None = None,
    topic_id: int | None = None,
    post_id: int | None = None,
) -> PostForm:
    """Read a post form (urlencoded or multipart), storing the files it carries.

    New files go to the board given, or the board of the topic replied in, or the board of the
    post edited (in this order).
    """
    state = request.app.state
    received = await receive_form(
        request, state.storage, max_file_bytes=max_file_bytes(state.settings)
    )
    form = PostForm(received.form().data)
    form.file_errors = {}
    actor: Actor = request.state.actor
    db: Database = state.db
    try:
        ids = file_service.clean_file_ids(form.getlist("files"))
    except InvalidInput as exc:
        ids, form.file_errors = [], exc.errors
    if received.files:
        try:
            if board_slug is None and topic_id is not None:
                board_slug = await db.run_read(
                    file_service.board_slug_for_post_files, actor, topic_id
                )
            elif board_slug is None:
                assert post_id is not None
                board_slug = await db.run_read(
                    file_service.board_slug_for_post_edit, actor, post_id
                )
            files = await accept_files(state, actor, received.files, board_slug=board_slug)
            ids += [f.public_id for f in files]
        except InvalidInput as exc:
            form.file_errors = {"files": exc.errors.get("file") or next(iter(exc.errors.values()))}
        finally:
            received.discard()
    form.file_ids = ids
    request.state.attached_files = await db.run_read(file_service.files_of_posts_form, actor, ids)
    return form
