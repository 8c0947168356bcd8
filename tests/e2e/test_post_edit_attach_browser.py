"""Editing a post's files in a real Chromium: the files it carries are listed ticked, attach.js
adds new ones through the API, unticking removes one, and the topic shows the result."""

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from forum.db import Database
from tests.e2e.browser import needs_chromium
from tests.e2e.test_files_attach import signed_in, site  # noqa: F401  (the fixture)
from tests.files import fixtures

pytestmark = [pytest.mark.e2e, needs_chromium]


def choose(page: Page, payload: FilePayload) -> None:
    """Attach a file as a member does: the button, then the file chooser."""
    with page.expect_file_chooser() as chooser:
        page.locator(".attach-button").click()
    chooser.value.set_files([payload])


def test_edit_a_posts_files_with_javascript(browser: Browser, site: tuple[str, Database]) -> None:  # noqa: F811
    base, _db = site
    page = signed_in(browser, base)  # on the new-topic form
    choose(page, FilePayload(name="plan.pdf", mimeType="application/pdf", buffer=fixtures.pdf()))
    expect(page.locator(".attached-files input[name=files]")).to_have_count(1, timeout=20_000)
    page.fill("#f-title", "Le plan")
    page.fill("#f-body", "Voici le plan.")
    page.click("button[name=action][value=publish]")
    page.wait_for_url(f"{base}/t/**")
    expect(page.locator("article.post .attachment-files li")).to_have_count(1)
    edit_link = page.locator("article.post a[href$='/edit']").first
    page.goto(base + str(edit_link.get_attribute("href")))
    kept = page.locator(".attached-files input[name=files]")
    expect(kept).to_have_count(1)
    expect(kept.first).to_be_checked()
    choose(page, FilePayload(name="photo.png", mimeType="image/png", buffer=fixtures.png()))
    expect(kept).to_have_count(2, timeout=20_000)
    kept.first.uncheck()
    page.click("button[name=action][value=publish]")
    page.wait_for_url(f"{base}/t/**")
    expect(page.locator("article.post .attachment-images img")).to_have_count(1)
    expect(page.locator("article.post .attachment-images img")).to_have_attribute(
        "alt", "photo.png"
    )
    expect(page.locator("article.post .attachment-files li")).to_have_count(0)
