"""Live updates between browsers, against a real `forum serve`: Chloé replies through the form
in her browser; without reloading, the topic's author sees the reply announced on the open
topic page and her notification count rise, and a member following the topic sees his count
rise on another page.

(tests/e2e/test_live_browser.py covers a reply posted through the API that mentions the
member; here the reply comes from a second browser and the count rises because the member
wrote or follows the topic.)"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.discussions import A, new_topic
from tests.e2e.browser import (
    LIVE_PROBE,
    ServedForum,
    forum_serve,
    live_stream_open,
    needs_chromium,
    signed_in_page,
)

pytestmark = [pytest.mark.e2e, needs_chromium]

REPLY = "Je serai là à 9 h, avec les clés de la salle."


@pytest.fixture
def forum(tmp_path: Path) -> Iterator[ServedForum]:
    with forum_serve(tmp_path) as served:
        yield served


def count_of(page: Page) -> str:
    """The unread count shown in the header."""
    return page.locator("header [data-live-count-number]").inner_text()


def mark_loaded(page: Page) -> None:
    """Leave a mark in the page, gone if it is ever reloaded."""
    page.evaluate("() => { window.__notReloaded = true; }")


def not_reloaded(page: Page) -> bool:
    kept: bool = page.evaluate("() => window.__notReloaded === true")
    return kept


def test_a_reply_from_another_browser_arrives_live(browser: Browser, forum: ServedForum) -> None:
    errors: list[str] = []
    people = forum.people
    topic_id, _first = new_topic(
        forum.db, people.member_a, A, title="Clés de la salle", body="Qui ouvre samedi ?"
    )
    topic = f"/t/{topic_id}"
    # The admin follows the topic with its button, then reads the home page.
    follower = signed_in_page(browser, forum, people.admin, errors, topic, init_script=LIVE_PROBE)
    follower.get_by_role("button", name="Suivre ce sujet").click()
    follower.wait_for_url(f"**{topic}/notifications")
    follower.goto(f"{forum.base}/")
    # Amina, who opened the topic, keeps it open.
    author = signed_in_page(browser, forum, people.member_a, errors, topic, init_script=LIVE_PROBE)
    for page in (author, follower):
        live_stream_open(page)
        expect(page.locator("header [data-live-count-number]")).to_have_text("0")
        expect(page.locator("header [data-live-count-badge]")).to_have_class("badge count empty")
        mark_loaded(page)
    expect(author.locator("[data-live-bar]")).to_be_empty()

    # Chloé answers from her own browser.
    chloe = signed_in_page(browser, forum, people.moderator_a, errors, topic)
    chloe.locator("#f-body").fill(REPLY)
    chloe.get_by_role("button", name="Publier la réponse").click()
    chloe.wait_for_url(f"**{topic}?page=1#p*")
    reply_id = chloe.url.rsplit("#p", 1)[1]
    expect(chloe.locator(f"#p{reply_id}")).to_contain_text(REPLY)

    bar = author.locator("[data-live-bar] a")
    expect(bar).to_have_text("1 nouvelle réponse — afficher")
    for page in (author, follower):
        expect(page.locator("header [data-live-count-number]")).to_have_text("1")
        expect(page.locator("header [data-live-count-badge]")).not_to_have_class(
            "badge count empty"
        )
        assert not_reloaded(page), "the count changed without reloading the page"
    expect(author.locator(f"#p{reply_id}")).to_have_count(0)  # announced, not yet shown

    bar.click()
    author.wait_for_url(f"**{topic}?page=1#p{reply_id}")
    expect(author.locator(f"#p{reply_id}")).to_contain_text(REPLY)
    expect(author.locator(f"#p{reply_id}")).to_contain_text("Chloé Petit")
    # The notification says who answered where.
    follower.get_by_role("link", name="Notifications").click()
    expect(follower.locator("main")).to_contain_text("Chloé Petit")
    expect(follower.locator("main")).to_contain_text("Clés de la salle")
    assert errors == []
    for page in (author, follower, chloe):
        page.context.close()
