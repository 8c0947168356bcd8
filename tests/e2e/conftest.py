"""Fixtures of the browser tests: a Chromium per test module, a site per test, member pages."""

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from tests.e2e.browser import CHROMIUM, FLAGS, OpenAs, Running
from tests.e2e.editor_site import Site, make_site_app
from tests.interop.harness import serve_in_thread


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def running() -> Iterator[Running]:
    site = Site()
    with serve_in_thread(make_site_app(site)) as ws_base:
        yield Running(site, "http" + ws_base.removeprefix("ws"))


@pytest.fixture
def open_as(browser: Browser, running: Running) -> Iterator[OpenAs]:
    """open_as("amina", "plan") opens the document page as that member, in its own context."""
    contexts: list[BrowserContext] = []

    def open_page(
        user: str,
        document_id: str,
        *,
        context: BrowserContext | None = None,
        viewport: ViewportSize | None = None,
        before: Callable[[Page], None] | None = None,
    ) -> Page:
        if context is None:
            context = browser.new_context(
                viewport=viewport or {"width": 1100, "height": 800}, locale="fr-FR"
            )
            context.add_cookies([{"name": "user", "value": user, "url": running.base}])
            contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: running.errors.append(f"{user}: {error}"))
        page.on(
            "console",
            lambda message: (
                running.errors.append(f"{user}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        if before is not None:
            before(page)
        page.goto(f"{running.base}/documents/{document_id}")
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert running.unexpected_errors() == []
