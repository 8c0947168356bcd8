"""Driving Debian's Chromium with Playwright: launch flags, and helpers for the editor page."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.editor_site import Site
from tests.interop.harness import wait_until

CHROMIUM = Path("/usr/bin/chromium")
# Never `playwright install`: the browser comes from Debian (apt-get install chromium).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
)

OpenAs = Callable[..., Page]


@dataclass
class Running:
    """A site served on a free port, and the browsers' complaints."""

    site: Site
    base: str
    errors: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)  # errors containing these are fine

    def unexpected_errors(self) -> list[str]:
        """Console errors and uncaught exceptions that no test said it expects."""
        return [e for e in self.errors if not any(part in e for part in self.expected)]


def text_of(page: Page) -> str:
    """The document's text as the editor holds it (carets' name labels left out)."""
    text: str = page.evaluate("window.forumEditor.editor().getText()")
    return text


def saved(page: Page) -> None:
    """Wait until the server has acknowledged every change of this page."""
    status = page.locator("#editor-status")
    expect(status).to_have_attribute("data-pending", "false", timeout=15_000)
    expect(status).to_have_text("Enregistré")


def wait_text(page: Page, expected: str) -> None:
    """Wait until the page's document text is exactly `expected`."""
    seen = [""]

    def holds() -> bool:
        seen[0] = text_of(page)
        return seen[0] == expected

    try:
        wait_until(holds, 10, f"the text {expected!r}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last seen {seen[0]!r}") from None


def type_at_end(page: Page, text: str) -> None:
    page.locator("#editor-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def stored_in_browser(page: Page, document_id: str) -> None:
    """Return once every update written so far to the page's IndexedDB copy is committed."""
    page.evaluate(
        """name => new Promise((resolve, reject) => {
            const opening = indexedDB.open(name);
            opening.onerror = () => reject(opening.error);
            opening.onsuccess = () => {
                const db = opening.result;
                // Transactions on one store run in order: this read waits for earlier writes.
                const store = db.transaction("updates", "readonly").objectStore("updates");
                const reading = store.count();
                reading.onsuccess = () => { db.close(); resolve(reading.result); };
                reading.onerror = () => reject(reading.error);
            };
        })""",
        f"forum-document:{document_id}",
    )
