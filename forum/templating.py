"""Jinja2 environment: autoescaped templates, translations, French dates, the render helper."""

from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from forum import i18n
from forum.access import ANONYMOUS, Actor, can_administer_site, can_moderate_anything
from forum.fragments import post_article, topic_item
from forum.i18n_html import template_gettext as template_gettext
from forum.i18n_html import template_ngettext as template_ngettext
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
        # Templates ship with the code: checking their files' dates on every page cost 7 % of
        # a topic page's time.
        auto_reload=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=template_gettext, ngettext=template_ngettext, newstyle=False
    )
    env.globals["_"] = template_gettext  # not Jinja's alias, which resolves gettext per call

    def datetime_filter(value: datetime | None, fmt: str = "medium") -> str:
        return "" if value is None else i18n.format_datetime(value, settings.timezone, fmt)

    def time_tag(value: datetime) -> Markup:
        """A <time> element: machine-readable in UTC, shown in the site's zone and locale."""
        shown = escape(i18n.format_datetime(value, settings.timezone))
        return Markup(f'<time datetime="{value.isoformat()}">{shown}</time>')  # noqa: S704

    untouched_polls: dict[tuple[str, str, str], Markup] = {}

    def poll_fields(
        values: dict[str, str], errors: dict[str, str], limits: object, timezone: str
    ) -> Markup:
        """The poll part of the topic and reply forms. Untouched (no poll value, no poll
        error: nearly every topic page) it is the same for everyone: rendered once per locale."""
        macro = env.get_template("_poll_fields.html").module.poll_fields  # type: ignore[attr-defined]
        if any(name.startswith("poll_") for name in (*values, *errors)):
            return Markup(macro(values, errors, limits, timezone))  # noqa: S704 (a template)
        key = (i18n.current_locale(), repr(limits), timezone)  # the limits' values
        if key not in untouched_polls:
            untouched_polls[key] = Markup(macro({}, {}, limits, timezone))  # noqa: S704
        return untouched_polls[key]

    env.globals["poll_fields"] = poll_fields
    env.filters["datetime"] = datetime_filter
    env.filters["time_tag"] = time_tag
    env.filters["number"] = i18n.format_number
    env.globals["site_name"] = settings.site_name
    env.globals["static_url"] = static_url
    env.globals["post_article"] = post_article
    env.globals["topic_item"] = topic_item
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
