"""Topics and replies through the pages: forms, previews, quoting, pages of posts, stable links."""

from datetime import datetime

import pytest
from bs4 import Tag
from starlette.testclient import TestClient

from forum.db import Database
from forum.forms import MAX_FORM_BYTES
from forum.services.post_views import POSTS_PER_PAGE
from forum.services.topic_views import TOPICS_PER_PAGE
from forum.services.topics import BODY_MAX, BODY_MIN, TITLE_MAX, TITLE_MIN
from tests.conftest import ClientAs, MakeMember
from tests.discussions import (
    PUBLIC_BOARD,
    A,
    People,
    add_replies,
    add_reply,
    arrange_people,
    article_ids,
    change_topic,
    counts,
    field_error,
    new_topic,
    send_form,
    soup,
    stored_topic,
)
from tests.test_readme import section
from tests.test_weight import LIMIT, transferred


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def amina(people: People, client_as: ClientAs) -> TestClient:
    return client_as(people.member_a)


def test_a_member_starts_a_topic_through_the_form(amina: TestClient, db: Database) -> None:
    board = soup(amina.get(f"/b/{A}").text)
    assert board.find("a", href=f"/b/{A}/new") is not None
    form_page = soup(amina.get(f"/b/{A}/new").text)
    textarea = form_page.find("textarea", id="f-body")
    assert isinstance(textarea, Tag) and textarea["name"] == "body"
    assert form_page.find("label", attrs={"for": "f-body"}) is not None
    assert form_page.find("label", attrs={"for": "f-title"}) is not None

    response = send_form(
        amina,
        f"/b/{A}/new",
        {"title": "  Réunion   de rentrée ", "body": "On se voit **mardi** ?", "action": "publish"},
    )
    assert response.status_code == 303
    location = response.headers["location"]
    topic_id = int(location.removeprefix("/t/"))
    page = soup(amina.get(location).text)
    h1 = page.find("h1")
    assert h1 is not None and h1.get_text(strip=True) == "Réunion de rentrée"
    topic = stored_topic(db, topic_id)
    assert (topic.post_count, topic.first_post_id) == (1, topic.first_post_id)
    [first] = page.select("article.post")
    assert first["id"] == f"p{topic.first_post_id}"
    strong = first.select_one(".post-body strong")
    assert strong is not None and strong.get_text() == "mardi"
    listed = soup(amina.get(f"/b/{A}").text).select(".topic-list a.topic-title")
    assert [(a["href"], a.get_text(strip=True)) for a in listed] == [
        (location, "Réunion de rentrée")
    ]


def test_preview_shows_the_rendering_and_writes_nothing(amina: TestClient, db: Database) -> None:
    before = counts(db)
    data = {"title": "Essai", "body": "Un *aperçu*\n\n- un\n- deux", "action": "preview"}
    response = send_form(amina, f"/b/{A}/new", data)
    assert response.status_code == 200
    page = soup(response.text)
    preview = page.select_one(".preview .post-body")
    assert preview is not None
    assert [li.get_text() for li in preview.select("li")] == ["un", "deux"]
    assert preview.select_one("em") is not None
    title = page.find("input", id="f-title")
    assert isinstance(title, Tag) and title["value"] == "Essai"
    textarea = page.find("textarea", id="f-body")
    assert isinstance(textarea, Tag) and textarea.get_text() == data["body"]
    assert counts(db) == before


def test_reply_preview_keeps_the_text_and_writes_nothing(
    people: People, amina: TestClient, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, A)
    before = counts(db)
    data = {"body": "> cité\n\nma **réponse**", "reply_to": str(first), "action": "preview"}
    response = send_form(amina, f"/t/{topic_id}/reply", data)
    assert response.status_code == 200
    page = soup(response.text)
    assert page.select_one(".preview blockquote") is not None
    reply_to = page.find("input", attrs={"name": "reply_to"})
    assert isinstance(reply_to, Tag) and reply_to["value"] == str(first)
    assert counts(db) == before


def test_replies_link_back_to_the_post_they_answer(
    people: People, amina: TestClient, client_as: ClientAs, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, A, body="Question ?")
    chloe = client_as(people.moderator_a)
    form = soup(chloe.get(f"/t/{topic_id}?reply_to={first}").text)
    hidden = form.find("input", attrs={"name": "reply_to"})
    assert isinstance(hidden, Tag) and hidden["value"] == str(first)
    assert "Amina Benali" in form.select_one(".reply-target").get_text()  # type: ignore[union-attr]

    data = {"body": "Réponse !", "reply_to": str(first), "page": "1"}
    response = send_form(chloe, f"/t/{topic_id}/reply", data)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"/t/{topic_id}?page=1#p")
    reply_id = location.rsplit("#p", 1)[1]
    article = soup(amina.get(location).text).find("article", id=f"p{reply_id}")
    assert isinstance(article, Tag)
    link = article.select_one(f".post-meta a[href='/p/{first}']")
    assert link is not None and "Amina Benali" in link.get_text()
    topic = stored_topic(db, topic_id)
    assert topic.post_count == 2
    assert topic.last_post_at >= topic.created_at


def test_quote_prefills_the_reply_with_attribution_and_link(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, A, body="Ligne une\n\nLigne *deux*")
    chloe = client_as(people.moderator_a)
    page = soup(chloe.get(f"/t/{topic_id}?quote={first}").text)
    textarea = page.find("textarea", id="f-body")
    assert isinstance(textarea, Tag)
    assert textarea.get_text().splitlines() == [
        f"> **Amina Benali** a écrit ([message n°1](/p/{first})) :",
        ">",
        "> Ligne une",
        ">",
        "> Ligne *deux*",
        "",
    ]
    hidden = page.find("input", attrs={"name": "reply_to"})
    assert isinstance(hidden, Tag) and hidden["value"] == str(first)
    # The enhancement that quotes only the selection: its script, and what it reads.
    scripts = [str(s["src"]) for s in page.find_all("script", src=True)]
    assert any(src.startswith("/static/quote.js?v=") for src in scripts)
    assert not page.find_all("script", src=False), "no inline script (CSP forbids them)"
    article = page.find("article", id=f"p{first}")
    assert isinstance(article, Tag)
    assert article["data-attribution"] == textarea.get_text().splitlines()[0][2:]
    quote_link = article.select_one("a.quote-link")
    assert quote_link is not None and f"quote={first}" in str(quote_link["href"])
    assert chloe.get(scripts[0]).status_code == 200

    response = send_form(chloe, f"/t/{topic_id}/reply", {"body": textarea.get_text()})
    assert response.status_code == 303
    quoted = soup(chloe.get(response.headers["location"]).text).select("blockquote")[-1]
    assert quoted.select_one(f"a[href='/p/{first}']") is not None


@pytest.mark.parametrize(
    ("title", "body", "field", "message"),
    [
        ("", "Du texte.", "title", "au moins 3 caractères"),
        ("  ab  ", "Du texte.", "title", "au moins 3 caractères"),
        ("x" * (TITLE_MAX + 1), "Du texte.", "title", "dépasser 200 caractères"),
        ("Un titre", "", "body", "Le message est vide."),
        ("Un titre", " \n\t \n ", "body", "Le message est vide."),
        ("Un titre", "x" * (BODY_MAX + 1), "body", "ne doit pas dépasser 50"),
    ],
    ids=["empty-title", "short-title", "long-title", "empty-body", "blank-body", "long-body"],
)
def test_bad_topic_input_is_shown_next_to_the_field(
    title: str, body: str, field: str, message: str, amina: TestClient, db: Database
) -> None:
    before = counts(db)
    response = send_form(amina, f"/b/{A}/new", {"title": title, "body": body})
    assert response.status_code == 400
    page = soup(response.text)
    shown = field_error(page, field)
    assert shown is not None and message in shown
    other = "body" if field == "title" else "title"
    assert field_error(page, other) is None
    textarea = page.find("textarea", id="f-body")
    assert isinstance(textarea, Tag) and textarea.get_text() == body
    assert counts(db) == before


@pytest.mark.parametrize("body", ["", "   ", "x" * (BODY_MAX + 1)], ids=["empty", "blank", "big"])
def test_bad_reply_is_shown_next_to_the_field(
    body: str, people: People, amina: TestClient, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    before = counts(db)
    response = send_form(amina, f"/t/{topic_id}/reply", {"body": body})
    assert response.status_code == 400
    assert field_error(soup(response.text), "body")
    assert counts(db) == before
    assert stored_topic(db, topic_id).post_count == 1


def test_a_body_at_the_limit_is_accepted(people: People, amina: TestClient, db: Database) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    response = send_form(amina, f"/t/{topic_id}/reply", {"body": "é" * BODY_MAX})
    assert response.status_code == 303


def test_anonymous_visitors_read_public_topics_and_are_asked_to_sign_in(
    people: People, client: TestClient, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, PUBLIC_BOARD, title="Ouvert à tous")
    page = soup(client.get(f"/t/{topic_id}").text)
    assert page.find("h1").get_text(strip=True) == "Ouvert à tous"  # type: ignore[union-attr]
    assert page.find("form", id="reply-form") is None
    assert page.find("a", href=f"/login?next=/t/{topic_id}") is not None
    assert page.select("a.quote-link") == []
    board = soup(client.get(f"/b/{PUBLIC_BOARD}").text)
    assert board.find("a", href=f"/b/{PUBLIC_BOARD}/new") is None

    new = client.get(f"/b/{PUBLIC_BOARD}/new", follow_redirects=False)
    assert new.status_code == 303
    assert new.headers["location"] == f"/login?next=/b/{PUBLIC_BOARD}/new"
    before = counts(db)
    posted = client.post(f"/t/{topic_id}/reply", data={"body": "Hop"}, follow_redirects=False)
    assert posted.status_code == 303
    assert posted.headers["location"] == f"/login?next=/t/{topic_id}"
    started = client.post(
        f"/b/{PUBLIC_BOARD}/new", data={"title": "Hop", "body": "Hop"}, follow_redirects=False
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/login?next=")
    assert counts(db) == before


def test_posts_are_paginated_and_stable_links_land_on_their_page(
    people: People, amina: TestClient, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, A)
    replies = add_replies(db, people.member_a, topic_id, 2 * POSTS_PER_PAGE + 4)
    posts = [first, *replies]
    assert stored_topic(db, topic_id).post_count == len(posts)

    def on_page(number: str) -> list[str]:
        return article_ids(soup(amina.get(f"/t/{topic_id}{number}").text))

    assert on_page("") == [f"p{p}" for p in posts[:POSTS_PER_PAGE]]
    assert on_page("?page=2") == [f"p{p}" for p in posts[POSTS_PER_PAGE : 2 * POSTS_PER_PAGE]]
    assert on_page("?page=3") == [f"p{p}" for p in posts[2 * POSTS_PER_PAGE :]]
    assert on_page("?page=99") == on_page("?page=3")
    assert on_page("?page=abc") == on_page("?page=0") == on_page("")

    for index in (0, POSTS_PER_PAGE - 1, POSTS_PER_PAGE, len(posts) - 1):
        response = amina.get(f"/p/{posts[index]}", follow_redirects=False)
        assert response.status_code == 303
        page = index // POSTS_PER_PAGE + 1
        assert response.headers["location"] == f"/t/{topic_id}?page={page}#p{posts[index]}"
        landed = amina.get(response.headers["location"])
        assert f"p{posts[index]}" in article_ids(soup(landed.text))

    nav = soup(amina.get(f"/t/{topic_id}?page=2").text).select_one("nav.pagination")
    assert nav is not None
    assert nav.select_one("a[rel=prev]")["href"] == f"/t/{topic_id}?page=1"  # type: ignore[index]
    assert nav.select_one("a[rel=next]")["href"] == f"/t/{topic_id}?page=3"  # type: ignore[index]
    assert nav.select_one("[aria-current=page]").get_text() == "Page 2 sur 3"  # type: ignore[union-attr]


def test_the_board_lists_pinned_topics_first_then_by_latest_post(
    people: People, amina: TestClient, db: Database
) -> None:
    ids = [new_topic(db, people.member_a, A, title=f"Sujet {n:02}")[0] for n in range(35)]
    add_reply(db, people.member_a, ids[3])  # the most recent activity
    change_topic(db, ids[10], is_pinned=True)

    def titles(query: str = "") -> list[str]:
        page = soup(amina.get(f"/b/{A}{query}").text)
        return [a.get_text(strip=True) for a in page.select(".topic-list a.topic-title")]

    first_page = titles()
    assert len(first_page) == TOPICS_PER_PAGE
    assert first_page[:3] == ["Sujet 10", "Sujet 03", "Sujet 34"]
    second_page = titles("?page=2")
    assert second_page == ["Sujet 05", "Sujet 04", "Sujet 02", "Sujet 01", "Sujet 00"]
    assert set(first_page) | set(second_page) == {f"Sujet {n:02}" for n in range(35)}
    assert titles("?page=7") == second_page


def test_arabic_text_is_rendered_with_automatic_direction(
    people: People, amina: TestClient, db: Database
) -> None:
    arabic = "مرحبا بكم في المنتدى"
    topic_id, first = new_topic(
        db, people.member_a, A, title=arabic, body=f"{arabic}\n\n- {arabic}"
    )
    page = soup(amina.get(f"/t/{topic_id}").text)
    h1 = page.find("h1")
    assert isinstance(h1, Tag) and h1.get("dir") == "auto" and h1.get_text(strip=True) == arabic
    body = page.select_one(f"#p{first} .post-body")
    assert body is not None
    blocks = body.find_all(["p", "li"])
    assert blocks and all(block.get("dir") == "auto" for block in blocks)
    textarea = page.find("textarea", id="f-body")
    assert isinstance(textarea, Tag) and textarea.get("dir") == "auto"
    listed = soup(amina.get(f"/b/{A}").text).select_one(".topic-list a.topic-title")
    assert listed is not None and listed.get("dir") == "auto"


def test_each_post_is_an_article_with_its_author_and_time(
    people: People, amina: TestClient, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, A, body="# Titre dans le message")
    page = soup(amina.get(f"/t/{topic_id}").text)
    article = page.find("article", id=f"p{first}")
    assert isinstance(article, Tag)
    heading = page.find(id=article["aria-labelledby"])
    assert isinstance(heading, Tag) and heading.name == "h2"
    assert "Amina Benali" in heading.get_text()
    time = article.find("time")
    assert isinstance(time, Tag)
    assert datetime.fromisoformat(str(time["datetime"])).tzinfo is not None
    assert "2" in time.get_text()  # a formatted date, not the ISO string
    # A post's own headings come below the page's h1 and the post's h2.
    assert [h.name for h in article.select(".post-body h1, .post-body h2, .post-body h3")] == ["h3"]


def test_a_long_topic_page_stays_light(people: People, amina: TestClient, db: Database) -> None:
    topic_id, _first = new_topic(db, people.member_a, A, body="Un message. " * 200)
    add_replies(db, people.member_a, topic_id, POSTS_PER_PAGE)
    assert transferred(amina, f"/t/{topic_id}") < LIMIT


def test_the_readme_states_the_limits() -> None:
    text = section("Limites")
    assert f"de {TITLE_MIN} à {TITLE_MAX} caractères" in text
    assert f"de {BODY_MIN} à {BODY_MAX:,} caractères".replace(",", " ") in text
    assert f"{MAX_FORM_BYTES // 1_000_000} Mo" in text
    assert f"{POSTS_PER_PAGE} messages" in text and f"{TOPICS_PER_PAGE} sujets" in text
