"""Driving Debian's Chromium with Playwright: launch flags, and helpers for the editor page."""

import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlmodel import Session

from forum.bootstrap import prepare
from forum.db import Database, make_engine
from forum.services import groups as group_service
from forum.services import users as user_service
from forum.settings import Settings
from tests.conftest import PASSWORD, Member, password_hash
from tests.discussions import People, arrange_people
from tests.e2e.editor_site import Site
from tests.interop.harness import free_port, wait_until

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
    # A page just opened has nothing pending while it still connects: on a loaded machine
    # (a CI run with other tests beside it) connecting took more than the default 5 s.
    expect(status).to_have_text("Enregistré", timeout=15_000)


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


# --- A real `forum serve` process, and members signed in through the real form ----------------


FORUM_COMMAND = Path(sys.executable).with_name("forum")  # the console script of this venv


@dataclass
class ServedForum:
    """A `forum serve` process on a loopback port, its data directory's database and people."""

    base: str  # http://127.0.0.1:port
    settings: Settings
    db: Database
    people: People
    log: Path


def arrange_forum(data_parent: Path, port: int, **overrides: Any) -> ServedForum:
    """A fresh data directory with the preset, the public board and the four people."""
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        data_dir=data_parent / "data", base_url=base, secret_key="e2e-served", **overrides
    )
    prepare(settings)
    db = Database(make_engine(settings.resolved_database_url))

    def make_member(login: str, **kwargs: Any) -> Member:
        def create(session: Session) -> Member:
            user = user_service.create_user(
                session,
                login=login,
                display_name=kwargs.get("name") or login.capitalize(),
                is_admin=kwargs.get("admin", False),
                password_hash=password_hash(),
                login_suffix=settings.login_suffix,
            )
            assert user.id is not None
            for slug, role in (kwargs.get("groups") or {}).items():
                group_service.set_membership(session, group_slug=slug, user_id=user.id, role=role)
            return Member(id=user.id, login=user.login)

        member: Member = db.transaction(create)
        return member

    people = arrange_people(db, make_member)
    return ServedForum(base, settings, db, people, data_parent / "serve.log")


@contextmanager
def forum_serve(data_parent: Path, **overrides: Any) -> Iterator[ServedForum]:
    """Run the real `forum serve` command on a free port in a fresh data directory."""
    port = free_port()
    forum = arrange_forum(data_parent, port, **overrides)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    environ.update(
        FORUM_DATA_DIR=str(forum.settings.data_dir),
        FORUM_BASE_URL=forum.base,
        FORUM_SECRET_KEY=forum.settings.secret_key,
        FORUM_LOGIN_SUFFIX=forum.settings.login_suffix,
        PYTHONUNBUFFERED="1",
    )
    command = [str(FORUM_COMMAND), "serve", "--port", str(port)]
    with (
        forum.log.open("w") as log,
        subprocess.Popen(command, env=environ, stdout=log, stderr=subprocess.STDOUT) as process,
    ):

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"forum serve exited:\n{forum.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{forum.base}/healthz", timeout=1) as answer:
                    return bool(answer.status == 200)
            except OSError:
                return False

        try:
            wait_until(healthy, 30, "forum serve to answer")
            yield forum
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            forum.db.dispose()


def member_page(
    browser: Browser,
    errors: list[str],
    viewport: ViewportSize | None = None,
    *,
    init_script: str | None = None,
) -> Page:
    """A new page in its own French context; its uncaught exceptions and console errors (a
    refused script, a missing image…) go to `errors`."""
    context = browser.new_context(
        viewport=viewport or {"width": 1100, "height": 800}, locale="fr-FR"
    )
    if init_script is not None:
        context.add_init_script(init_script)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: console: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    return page


def sign_in_form(page: Page, base: str, login: str, password: str, path: str = "/") -> None:
    """Fill and send the sign-in form as a member would (no wait for the outcome)."""
    page.goto(f"{base}/login?next={quote(path)}")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def signed_in_page(
    browser: Browser,
    forum: ServedForum,
    member: Member,
    errors: list[str],
    path: str = "/",
    *,
    viewport: ViewportSize | None = None,
    init_script: str | None = None,
) -> Page:
    """A member's page at path, signed in through the real form."""
    page = member_page(browser, errors, viewport, init_script=init_script)
    sign_in_form(page, forum.base, member.login, PASSWORD, path)
    page.wait_for_url(f"{forum.base}{path}")
    return page


# Keeps the page's EventSource objects within reach, to wait until the live stream is open.
LIVE_PROBE = """(() => {
  const Native = window.EventSource;
  if (!Native) return;
  window.__forumSources = [];
  const Probe = function (url, options) {
    const source = new Native(url, options);
    window.__forumSources.push(source);
    return source;
  };
  Probe.prototype = Native.prototype;
  window.EventSource = Probe;
})();"""


def live_stream_open(page: Page) -> None:
    """Wait until the page's live stream (/live, opened by live.js) is connected."""
    page.wait_for_function(
        "() => (window.__forumSources || []).some((source) => source.readyState === 1)",
        timeout=10_000,
    )
