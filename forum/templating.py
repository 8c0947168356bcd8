"""Jinja2 environment: autoescaped templates, translations, French dates, the render helper."""

from datetime import datetime
from functools import lru_cache
from html import escape as html_escape
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.runtime import Context
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from forum import i18n
from forum.access import ANONYMOUS, Actor, can_administer_site, can_moderate_anything
from forum.fragments import FragmentCache, post_articles, topic_items
from forum.i18n_html import template_gettext as template_gettext
from forum.i18n_html import template_ngettext as template_ngettext
from forum.i18n_html import translated
from forum.settings import Settings
from forum.static_files import static_url

TEMPLATES_DIR = Path(__file__).parent / "templates"


class _FoldConstants(NodeTransformer):
    """Evaluates, while a template compiles, the calls whose result is known then: `_()` of a
    constant text with constant variables (in this environment's language) and `static_url()`
    of a constant name. Jinja then writes them into the template as text: the header, the
    forms' labels and help become one string, where a page of a topic made about 120 calls."""

    def __init__(self, locale: str, eval_ctx: nodes.EvalContext) -> None:
        self.locale = locale
        self.eval_ctx = eval_ctx

    def visit_Call(self, node: nodes.Call) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        self.generic_visit(node)
        if not isinstance(node.node, nodes.Name) or node.dyn_args or node.dyn_kwargs:
            return node
        try:
            args = [arg.as_const(self.eval_ctx) for arg in node.args]
            variables = {kw.key: kw.value.as_const(self.eval_ctx) for kw in node.kwargs}
        except nodes.Impossible:
            return node
        name = node.node.name
        if name == "_" and len(args) == 1 and isinstance(args[0], str):
            text = translated(args[0], self.locale, variables)
            return nodes.MarkSafe(nodes.Const(str(text)), lineno=node.lineno)
        if name == "static_url" and len(args) == 1 and not variables:
            return nodes.Const(static_url(args[0]), lineno=node.lineno)
        return node


class LocaleEnvironment(jinja2.Environment):
    """A Jinja environment for one language, whose templates have their constant
    translations folded in (see _FoldConstants)."""

    locale: str = "fr"

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        eval_ctx = nodes.EvalContext(self, name)
        folded: nodes.Template = _FoldConstants(self.locale, eval_ctx).visit(tree)
        return folded


class Templates:
    """The page templates: one environment per language, chosen by the request's locale."""

    def __init__(self, settings: Settings) -> None:
        # The posts' articles and boards' items already built (fragments.FragmentCache).
        self.fragment_cache = FragmentCache(settings.page_cache_mb * 1_000_000)
        self.environments = {
            locale: _environment(settings, locale, self.fragment_cache) for locale in i18n.LOCALES
        }

    def environment(self) -> jinja2.Environment:
        """The environment of the current locale."""
        return self.environments[i18n.current_locale()]

    def get_template(self, name: str) -> jinja2.Template:
        return self.environment().get_template(name)

    def from_string(self, source: str) -> jinja2.Template:
        return self.environment().from_string(source)


def make_environment(settings: Settings) -> Templates:
    """The templates, with gettext bound to the current request's locale."""
    return Templates(settings)


def _environment(
    settings: Settings, locale: str, fragment_cache: FragmentCache
) -> jinja2.Environment:
    env = LocaleEnvironment(
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
    env.locale = locale
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=template_gettext, ngettext=template_ngettext, newstyle=False
    )
    env.globals["_"] = template_gettext  # not Jinja's alias, which resolves gettext per call

    def datetime_filter(value: datetime | None, fmt: str = "medium") -> str:
        return "" if value is None else i18n.format_datetime(value, settings.timezone, fmt)

    # Remembered: a board's list and a busy topic show the same dates to every reader, and
    # a <time> element costs 10 µs to build here against 0.2 µs to find again. Keyed by the
    # language too (format_datetime formats in the request's).
    @lru_cache(maxsize=4096)
    def tag_of(value: datetime, locale: str) -> Markup:
        shown = html_escape(i18n.format_datetime(value, settings.timezone))
        return Markup(f'<time datetime="{value.isoformat()}">{shown}</time>')  # noqa: S704

    def time_tag(value: datetime) -> Markup:
        """A <time> element: machine-readable in UTC, shown in the site's zone and locale."""
        return tag_of(value, i18n.current_locale())

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

    untouched_attach: dict[str, Markup] = {}

    @jinja2.pass_context
    def attach_field(context: Context, upload_slug: str) -> Markup:
        """The files field of a post form (_attach_field.html). With no file attached yet and
        no error on it (the reply form of every topic page), it depends only on the board:
        rendered once per board and language."""
        attached = getattr(context["request"].state, "attached_files", None)
        untouched = not attached and not (context.get("errors") or {}).get("files")
        if untouched and upload_slug in untouched_attach:
            return untouched_attach[upload_slug]
        template = env.get_template("_attach_field.html")
        html = Markup(template.render({**context.get_all(), "upload_slug": upload_slug}))  # noqa: S704
        if untouched:
            if len(untouched_attach) >= 1000:  # boards renamed many times: start again
                untouched_attach.clear()
            untouched_attach[upload_slug] = html
        return html

    untouched_replies: dict[tuple[str, str, bool, str], str] = {}

    @jinja2.pass_context
    def reply_form(context: Context, view: Any) -> Markup:
        """A topic page's reply form (_reply_form.html). Untouched (no value but the draft's
        text, no error, no preview, no post answered, no file attached: nearly every topic
        page), it is rendered once per language, board and draft state with markers, then
        filled for each request."""
        template = env.get_template("_reply_form.html")
        values = context.get("values") or {}
        body = values.get("body", "")
        attached = getattr(context["request"].state, "attached_files", None)
        others = any(name != "body" for name in values)  # a poll being written, say
        touched = others or context.get("errors") or context.get("preview") or attached
        if touched or view.reply_target:
            page = {"form_topic": view.topic.id, "form_page": view.pagination.number}
            return Markup(template.render({**context.get_all(), **page}))  # noqa: S704
        key = (i18n.current_locale(), view.board.slug, bool(body), context.get("draft_status", ""))
        skeleton = untouched_replies.get(key)
        if skeleton is None:  # the page's context is copied only here, once per key
            if len(untouched_replies) >= 1000:  # boards renamed many times: start again
                untouched_replies.clear()
            markers = {
                "form_topic": _TOPIC_MARK,
                "form_page": _PAGE_MARK,
                "csrf_token": _CSRF_MARK,
                "draft_key": _DRAFT_MARK,
                "values": {"body": _BODY_MARK} if body else {},
            }
            skeleton = untouched_replies[key] = template.render({**context.get_all(), **markers})
        html = (
            skeleton.replace(_TOPIC_MARK, str(int(view.topic.id)))
            .replace(_PAGE_MARK, str(int(view.pagination.number)))
            .replace(_CSRF_MARK, escape(context.get("csrf_token", "")))
            .replace(_DRAFT_MARK, escape(context.get("draft_key", "")))
            .replace(_BODY_MARK, escape(body))  # last: nothing is replaced in the member's text
        )
        return Markup(html)  # noqa: S704 (our template, the values escaped)

    env.globals["reply_form"] = reply_form
    env.globals["poll_fields"] = poll_fields
    env.globals["attach_field"] = attach_field
    env.filters["datetime"] = datetime_filter
    env.filters["time_tag"] = time_tag
    env.filters["number"] = i18n.format_number
    env.globals["site_name"] = settings.site_name
    env.globals["static_url"] = static_url

    def pagination(pages: object, base: str, label: str) -> Markup:
        """The `pagination` macro of _posts.html, from the template's module loaded once: a
        `{% from ... import %}` in a page checks the page's globals on every render."""
        return Markup(env.get_template("_posts.html").module.pagination(pages, base, label))  # type: ignore[attr-defined]  # noqa: S704

    env.globals["pagination"] = pagination
    env.globals["post_articles"] = post_articles
    env.globals["topic_items"] = topic_items
    env.globals["fragment_cache"] = fragment_cache
    env.globals["locale_name"] = i18n.locale_name
    env.globals["LOCALES"] = i18n.LOCALES
    return env


# Markers of the untouched reply form's per-request values (NUL never comes out of our
# templates; the member's draft text, which might, is put in last, and nothing after it).
_TOPIC_MARK, _PAGE_MARK = "\x00topic\x00", "\x00page\x00"
_CSRF_MARK, _DRAFT_MARK, _BODY_MARK = "\x00csrf\x00", "\x00draft\x00", "\x00body\x00"


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the request's actor, CSRF token and locale in its context."""
    templates: Templates = request.app.state.templates
    actor: Actor = getattr(request.state, "actor", ANONYMOUS)
    page: dict[str, Any] = {
        "request": request,
        "actor": actor,
        "is_admin": can_administer_site(actor),
        "is_moderator": can_moderate_anything(actor),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "locale": i18n.current_locale(),
        # The path as the app saw it (request.url parses a whole URL: 10 % of a page's render).
        "current_path": request.scope.get("root_path", "") + request.scope["path"],
        "errors": {},
        "values": {},
    }
    page.update(context or {})
    html = templates.get_template(template).render(page)
    return HTMLResponse(html, status_code=status_code)
