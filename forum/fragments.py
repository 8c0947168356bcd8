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

from collections.abc import Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from html import escape
from sys import getsizeof
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from forum.i18n import N_, current_locale
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
_EDITED = N_("modifié le %(when)s")
_REPLY_TO = N_("en réponse au message n°%(number)s de %(name)s")
_REPLY_TO_REMOVED = N_("en réponse au message n°%(number)s, supprimé")


@dataclass(frozen=True)
class _ArticleTexts:
    """The words of a post's article in one language: looked up once per language, not
    a dozen times per post (each lookup is a few µs, a page shows twenty posts)."""

    the_post: str  # patterns: filled with % {"number": ...}, or a name escaped first
    post_number: str
    to_the_post: str
    of_the_post: str
    edited: str
    reply_to: str
    reply_to_removed: str
    deleted: str  # plain texts, HTML already
    hidden: str
    permalink: str
    hidden_badge: str
    origin: str
    removed_by_author: str
    removed_by_moderation: str
    restore: str
    hide: str
    report: str
    reply: str
    quote: str
    edit: str


_texts: dict[str, _ArticleTexts] = {}


def _article_texts() -> _ArticleTexts:
    locale = current_locale()
    texts = _texts.get(locale)
    if texts is None:
        texts = _texts[locale] = _ArticleTexts(
            the_post=translated_pattern(_THE_POST),
            post_number=translated_pattern(_POST_NUMBER),
            to_the_post=translated_pattern(_TO_THE_POST),
            of_the_post=translated_pattern(_OF_THE_POST),
            edited=translated_pattern(_EDITED),
            reply_to=translated_pattern(_REPLY_TO),
            reply_to_removed=translated_pattern(_REPLY_TO_REMOVED),
            deleted=_("Message supprimé"),
            hidden=_("Message masqué"),
            permalink=_("Lien permanent vers ce message"),
            hidden_badge=_("masqué"),
            origin=_("message d'origine"),
            removed_by_author=_("Son auteur a supprimé ce message."),
            removed_by_moderation=_("Ce message a été masqué par la modération."),
            restore=_("Réafficher"),
            hide=_("Masquer"),
            report=_("Signaler"),
            reply=_("Répondre"),
            quote=_("Citer"),
            edit=_("Modifier"),
        )
    return texts


class FragmentCache:
    """Fragments of HTML already built, found again while what they show is unchanged.

    A busy topic is read by every member of its group, and each reading rebuilt the same
    twenty articles (about 12 µs each, a date included); a board's list, the same thirty
    items. An entry is found by what it shows (a post, a topic) to whom (the language, what
    the reader may do there) and is used only when every other value that went into its
    HTML, read afresh with the page, is the same: an edited, hidden, moved or renamed thing
    is built again, so an entry is never stale. Bounded by an estimate of its size in memory:
    past it, the oldest entries go (first in, first out: nothing to do on a hit). One per
    app (dates are shown in its time zone); used on the event loop's thread.
    """

    ENTRY_BYTES = 600  # an entry's key, its tuple and the dictionary's slot, about

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: dict[Hashable, tuple[tuple[Any, ...], Any, int]] = {}

    def get(self, key: Hashable, facts: tuple[Any, ...]) -> Any:
        """The value kept under key, if it was built from the same facts (else None)."""
        entry = self._items.get(key)
        return entry[1] if entry is not None and entry[0] == facts else None

    def put(self, key: Hashable, facts: tuple[Any, ...], value: Any, text_bytes: int) -> None:
        """Keep value, built from facts, under key; text_bytes: the memory of the text it
        holds (getsizeof)."""
        size = self.ENTRY_BYTES + text_bytes
        if size > self.max_bytes:
            return  # turned off (0), or a fragment larger than the whole cache
        items = self._items
        if (old := items.pop(key, None)) is not None:
            self.size -= old[2]
        while self.size + size > self.max_bytes and items:
            with suppress(StopIteration, RuntimeError, KeyError):
                self.size -= items.pop(next(iter(items)))[2]
        items[key] = (facts, value, size)
        self.size += size

    def __len__(self) -> int:
        return len(self._items)


@pass_context
def post_articles(context: Context, view: Any) -> Markup:
    """`{{ post_articles(view) }}`: the posts of a topic page (view: a TopicPage).

    An article is its head, the post's HTML and its tail; head and tail are kept in the
    fragment cache, except for a moderator (their forms carry their CSRF token) and for posts
    with a poll or files (rendered from templates with the reader's own context)."""
    texts = _article_texts()
    time_tag = context.environment.filters["time_tag"]
    datetime_filter = context.environment.filters["datetime"]
    authenticated = context["actor"].is_authenticated
    csrf = escape(context["csrf_token"]) if view.can_moderate else ""
    cache: FragmentCache | None = None if view.can_moderate else context["fragment_cache"]
    locale = context.environment.locale  # type: ignore[attr-defined]
    can_reply, topic_id = view.can_reply, view.topic.id
    parts = []
    for post in view.posts:
        body = post.html if post.shown else ""  # a placeholder shows none
        key = facts = None
        if cache is not None and post.poll is None and post.id not in view.attachments:
            # Found by the post and what the reader may do; checked against the rest of what
            # the article shows (comparing is cheaper than hashing dates).
            key = ("article", locale, post.id, post.can_edit, can_reply, authenticated)
            reply = post.reply_to
            author = post.author
            facts = (
                post.number,
                post.page,
                post.state,
                post.shown,
                author.display_name if author is not None else None,
                post.created_at,
                post.edited_at,
                (reply.post_id, reply.number, reply.author_name) if reply is not None else None,
                topic_id,
            )
            kept = cache.get(key, facts)
            if kept is not None:
                parts.append(kept[0] + body + kept[1])
                continue
        head, tail = _article(
            context, post, view, texts, time_tag, datetime_filter, authenticated, csrf
        )
        if key is not None:
            assert cache is not None and facts is not None
            cache.put(key, facts, (head, tail), getsizeof(head) + getsizeof(tail))
        parts.append(head + body + tail)
    return Markup("\n".join(parts))  # noqa: S704 (every piece is escaped or ours)


def _article(
    context: Context,
    post: PostView,
    view: Any,
    texts: _ArticleTexts,
    time_tag: Callable[[datetime], str],
    datetime_filter: Callable[[datetime], str],
    authenticated: bool,
    csrf: str,
) -> tuple[str, str]:
    """One post's <article> but for the post's own HTML, which goes between the two parts
    (a placeholder's is empty): its header, poll and files, moderation and actions."""
    number = post.number
    pid = post.id
    numbered = {"number": number}  # a number needs no escaping: plain string formatting
    this_post = f'<span class="visually-hidden"> {texts.the_post % numbered}</span>'
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
        add(texts.deleted)
    else:
        add(texts.hidden)
    add(
        f'\n      <span class="post-number">{texts.post_number % numbered}</span>\n'
        f'    </h2>\n    <p class="post-meta">\n      <a href="/p/{pid}"'
        f' title="{texts.permalink}">{time_tag(post.created_at)}</a>'
    )
    if post.edited_at:
        edited = texts.edited % {"when": escape(datetime_filter(post.edited_at))}
        add(f' · <a href="/p/{pid}/revisions">{edited}</a>')
    if post.reply_to:
        add(" · " + _reply_ref(post.reply_to, texts))
    if shown and post.state == HIDDEN:
        add(f' · <strong class="badge">{texts.hidden_badge}</strong>')
    if view.can_moderate and pid in view.imported:
        add(
            f' · <a href="/p/{pid}/origine">{texts.origin}<span class="visually-hidden">'
            f" {texts.of_the_post % numbered}</span></a>"
        )
    add("\n    </p>\n  </header>\n")
    if shown:
        add('  <div class="post-body">')
    head = "".join(parts)
    parts.clear()
    if shown:
        add("</div>\n")
        if post.poll:
            add(_include(context, "_poll.html", poll=post.poll))
        files = view.attachments.get(pid)
        if files:
            add(_include(context, "_attachments.html", files=files))
    else:
        removed = texts.removed_by_author if post.state == DELETED else texts.removed_by_moderation
        add(f'  <p class="muted">{removed}</p>\n')
    if view.can_moderate and post.state != DELETED:
        action, label = ("restore", texts.restore) if post.state == HIDDEN else ("hide", texts.hide)
        add(
            f'  <form method="post" action="/p/{pid}/{action}" class="inline moderation-post">\n'
            f'    <input type="hidden" name="csrf_token" value="{csrf}">\n'
            f'    <button type="submit">{label}{this_post}</button>\n  </form>\n'
        )
    if shown and (view.can_reply or post.can_edit or authenticated):
        add('  <ul class="actions post-actions">\n')
        if authenticated:
            add(
                f'    <li><a href="/p/{pid}/report" class="report-link">{texts.report}'
                f"{this_post}</a></li>\n"
            )
        if view.can_reply:
            at = f"/t/{view.topic.id}?page={post.page}&amp;"
            add(
                f'    <li><a href="{at}reply_to={pid}#repondre">{texts.reply}'
                f'<span class="visually-hidden"> {texts.to_the_post % numbered}'
                f"</span></a></li>\n"
                f'    <li><a class="quote-link" href="{at}quote={pid}#repondre">{texts.quote}'
                f"{this_post}</a></li>\n"
            )
        if post.can_edit:
            add(f'    <li><a href="/p/{pid}/edit">{texts.edit}{this_post}</a></li>\n')
        add("  </ul>\n")
    add("</article>")
    return head, "".join(parts)


def _reply_ref(ref: ReplyRef, texts: _ArticleTexts) -> str:
    if ref.author_name is not None:
        text = texts.reply_to % {"number": ref.number, "name": escape(ref.author_name)}
        return f'<a href="/p/{ref.post_id}">{text}</a>'
    return texts.reply_to_removed % {"number": ref.number}


def _include(context: Context, template: str, **variables: Any) -> str:
    """A template rendered as `{% with ... %}{% include %}` would: the page's context and more."""
    return context.environment.get_template(template).render({**context.get_all(), **variables})


@pass_context
def topic_items(context: Context, rows: list[TopicRow], unread: dict[int, int]) -> Markup:
    """`{{ topic_items(rows, unread) }}`: the topics of a board's list, with their unread
    counts (one call for the list: a call from a template costs a few µs of Jinja's own).
    Each topic's item is kept in the fragment cache, keyed by what it shows."""
    cache: FragmentCache = context["fragment_cache"]
    locale = context.environment.locale  # type: ignore[attr-defined]
    time_tag = context.environment.filters["time_tag"]
    parts = []
    words: tuple[str, str, str, str] | None = None
    for row in rows:
        topic = row.topic
        tid = topic.id
        count = unread.get(tid, 0) if tid is not None else 0
        key = ("topic item", locale, tid, count)  # readers with other counts: other entries
        facts = (
            topic.title,
            topic.is_pinned,
            topic.is_locked,
            row.replies,
            topic.last_post_at,
            row.author_name,
        )
        item = cache.get(key, facts)
        if item is None:
            if words is None:
                words = (
                    translated_pattern(_BY),
                    _("épinglé"),
                    _("verrouillé"),
                    _("dernier message :"),
                )
            item = _topic_item(row, count, words, time_tag)
            cache.put(key, facts, item, getsizeof(item))
        parts.append(item)
    return Markup("".join(parts))  # noqa: S704 (every piece is escaped or ours)


def _topic_item(
    row: TopicRow, count: int, words: tuple[str, str, str, str], time_tag: Callable[[datetime], str]
) -> str:
    by, pinned, locked, latest = words
    topic = row.topic
    tid = topic.id
    title = escape(topic.title)
    parts = [f'    <li>\n      <a href="/t/{tid}" class="topic-title" dir="auto">{title}</a>\n']
    if count:
        new = ngettext("%(num)s nouveau", "%(num)s nouveaux", count)
        where = ngettext(
            "message non lu : aller au premier", "messages non lus : aller au premier", count
        )
        parts.append(
            f'      <a class="badge new" href="/t/{tid}/unread">{new}'
            f'<span class="visually-hidden"> {where}</span></a>\n'
        )
    if topic.is_pinned:
        parts.append(f'      <span class="badge">{pinned}</span>\n')
    if topic.is_locked:
        parts.append(f'      <span class="badge">{locked}</span>\n')
    replies = ngettext("%(num)s réponse", "%(num)s réponses", row.replies)
    when = time_tag(topic.last_post_at)
    author = by % {"name": escape(row.author_name)}
    parts.append(
        f'      <p class="topic-meta">{author} · {replies} · {latest} {when}</p>\n    </li>\n'
    )
    return "".join(parts)
