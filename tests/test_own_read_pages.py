"""A topic's and a board's page identify the member within their own read (one transaction).

The middleware leaves these two pages' identification to them (forum.auth.middleware,
OWN_READ_PAGES and read_as_member): the member must come out exactly as on any other page,
with their header, CSRF token, unread count and language, on the page and on its 404 alike,
and a session that no longer holds must give a visitor's page.
"""

import pytest
from starlette.testclient import TestClient

from forum.auth.middleware import SESSION_COOKIE, cookie_signer
from forum.db import Database
from forum.services import sessions as session_service
from forum.services import users as user_service
from tests.conftest import ClientAs, MakeMember
from tests.discussions import A, B, People, add_reply, arrange_people, new_topic, soup


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


def signed_in_as(text: str) -> str | None:
    """The display name the page's header names, or None for a visitor's header."""
    account = soup(text).select_one('header a[href="/account"] .visually-hidden')
    return None if account is None else account.get_text(strip=True).strip("()")


def csrf_of(text: str) -> set[str]:
    """Every CSRF token the page's forms carry."""
    return {str(field["value"]) for field in soup(text).select('input[name="csrf_token"]')}


@pytest.mark.parametrize("page", ["topic", "board"])
def test_the_member_is_known_on_these_pages_as_on_any_other(
    page: str, people: People, db: Database, client_as: ClientAs
) -> None:
    topic_id, _post = new_topic(db, people.member_a, A, title="Ordre du jour")
    add_reply(db, people.moderator_a, topic_id)
    path = f"/t/{topic_id}" if page == "topic" else f"/b/{A}"
    browser = client_as(people.member_a)
    shown = browser.get(path)
    assert shown.status_code == 200
    elsewhere = browser.get("/account")
    assert signed_in_as(shown.text) == "Amina Benali"
    # The same session's token on every form, as on the account page.
    assert csrf_of(shown.text) == csrf_of(elsewhere.text) != {""}
    if page == "topic":
        assert soup(shown.text).select_one("#reply-form") is not None
    # The form works: the token it carries is the session's.
    follow = browser.post(
        f"/t/{topic_id}/notifications" if page == "topic" else f"/b/{A}/notifications",
        data={
            "csrf_token": next(iter(csrf_of(shown.text))),
            "level": "watching",
            "watch": "1",
            "next": "/",
        },
        follow_redirects=False,
    )
    assert follow.status_code == 303


def test_the_unread_count_of_the_header_is_the_members(
    people: People, db: Database, client_as: ClientAs
) -> None:
    topic_id, _post = new_topic(db, people.member_a, A)
    add_reply(db, people.moderator_a, topic_id)  # a reply to amina's topic: one notification
    browser = client_as(people.member_a)
    for path in (f"/t/{topic_id}", f"/b/{A}", "/"):
        count = soup(browser.get(path).text).select_one("[data-live-count-number]")
        assert count is not None and count.get_text(strip=True) == "1", path


@pytest.mark.parametrize("page", ["topic", "board"])
def test_a_hidden_page_is_a_404_shown_to_the_member_in_their_language(
    page: str, people: People, db: Database, client_as: ClientAs
) -> None:
    topic_id, _post = new_topic(db, people.member_b, B, title="Réservé au COPIL")
    db.transaction(user_service.set_locale, user_id=people.member_a.id, locale="en")
    browser = client_as(people.member_a)
    missing = browser.get(f"/t/{topic_id}" if page == "topic" else f"/b/{B}")
    assert missing.status_code == 404
    assert "Réservé au COPIL" not in missing.text
    assert soup(missing.text).html is not None
    assert soup(missing.text).html["lang"] == "en"  # type: ignore[index]
    assert signed_in_as(missing.text) == "Amina Benali"
    # Their own board, in their language too.
    mine = browser.get(f"/b/{A}")
    assert soup(mine.text).html["lang"] == "en"  # type: ignore[index]


@pytest.mark.parametrize("page", ["topic", "board"])
def test_a_session_that_no_longer_holds_reads_as_a_visitor(
    page: str, people: People, db: Database, client_as: ClientAs
) -> None:
    topic_id, _post = new_topic(db, people.member_a, A)
    browser = client_as(people.member_a)
    path = f"/t/{topic_id}" if page == "topic" else f"/b/{A}"
    assert browser.get(path).status_code == 200
    key = cookie_signer("test-secret").loads(browser.cookies[SESSION_COOKIE])
    db.transaction(session_service.revoke_session, key=key)
    refused = browser.get(path)
    assert refused.status_code == 404  # a private board's page, to a visitor
    assert signed_in_as(refused.text) is None


def test_a_forged_cookie_on_these_pages_is_a_visitor_and_is_cleared(
    people: People, db: Database, client: TestClient
) -> None:
    topic_id, _post = new_topic(db, people.member_a, A)
    client.cookies.set(SESSION_COOKIE, "pas-une-vraie-session")
    response = client.get(f"/t/{topic_id}")
    assert response.status_code == 404
    assert SESSION_COOKIE in response.headers.get("set-cookie", "")


def test_a_topic_id_past_the_routes_range_is_the_members_404(
    people: People, client_as: ClientAs
) -> None:
    # No route matches such an id: the middleware identifies the member itself, as for
    # any page that does not read on its own.
    missing = client_as(people.member_a).get("/t/9223372036854775808")
    assert missing.status_code == 404
    assert signed_in_as(missing.text) == "Amina Benali"
