"""Administration pages: the dashboard, and the accounts, groups and boards sections."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum.access import Actor, access_site_admin
from forum.db import Database
from forum.routes import admin_boards, admin_groups, admin_users
from forum.services import admin as admin_service
from forum.templating import render


async def dashboard(request: Request) -> Response:
    """Counts and links to each section; to anyone but an administrator, a 404."""
    actor: Actor = request.state.actor
    access_site_admin(actor)
    db: Database = request.app.state.db
    counts = await db.run_read(admin_service.dashboard, actor=actor)
    return render(request, "admin/dashboard.html", {"counts": counts})


routes: list[BaseRoute] = [
    Route("/admin", dashboard, methods=["GET"], name="admin"),
    *admin_users.routes,
    *admin_groups.routes,
    *admin_boards.routes,
]
