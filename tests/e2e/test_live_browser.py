"""In Chromium: a topic page announces new replies and the header count follows, live; the
@mention list completes with the keyboard."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from starlette.applications import Starlette

from forum.db import Database
from tests.conftest import PASSWORD, MakeMember, Member
from tests.discussions import MEMBERS_BOARD, People, arrange_people, new_topic
from tests.e2e.browser import needs_chromium
from tests.test_live import bearer, reply, serving, wait_until

pytestmark = [pytest.mark.e2e, needs_chromium]


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def site(app: Starlette) -> Iterator[str]:
    with serving(app) as base:
        yield base


def signed_in(browser: Browser, base: str, member: Member, path: str) -> Page:
    """A fresh page of a member signed in through the real form, at path."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/login?next={path}")
    page.fill("input[name=login]", member.login)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{base}{path}")
    assert errors == []
    return page


@needs_chromium
def test_new_replies_and_the_count_arrive_without_reloading(
    browser: Browser, site: str, app: Starlette, people: People, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, MEMBERS_BOARD)
    page = signed_in(browser, site, people.member_a, f"/t/{topic_id}")
    count = page.locator("[data-live-count-number]")
    expect(count).to_have_text("0")
    wait_until(lambda: app.state.live.stream_count == 1)  # the page is listening
    chloe = bearer(db, people.moderator_a)
    post_id = reply(site, chloe, topic_id, "Bonjour @amina !")
    bar = page.locator("[data-live-bar] a")
    expect(bar).to_have_text("1 nouvelle réponse — afficher")
    expect(count).to_have_text("1")
    reply(site, chloe, topic_id, "Encore moi.")
    expect(bar).to_have_text("2 nouvelles réponses — afficher")
    bar.click()
    page.wait_for_url(f"**/t/{topic_id}?page=1#p{post_id}")
    expect(page.locator(f"#p{post_id}")).to_be_visible()
    page.context.close()


@needs_chromium
def test_mentions_complete_with_the_keyboard(
    browser: Browser, site: str, people: People, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, MEMBERS_BOARD)
    page = signed_in(browser, site, people.member_a, f"/t/{topic_id}")
    area = page.locator("textarea[name=body]")
    area.click()
    area.press_sequentially("Merci @ch")
    option = page.locator("[role=listbox] [role=option]")
    expect(option).to_have_text(["@chloe — Chloé Petit"])
    expect(page.locator("[role=listbox]")).to_be_visible()
    expect(area).to_have_attribute("aria-activedescendant", str(option.first.get_attribute("id")))
    area.press("Enter")
    expect(area).to_have_value("Merci @chloe ")
    expect(page.locator("[role=listbox]")).to_be_hidden()
    area.press_sequentially("et @po")
    expect(option).to_have_count(1)
    area.press("Escape")
    expect(page.locator("[role=listbox]")).to_be_hidden()
    area.press("Enter")  # the list is closed: Enter is a new line again
    expect(area).to_have_value("Merci @chloe et @po\n")
    page.context.close()
