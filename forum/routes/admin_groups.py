"""Administration of groups: list and create, edit, members and their roles, delete."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.access import Actor, access_site_admin
from forum.db import Database
from forum.errors import Conflict, InvalidInput
from forum.forms import read_form
from forum.routes.navigation import see_other
from forum.services import admin as admin_service
from forum.services import groups as group_service
from forum.templating import render
from forum.urls import parse_id


def _admin(request: Request) -> Actor:
    """The acting administrator; to anyone else these pages don't exist (404)."""
    actor: Actor = request.state.actor
    access_site_admin(actor)
    return actor


def _slug(request: Request) -> str:
    slug: str = request.path_params["slug"]
    return slug


def _int(raw: str) -> int | None:
    return parse_id(raw)


async def _groups_page(request: Request, status: int = 200, **context: object) -> Response:
    db: Database = request.app.state.db
    rows = await db.run_read(group_service.admin_list_groups, actor=request.state.actor)
    page: dict[str, object] = {"rows": rows, "saved": request.query_params.get("saved", "")}
    page.update(context)
    return render(request, "admin/groups.html", page, status)


async def groups_page(request: Request) -> Response:
    """Every group with its counts, and the form creating one."""
    _admin(request)
    return await _groups_page(request)


async def create_group(request: Request) -> Response:
    """Create a group, then go to its page."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        group = await db.run_in_transaction(
            group_service.admin_create_group,
            actor=actor,
            slug=form.get("slug"),
            name=form.get("name"),
            description=form.get("description"),
        )
    except InvalidInput as exc:
        return await _groups_page(request, 400, errors=exc.errors, values=form.values())
    except Conflict as exc:
        errors = {exc.field or "slug": exc.message}
        return await _groups_page(request, 409, errors=errors, values=form.values())
    return see_other(f"/admin/groups/{group.slug}?saved=created")


async def _group_page(request: Request, status: int = 200, **context: object) -> Response:
    db: Database = request.app.state.db
    detail = await db.run_read(
        group_service.admin_group_detail, actor=request.state.actor, slug=_slug(request)
    )
    values = {"name": detail.group.name, "description": detail.group.description}
    page: dict[str, object] = {
        "detail": detail,
        "values": values,
        "member_errors": {},
        "delete_errors": {},
        "saved": request.query_params.get("saved", ""),
    }
    page.update(context)
    return render(request, "admin/group.html", page, status)


async def group_page(request: Request) -> Response:
    """One group: its name and description, members, boards, and deletion."""
    _admin(request)
    return await _group_page(request)


def _back(request: Request, saved: str) -> Response:
    return see_other(f"/admin/groups/{_slug(request)}?saved={saved}")


async def update_group(request: Request) -> Response:
    """Save the group's name and description."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        await db.run_in_transaction(
            group_service.admin_update_group,
            actor=actor,
            slug=_slug(request),
            name=form.get("name"),
            description=form.get("description"),
        )
    except InvalidInput as exc:
        return await _group_page(request, 400, errors=exc.errors, values=form.values())
    return _back(request, "group")


async def set_member(request: Request) -> Response:
    """Add an account to the group, or change a member's role."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        await db.run_in_transaction(
            admin_service.set_membership,
            actor=actor,
            user_id=_int(form.get("user")),
            group_slug=_slug(request),
            role=form.get("role"),
        )
    except InvalidInput as exc:
        return await _group_page(request, 400, member_errors=exc.errors)
    return _back(request, "members")


async def remove_member(request: Request) -> Response:
    """Take a member out of the group."""
    actor = _admin(request)
    await read_form(request)
    db: Database = request.app.state.db
    await db.run_in_transaction(
        admin_service.remove_membership,
        actor=actor,
        user_id=request.path_params["user_id"],
        group_slug=_slug(request),
    )
    return _back(request, "members")


async def delete_group(request: Request) -> Response:
    """Delete the group once confirmed; refused while boards belong to it."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        await db.run_in_transaction(
            group_service.admin_delete_group,
            actor=actor,
            slug=_slug(request),
            confirmed=form.flag("confirm"),
        )
    except InvalidInput as exc:
        return await _group_page(request, 400, delete_errors=exc.errors)
    except Conflict as exc:
        return await _group_page(request, 409, delete_errors={"confirm": exc.message})
    return see_other("/admin/groups?saved=deleted")


GROUP = "/admin/groups/{slug}"
routes = [
    Route("/admin/groups", groups_page, methods=["GET"], name="admin_groups"),
    Route("/admin/groups", create_group, methods=["POST"]),
    Route(GROUP, group_page, methods=["GET"], name="admin_group"),
    Route(GROUP, update_group, methods=["POST"]),
    Route(GROUP + "/members", set_member, methods=["POST"]),
    Route(GROUP + "/members/{user_id:int}/remove", remove_member, methods=["POST"]),
    Route(GROUP + "/delete", delete_group, methods=["POST"]),
]
