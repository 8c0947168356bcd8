"""The busiest pages' repeated fragments as HTML, built in Python: a topic page's posts and
a board page's topics.

A topic page shows twenty posts. As a Jinja macro, their articles were about 60 % of the
page's rendering: each `_()`, filter and macro call goes through Jinja's call machinery
(several microseconds each, a dozen per post). Here the same markup is assembled from
escaped pieces; a post's poll and files, rarer, still come from their templates
(`_poll.html`, `_attachments.html`), rendered with the page's context.

Every user-supplied string is escaped (names, titles, attribution); a post's HTML is the
sanitised HTML stored with it. Texts are translated with `_()` as in the templates, never
inside an f-string: Babel's extractor does not look into f-strings on Python 3.11, and a
message it cannot see is dropped from the catalogs (tests/test_translations.py checks).
"""

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from forum.i18n import N_
from forum.i18n_html import count_ngettext as ngettext
from forum.i18n_html import template_gettext as _
from forum.i18n_html import translated_pattern
from forum.services.post_views import DELETED, HIDDEN, PostView, ReplyRef
from forum.services.topic_views import TopicRow

_THE_POST = N_("le message n°%(number)s")
_POST_NUMBER = N_("message n°%(number)s")
_TO_THE_POST = N_("au message n°%(number)s")
_OF_THE_POST = N_("du message n°%(number)s")
_BY = N_("par %(name)s")


@pass_context
def post_article(context: Context, post: PostView, view: Any) -> Markup:
    """`{{ post_article(post, view) }}`: one post of a topic page (view: a TopicPage)."""
    filters = context.environment.filters
    number = post.number
    pid = post.id
    numbered = {"number": number}  # a number needs no escaping: plain string formatting
    this_post = f'<span class="visually-hidden"> {translated_pattern(_THE_POST) % numbered}</span>'
    parts: list[str] = []
    add = parts.append
    shown = post.shown
    if shown:
        add(
            f'<article class="post" id="p{pid}" aria-labelledby="p{pid}-h" data-post-id="{pid}"'
            f' data-attribution="{escape(post.attribution)}">\n'
        )
    else:
        add(f'<article class="post post-removed" id="p{pid}" aria-labelledby="p{pid}-h">\n')
    add(f'  <header class="post-header">\n    <h2 id="p{pid}-h" class="post-heading">\n      ')
    if shown:
        assert post.author is not None
        add(f'<span dir="auto">{escape(post.author.display_name)}</span>')
    elif post.state == DELETED:
        add(_("Message supprimé"))
    else:
        add(_("Message masqué"))
    permalink = _("Lien permanent vers ce message")
    add(
        f'\n      <span class="post-number">{translated_pattern(_POST_NUMBER) % numbered}</span>\n'
        f'    </h2>\n    <p class="post-meta">\n      <a href="/p/{pid}"'
        f' title="{permalink}">{filters["time_tag"](post.created_at)}</a>'
    )
    if post.edited_at:
        edited = _("modifié le %(when)s", when=filters["datetime"](post.edited_at))
        add(f' · <a href="/p/{pid}/revisions">{edited}</a>')
    if post.reply_to:
        add(" · " + _reply_ref(post.reply_to))
    if shown and post.state == HIDDEN:
        badge = _("masqué")
        add(f' · <strong class="badge">{badge}</strong>')
    if view.can_moderate and pid in view.imported:
        origin = _("message d'origine")
        add(
            f' · <a href="/p/{pid}/origine">{origin}<span class="visually-hidden">'
            f" {translated_pattern(_OF_THE_POST) % numbered}</span></a>"
        )
    add("\n    </p>\n  </header>\n")
    if shown:
        add(f'  <div class="post-body">{post.html}</div>\n')
        if post.poll:
            add(_include(context, "_poll.html", poll=post.poll))
        files = view.attachments.get(pid)
        if files:
            add(_include(context, "_attachments.html", files=files))
    else:
        removed = (
            _("Son auteur a supprimé ce message.")
            if post.state == DELETED
            else _("Ce message a été masqué par la modération.")
        )
        add(f'  <p class="muted">{removed}</p>\n')
    if view.can_moderate and post.state != DELETED:
        action, label = (
            ("restore", _("Réafficher")) if post.state == HIDDEN else ("hide", _("Masquer"))
        )
        add(
            f'  <form method="post" action="/p/{pid}/{action}" class="inline moderation-post">\n'
            f'    <input type="hidden" name="csrf_token" value="{escape(context["csrf_token"])}">\n'
            f'    <button type="submit">{label}{this_post}</button>\n  </form>\n'
        )
    authenticated = context["actor"].is_authenticated
    if shown and (view.can_reply or post.can_edit or authenticated):
        add('  <ul class="actions post-actions">\n')
        if authenticated:
            report = _("Signaler")
            add(
                f'    <li><a href="/p/{pid}/report" class="report-link">{report}{this_post}'
                "</a></li>\n"
            )
        if view.can_reply:
            at = f"/t/{view.topic.id}?page={post.page}&amp;"
            reply, quote = _("Répondre"), _("Citer")
            add(
                f'    <li><a href="{at}reply_to={pid}#repondre">{reply}'
                f'<span class="visually-hidden"> {translated_pattern(_TO_THE_POST) % numbered}'
                f"</span></a></li>\n"
                f'    <li><a class="quote-link" href="{at}quote={pid}#repondre">{quote}'
                f"{this_post}</a></li>\n"
            )
        if post.can_edit:
            edit = _("Modifier")
            add(f'    <li><a href="/p/{pid}/edit">{edit}{this_post}</a></li>\n')
        add("  </ul>\n")
    add("</article>\n")
    return Markup("".join(parts))  # noqa: S704 (every piece above is escaped or ours)


def _reply_ref(ref: ReplyRef) -> str:
    if ref.author_name is not None:
        text = _(
            "en réponse au message n°%(number)s de %(name)s",
            number=ref.number,
            name=ref.author_name,
        )
        return f'<a href="/p/{ref.post_id}">{text}</a>'
    return _("en réponse au message n°%(number)s, supprimé", number=ref.number)


def _include(context: Context, template: str, **variables: Any) -> str:
    """A template rendered as `{% with ... %}{% include %}` would: the page's context and more."""
    return context.environment.get_template(template).render({**context.get_all(), **variables})


@pass_context
def topic_item(context: Context, row: TopicRow, unread: int) -> Markup:
    """`{{ topic_item(row, unread) }}`: a topic in a board's list, with its unread count."""
    topic = row.topic
    tid = topic.id
    title = escape(topic.title)
    parts = [f'    <li>\n      <a href="/t/{tid}" class="topic-title" dir="auto">{title}</a>\n']
    if unread:
        new = ngettext("%(num)s nouveau", "%(num)s nouveaux", unread)
        where = ngettext(
            "message non lu : aller au premier", "messages non lus : aller au premier", unread
        )
        parts.append(
            f'      <a class="badge new" href="/t/{tid}/unread">{new}'
            f'<span class="visually-hidden"> {where}</span></a>\n'
        )
    if topic.is_pinned:
        pinned = _("épinglé")
        parts.append(f'      <span class="badge">{pinned}</span>\n')
    if topic.is_locked:
        locked = _("verrouillé")
        parts.append(f'      <span class="badge">{locked}</span>\n')
    replies = ngettext("%(num)s réponse", "%(num)s réponses", row.replies)
    when = context.environment.filters["time_tag"](topic.last_post_at)
    by = translated_pattern(_BY) % {"name": escape(row.author_name)}
    latest = _("dernier message :")
    parts.append(f'      <p class="topic-meta">{by} · {replies} · {latest} {when}</p>\n    </li>\n')
    return Markup("".join(parts))  # noqa: S704 (every piece above is escaped or ours)
