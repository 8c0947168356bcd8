"""Jinja2 environment: autoescaped templates, translations, French dates, the render helper."""

from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from forum import i18n
from forum.access import ANONYMOUS, Actor, can_administer_site, can_moderate_anything
from forum.settings import Settings
from forum.static_files import static_url

TEMPLATES_DIR = Path(__file__).parent / "templates"


def make_environment(settings: Settings) -> jinja2.Environment:
    """The template environment, with gettext bound to the current request's locale."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        # Jinja's newstyle wrappers fill the variables (escaping them) after translation.
        gettext=i18n.gettext_raw,
        ngettext=i18n.ngettext_raw,
        newstyle=True,
    )

    def datetime_filter(value: datetime | None, fmt: str = "medium") -> str:
        return "" if value is None else i18n.format_datetime(value, settings.timezone, fmt)

    env.filters["datetime"] = datetime_filter
    env.filters["number"] = i18n.format_number
    env.globals["site_name"] = settings.site_name
    env.globals["static_url"] = static_url
    env.globals["locale_name"] = i18n.locale_name
    env.globals["LOCALES"] = i18n.LOCALES
    return env


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the request's actor, CSRF token and locale in its context."""
    env: jinja2.Environment = request.app.state.templates
    actor: Actor = getattr(request.state, "actor", ANONYMOUS)
    page: dict[str, Any] = {
        "request": request,
        "actor": actor,
        "is_admin": can_administer_site(actor),
        "is_moderator": can_moderate_anything(actor),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "locale": i18n.current_locale(),
        "current_path": request.url.path,
        "errors": {},
        "values": {},
    }
    page.update(context or {})
    html = env.get_template(template).render(page)
    return HTMLResponse(html, status_code=status_code)
