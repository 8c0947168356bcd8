"""The fragment cache (forum.fragments.FragmentCache): a post's article or a board's topic item
built once and found again must be exactly what would be built afresh, whatever changed in
between, for every reader; and the cache stays within its size."""

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from forum.access import ANONYMOUS, Actor
from forum.db import Database
from forum.fragments import FragmentCache
from forum.i18n import use_locale
from forum.models.records import TopicRecord
from forum.services import reading
from forum.services.post_views import DELETED, HIDDEN, VISIBLE, Person, PostView, ReplyRef
from forum.services.topic_views import TopicPage, TopicRow
from forum.settings import Settings, SettingsError
from forum.templating import Templates
from tests.conftest import ClientAs, MakeMember
from tests.discussions import (
    A,
    actor,
    add_replies,
    add_reply,
    arrange_people,
    edit,
    new_topic,
    soup,
)
from tests.polls_helpers import topic_with_poll
from tests.test_files_posts import post_with_files

ARTICLES = "{{ post_articles(view) }}"
ITEMS = "{{ topic_items(rows, unread) }}"


def render(templates: Templates, locale: str, source: str, **context: Any) -> str:
    """As a request in that language renders (its environment, its locale current)."""
    with use_locale(locale):
        return templates.environments[locale].from_string(source).render(**context)


def changed(value: Any) -> list[Any]:
    """Other values of a post's field, of the same kind."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 7]
    if isinstance(value, str):
        return [value + " <é>", ""]
    if isinstance(value, datetime):
        return [value + timedelta(days=1, minutes=3), value + timedelta(seconds=1)]
    if isinstance(value, Person):
        return [Person(value.id, value.display_name + " & co"), Person(value.id + 1, "Zoé")]
    if isinstance(value, ReplyRef):
        return [
            ReplyRef(value.post_id + 1, value.number, value.author_name),
            ReplyRef(value.post_id, value.number + 1, value.author_name),
            ReplyRef(value.post_id, value.number, None),
            ReplyRef(value.post_id, value.number, "Autre <nom>"),
            None,
        ]
    raise AssertionError(f"no other value known for {value!r}")


NONE_REPLACED = {
    "author": Person(99, "Quelqu'un"),
    "edited_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    "reply_to": ReplyRef(1, 1, "Amina"),
}


def test_an_article_found_again_is_the_article_built_afresh(
    db: Database, make_member: MakeMember, settings: Settings
) -> None:
    people = arrange_people(db, make_member)
    topic_id, first = new_topic(db, people.member_a, A, title="Budget <2027>")
    add_replies(db, people.moderator_a, topic_id, 2)
    add_reply(db, people.member_a, topic_id, body="Je réponds.", reply_to=first)
    edit(db, people.member_a, first, "Premier, corrigé.")
    reader = actor(db, people.member_a)
    view: TopicPage = db.reading(reading.visit_topic, reader, topic_id).view
    assert not view.can_moderate and len(view.posts) == 4
    cached = Templates(settings)
    fresh = Templates(replace(settings, page_cache_mb=0))
    cache = cached.fragment_cache
    page = {"actor": reader, "csrf_token": "jeton"}

    first_time = render(cached, "fr", ARTICLES, view=view, **page)
    assert len(cache) == 4
    assert render(cached, "fr", ARTICLES, view=view, **page) == first_time
    assert first_time == render(fresh, "fr", ARTICLES, view=view, **page)
    assert len(fresh.fragment_cache) == 0

    # Every field of a post, changed one at a time: a new key, never the old article.
    names = {field.name for field in fields(PostView)}
    assert names == {
        *("id", "topic_id", "number", "state", "shown", "author", "body", "html"),
        *("created_at", "edited_at", "reply_to", "can_edit", "page", "poll"),
    }, "a new field of PostView: add it to this test and, if an article shows it, to its key"
    checked = 0
    for post in view.posts:
        for name in names - {"poll"}:  # a post with a poll is never cached (below)
            value = getattr(post, name)
            others: list[Any] = [NONE_REPLACED[name]] if value is None else changed(value)
            if name == "state":  # the states an article knows, each shown or as a placeholder
                others = [DELETED, HIDDEN, VISIBLE]
            if name == "shown" and post.shown:
                others = [False]  # a placeholder: no author, no body (as record_views makes it)
            for other in others:
                new: dict[str, Any] = {name: other}
                if name == "shown" and not other:
                    new.update(author=None, html="", body="", state=HIDDEN)
                if name == "state" and other != VISIBLE:
                    new.update(shown=False, author=None, html="", body="")
                posts = [replace(p, **new) if p is post else p for p in view.posts]
                variant = replace(view, posts=posts)
                expected = render(fresh, "fr", ARTICLES, view=variant, **page)
                assert render(cached, "fr", ARTICLES, view=variant, **page) == expected, name
                checked += 1
    assert checked > 50

    # What the page and the reader add: reply rights, the topic, being signed in, language.
    for variant, who in (
        (replace(view, can_reply=not view.can_reply), reader),
        (replace(view, topic=view.topic._replace(id=view.topic.id + 1)), reader),
        (view, ANONYMOUS),
    ):
        context = {"actor": who, "csrf_token": ""}
        expected = render(fresh, "fr", ARTICLES, view=variant, **context)
        assert render(cached, "fr", ARTICLES, view=variant, **context) == expected
    english = render(cached, "en", ARTICLES, view=view, **page)
    assert english == render(fresh, "en", ARTICLES, view=view, **page) != first_time


def test_moderators_articles_are_built_each_time(
    db: Database, make_member: MakeMember, settings: Settings
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _first = new_topic(db, people.member_a, A)
    moderator: Actor = actor(db, people.moderator_a)
    view = db.reading(reading.visit_topic, moderator, topic_id).view
    assert view.can_moderate
    templates = Templates(settings)
    own = render(templates, "fr", ARTICLES, view=view, actor=moderator, csrf_token="jeton-1")
    other = render(templates, "fr", ARTICLES, view=view, actor=moderator, csrf_token="jeton-2")
    # The moderation forms carry each moderator's own token; nothing kept.
    assert 'value="jeton-1"' in own and 'value="jeton-2"' in other
    assert len(templates.fragment_cache) == 0


def row(topic_id: int = 5, **values: Any) -> TopicRow:
    record = TopicRecord(
        id=topic_id,
        board_id=1,
        title="Réunion <COPIL>",
        author_id=3,
        created_at=datetime(2026, 2, 1, 8, tzinfo=UTC),
        last_post_at=datetime(2026, 2, 3, 18, 45, tzinfo=UTC),
        post_count=4,
        is_pinned=False,
        is_locked=False,
        deleted_at=None,
        first_post_id=11,
    )
    return TopicRow(record._replace(**values), "Chloé & Amina")


def test_a_board_item_found_again_is_the_item_built_afresh(settings: Settings) -> None:
    cached = Templates(settings)
    fresh = Templates(replace(settings, page_cache_mb=0))
    rows, unread = [row(5), row(6, title="Autre")], {5: 2}
    first_time = render(cached, "fr", ITEMS, rows=rows, unread=unread)
    assert len(cached.fragment_cache) == 2
    assert first_time == render(fresh, "fr", ITEMS, rows=rows, unread=unread)
    variants: list[tuple[list[TopicRow], dict[int, int]]] = [
        ([row(5, title="Réunion, reportée")], unread),
        ([row(5, post_count=1)], unread),
        ([row(5, is_pinned=True)], unread),
        ([row(5, is_locked=True)], unread),
        ([row(5, last_post_at=datetime(2026, 2, 3, 18, 46, tzinfo=UTC))], unread),
        ([TopicRow(row(5).topic, "Bruno")], unread),
        ([row(5)], {5: 1}),
        ([row(5)], {}),
    ]
    for rows, counts in variants:
        expected = render(fresh, "fr", ITEMS, rows=rows, unread=counts)
        assert render(cached, "fr", ITEMS, rows=rows, unread=counts) == expected
    english = render(cached, "en", ITEMS, rows=[row(5)], unread=unread)
    assert english == render(fresh, "en", ITEMS, rows=[row(5)], unread=unread)
    assert "2 new" in english


def test_the_cache_keeps_within_its_size_oldest_out_first() -> None:
    cache = FragmentCache(max_bytes=10 * (FragmentCache.ENTRY_BYTES + 100))
    for number in range(25):
        cache.put(("k", number), (), "x" * 100, 100)
        assert cache.size <= cache.max_bytes
    assert len(cache) == 10
    assert cache.get(("k", 14), ()) is None and cache.get(("k", 15), ()) == "x" * 100
    cache.put(("k", 24), (), "y", 1)  # the same key again: replaced, counted once
    assert len(cache) == 10 and cache.get(("k", 24), ()) == "y"
    cache.put("huge", (), "z" * cache.max_bytes, cache.max_bytes)  # larger than the whole cache
    assert cache.get("huge", ()) is None and len(cache) == 10
    off = FragmentCache(max_bytes=0)
    off.put("k", (), "v", 1)
    assert len(off) == 0 and off.get("k", ()) is None


def test_the_cache_size_is_a_setting() -> None:
    assert Settings.from_env({}).page_cache_mb == 64
    assert Settings.from_env({"FORUM_PAGE_CACHE_MB": "0"}).page_cache_mb == 0
    assert Settings.from_env({"FORUM_PAGE_CACHE_MB": " 200 "}).page_cache_mb == 200
    for wrong in ("-1", "douze", "1.5"):
        with pytest.raises(SettingsError, match="FORUM_PAGE_CACHE_MB"):
            Settings.from_env({"FORUM_PAGE_CACHE_MB": wrong})


def csrf_of(page: str) -> set[str]:
    return {str(field["value"]) for field in soup(page).select('input[name="csrf_token"]')}


def test_posts_with_a_poll_or_files_are_built_for_each_reader(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    yasmine = make_member("yasmine", groups={A: "member"}, name="Yasmine")
    amina, other = client_as(people.member_a), client_as(yasmine)
    topic_id, _poll = topic_with_poll(db, people.member_a, A)
    response = post_with_files(
        amina,
        f"/t/{topic_id}/reply",
        {"body": "Le devis.", "reply_to": ""},
        [("d.pdf", b"%PDF-1.4\n")],
    )
    assert response.status_code == 303, response.text
    path = f"/t/{topic_id}"
    # The poll's form carries each reader's own token: never another reader's article.
    for browser in (amina, other, amina, other):
        tokens = csrf_of(browser.get(path).text)
        assert len(tokens) == 1 and tokens == csrf_of(browser.get("/account").text)
    assert soup(other.get(path).text).select_one(".poll form.poll-vote") is not None
    # The post's files, read afresh: a file taken away is no longer listed.
    assert "d.pdf" in other.get(path).text
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM post_files"))
    assert "d.pdf" not in other.get(path).text
