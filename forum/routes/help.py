"""/aide: the members' guide (French or English) and the administrators' guide, for everyone."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from forum import help as guides
from forum import i18n
from forum.templating import render


async def member_guide(request: Request) -> Response:
    """The user guide ("mode d'emploi"), signed in or not."""
    return render(request, "help.html", {"guide": guides.guide("member", i18n.current_locale())})


async def admin_guide(request: Request) -> Response:
    """The administrators' guide: install, settings, accounts, import, backups, upgrades."""
    return render(request, "help.html", {"guide": guides.guide("admin", i18n.current_locale())})


async def screenshot(request: Request) -> Response:
    """A screenshot of the guides (PNG files of docs/screenshots)."""
    path = guides.screenshot(request.path_params["name"])
    if path is None:
        raise HTTPException(404)
    return FileResponse(
        path, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"}
    )


routes = [
    Route("/aide", member_guide, methods=["GET"], name="help"),
    Route("/aide/admin", admin_guide, methods=["GET"], name="help_admin"),
    Route("/aide/captures/{name}", screenshot, methods=["GET"], name="help_screenshot"),
]
