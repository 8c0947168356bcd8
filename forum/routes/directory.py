"""The member directory: members and their profiles, organisations and their pages and forms."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum.access import Actor
from forum.db import Database
from forum.errors import Conflict, InvalidInput
from forum.forms import read_form
from forum.routes import directory_export
from forum.routes.navigation import see_other
from forum.services import directory as directory_service
from forum.services import organisations as organisation_service
from forum.templating import render

MAX_QUERY = 120


def _param(request: Request, name: str) -> str:
    """A search field from the query string, trimmed to a sane length."""
    return request.query_params.get(name, "").strip()[:MAX_QUERY]


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


async def members(request: Request) -> Response:
    """The directory, searched by name, organisation, territory or activity; 25 a page."""
    db: Database = request.app.state.db
    filters = directory_service.MemberFilters(
        q=_param(request, "q"),
        territory=_param(request, "territory"),
        activity=_param(request, "activity"),
        organisation=_param(request, "organisation"),
    )
    directory = await db.run_read(
        directory_service.member_directory,
        actor=request.state.actor,
        filters=filters,
        page=_page_number(request),
    )
    query = {k: v for k, v in vars(filters).items() if v}
    return render(
        request,
        "directory/members.html",
        {"directory": directory, "filters": filters, "query": query},
    )


async def member(request: Request) -> Response:
    """A member's profile page."""
    db: Database = request.app.state.db
    page = await db.run_read(
        directory_service.member_page,
        actor=request.state.actor,
        login=request.path_params["login"],
    )
    return render(request, "directory/member.html", {"page": page})


async def organisations(request: Request) -> Response:
    """The organisations, searched by name, territory or activity."""
    db: Database = request.app.state.db
    search = {name: _param(request, name) for name in ("q", "territory", "activity")}
    listing = await db.run_read(
        organisation_service.organisation_list, actor=request.state.actor, **search
    )
    context = {
        "listing": listing,
        "search": search,
        "kinds": organisation_service.KIND_LABELS,
    }
    return render(request, "directory/organisations.html", context)


async def organisation(request: Request) -> Response:
    """An organisation's page: every field of the survey, and its members."""
    db: Database = request.app.state.db
    page = await db.run_read(
        organisation_service.organisation_page,
        actor=request.state.actor,
        slug=request.path_params["slug"],
    )
    context = {
        "page": page,
        "saved": request.query_params.get("saved", ""),
        "kinds": organisation_service.KIND_LABELS,
    }
    return render(request, "directory/organisation.html", context)


def _form_values(org: object) -> dict[str, str]:
    fields = ("slug", *organisation_service.FIELDS)
    return {name: str(getattr(org, name, "") or "") for name in fields}


async def _form(
    request: Request, slug: str | None, status: int = 200, **context: object
) -> Response:
    db: Database = request.app.state.db
    actor: Actor = request.state.actor
    org = await db.run_read(organisation_service.organisation_form, actor=actor, slug=slug)
    page: dict[str, object] = {
        "organisation": org,
        "values": _form_values(org) if org else {"kind": "association"},
        "kinds": organisation_service.KIND_LABELS,
    }
    page.update(context)
    return render(request, "directory/organisation_form.html", page, status)


async def new_organisation(request: Request) -> Response:
    """The form adding an organisation."""
    return await _form(request, None)


async def create_organisation(request: Request) -> Response:
    """Add an organisation; errors re-render the form (400), a taken name or slug is a 409."""
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        org = await db.run_in_transaction(
            organisation_service.create_organisation,
            actor=request.state.actor,
            slug=form.get("slug"),
            values=form.values(),
        )
    except InvalidInput as exc:
        return await _form(request, None, 400, errors=exc.errors, values=form.values())
    except Conflict as exc:
        errors = {exc.field or "name": exc.message}
        return await _form(request, None, 409, errors=errors, values=form.values())
    return see_other(f"/organisations/{org.slug}?saved=created")


async def edit_organisation(request: Request) -> Response:
    """The form changing an organisation (its administrators and members)."""
    return await _form(request, request.path_params["slug"])


async def update_organisation(request: Request) -> Response:
    """Save an organisation's fields."""
    slug: str = request.path_params["slug"]
    form = await read_form(request)
    db: Database = request.app.state.db
    values = {**form.values(), "slug": slug}
    try:
        await db.run_in_transaction(
            organisation_service.update_organisation,
            actor=request.state.actor,
            slug=slug,
            values=values,
        )
    except InvalidInput as exc:
        return await _form(request, slug, 400, errors=exc.errors, values=values)
    except Conflict as exc:
        errors = {exc.field or "name": exc.message}
        return await _form(request, slug, 409, errors=errors, values=values)
    return see_other(f"/organisations/{slug}?saved=saved")


ORGANISATION = "/organisations/{slug}"
routes: list[BaseRoute] = [
    Route("/membres", members, methods=["GET"], name="members"),
    Route("/membres/{login}", member, methods=["GET"], name="member"),
    Route("/organisations", organisations, methods=["GET"], name="organisations"),
    Route("/organisations/new", new_organisation, methods=["GET"], name="organisation_new"),
    Route("/organisations/new", create_organisation, methods=["POST"]),
    Route(ORGANISATION, organisation, methods=["GET"], name="organisation"),
    Route(ORGANISATION + "/edit", edit_organisation, methods=["GET"], name="organisation_edit"),
    Route(ORGANISATION + "/edit", update_organisation, methods=["POST"]),
    *directory_export.routes,
]
