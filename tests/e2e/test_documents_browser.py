"""In Chromium, on the real forum: a member opens a document page, the editor mounts over the
server-rendered HTML and saves what she types through /collab (her session cookie and the
forum's Origin); without JavaScript the page shows the same text; losing access is told."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from forum.db import Database
from forum.services import groups as group_service
from tests.conftest import PASSWORD, Member
from tests.discussions import A, People
from tests.document_helpers import new_document, token_for
from tests.e2e.browser import needs_chromium, saved, type_at_end
from tests.interop.harness import free_port, wait_until
from tests.interop.test_forum_documents import Forum, arrange, serving

pytestmark = [pytest.mark.e2e, needs_chromium]


@pytest.fixture
def forum(tmp_path: Path) -> Iterator[Forum]:
    port = free_port()
    http = f"http://127.0.0.1:{port}"
    settings, db, people = arrange(tmp_path, http, "e2e-documents")
    try:
        with serving(settings, port) as app:
            yield Forum(http, f"ws://127.0.0.1:{port}/collab", app, db, people)
    finally:
        db.dispose()


def signed_in(browser: Browser, forum: Forum, member: Member, path: str) -> Page:
    """A member's page at path, signed in through the real form, on a phone-sized screen."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{forum.http}/login?next={path}")
    page.fill("input[name=login]", member.login)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{forum.http}{path}")
    assert errors == []
    return page


def test_a_member_writes_and_readers_without_javascript_see_it(
    browser: Browser, forum: Forum
) -> None:
    people: People = forum.people
    document_id = new_document(forum.db, people.member_a, A, title="Plan d'action")
    page = signed_in(browser, forum, people.member_a, f"/d/{document_id}")
    saved(page)
    type_at_end(page, "Écrire à plusieurs : été, œuvre commune.")
    saved(page)
    token = token_for(forum.db, people.member_a)

    def rendered() -> bool:
        text: str = forum.api(f"/api/v1/documents/{document_id}", token)["text"]
        return "œuvre commune" in text

    wait_until(rendered, 10, "the server to render what was typed")
    # Without JavaScript: the same text, rendered on the server from the CRDT.
    plain = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    plain.add_cookies(
        [
            {"name": c["name"], "value": c["value"], "url": forum.http}
            for c in page.context.cookies()
        ]
    )
    reader = plain.new_page()
    reader.goto(f"{forum.http}/d/{document_id}")
    expect(reader.locator("#editor")).to_contain_text("Écrire à plusieurs : été, œuvre commune.")
    width = reader.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page fits a 360 px phone"
    plain.close()
    page.context.close()


def test_a_member_removed_from_the_group_is_told_why(browser: Browser, forum: Forum) -> None:
    people: People = forum.people
    document_id = new_document(forum.db, people.member_a, A)
    page = signed_in(browser, forum, people.member_a, f"/d/{document_id}")
    saved(page)
    app_db: Database = forum.app.state.db
    app_db.transaction(group_service.remove_membership, group_slug=A, user_id=people.member_a.id)
    expect(page.locator("#editor-status")).to_contain_text(
        "vous n'avez plus accès à ce document", timeout=3_000
    )
    expect(page.locator("#editor-content")).to_have_attribute("contenteditable", "false")
    page.context.close()
