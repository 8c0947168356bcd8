"""Administrators' CSV downloads of the directory: members and organisations."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.access import Actor, access_site_admin
from forum.db import Database
from forum.models import utcnow
from forum.services import directory_export as export_service


def _download(text: str, name: str) -> Response:
    """The CSV text as a file to save (UTF-8; the text starts with its byte-order mark)."""
    filename = f"{name}-{utcnow().date().isoformat()}.csv"
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


async def members_csv(request: Request) -> Response:
    """Every account and its directory profile, as CSV (admins only; 404 for anyone else)."""
    actor: Actor = request.state.actor
    access_site_admin(actor)
    db: Database = request.app.state.db
    return _download(await db.run_read(export_service.members_csv, actor=actor), "membres")


async def organisations_csv(request: Request) -> Response:
    """Every organisation with the survey's fields, as CSV (admins only; 404 for anyone else)."""
    actor: Actor = request.state.actor
    access_site_admin(actor)
    db: Database = request.app.state.db
    text = await db.run_read(export_service.organisations_csv, actor=actor)
    return _download(text, "organisations")


routes = [
    Route("/admin/export/members.csv", members_csv, methods=["GET"], name="export_members"),
    Route(
        "/admin/export/organisations.csv",
        organisations_csv,
        methods=["GET"],
        name="export_organisations",
    ),
]
