"""attach.js in a real Chromium: button, paste and drop upload through the API with progress,
large photos are downscaled in the browser, and the post shows the files."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect
from sqlmodel import select

from forum.app import create_app
from forum.auth.passwords import hash_password_sync
from forum.bootstrap import prepare
from forum.db import Database, make_engine
from forum.models import File
from forum.services import groups as group_service
from forum.services import users as user_service
from forum.settings import Settings
from tests.e2e.browser import needs_chromium
from tests.files import fixtures
from tests.interop.harness import serve_in_thread

pytestmark = [pytest.mark.e2e, needs_chromium]

PASSWORD = "une phrase de passe"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    """The forum on a free port, with Amina in pole-ess; (base URL, database)."""
    settings = Settings(data_dir=tmp_path / "data", secret_key="e2e")
    prepare(settings)
    engine = make_engine(settings.resolved_database_url)
    db = Database(engine)

    def arrange(session):  # type: ignore[no-untyped-def]
        user = user_service.create_user(
            session, login="amina", display_name="Amina", password_hash=hash_password_sync(PASSWORD)
        )
        assert user.id is not None
        group_service.set_membership(session, group_slug="pole-ess", user_id=user.id, role="member")

    db.transaction(arrange)
    with serve_in_thread(create_app(settings)) as ws_base:
        yield "http" + ws_base.removeprefix("ws"), db
    engine.dispose()


def signed_in(browser: Browser, base: str) -> Page:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    page.on("pageerror", lambda error: pytest.fail(f"page error: {error}"))
    page.goto(f"{base}/login")
    page.fill("input[name=login]", "amina")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{base}/b/pole-ess/new")
    expect(page.locator("input#f-files")).to_have_count(1)
    return page


def test_attach_button_paste_and_drop(browser: Browser, site: tuple[str, Database]) -> None:
    base, db = site
    page = signed_in(browser, base)
    native = page.locator("input#f-files")
    expect(native).to_be_hidden()
    button = page.locator(".attach-button")
    expect(button).to_have_text("Joindre des fichiers")
    with page.expect_file_chooser() as chooser:
        button.click()
    files = [
        FilePayload(
            name="grande photo.jpg", mimeType="image/jpeg", buffer=fixtures.jpeg(3000, 2000)
        ),
        FilePayload(
            name="Compte rendu d'été.pdf", mimeType="application/pdf", buffer=fixtures.pdf()
        ),
    ]
    chooser.value.set_files(files)
    attached = page.locator(".attached-files input[name=files]")
    expect(attached).to_have_count(2, timeout=20_000)
    # Paste an image into the message, then drop a text file on the form.
    page.locator("#f-body").click()
    page.evaluate(
        """async () => {
            const canvas = document.createElement("canvas");
            canvas.width = 40; canvas.height = 30;
            canvas.getContext("2d").fillRect(0, 0, 20, 20);
            const blob = await new Promise((done) => canvas.toBlob(done, "image/png"));
            const data = new DataTransfer();
            data.items.add(new File([blob], "capture.png", { type: "image/png" }));
            document.querySelector("#f-body").dispatchEvent(
                new ClipboardEvent(
                    "paste", { clipboardData: data, bubbles: true, cancelable: true }));
            const dropped = new DataTransfer();
            dropped.items.add(new File(["Ordre du jour\\n"], "ordre.txt", { type: "text/plain" }));
            document.querySelector("#f-body").dispatchEvent(
                new DragEvent("drop", { dataTransfer: dropped, bubbles: true, cancelable: true }));
        }"""
    )
    expect(attached).to_have_count(4, timeout=20_000)
    rows = db.reading(lambda session: list(session.exec(select(File)).all()))
    photo = next(row for row in rows if row.name == "grande photo.jpg")
    assert photo.width is not None and max(photo.width, photo.height or 0) <= 2560
    assert {row.name for row in rows} >= {"Compte rendu d'été.pdf", "ordre.txt"}
    assert any(row.name.startswith("image-collee-") for row in rows)
    page.fill("#f-title", "Photos de l'atelier")
    page.fill("#f-body", "Voici les fichiers.")
    page.click("button[name=action][value=publish]")
    page.wait_for_url(f"{base}/t/**")
    expect(page.locator("article.post .attachment-images img")).to_have_count(2)
    expect(page.locator("article.post .attachment-files li")).to_have_count(2)


def test_a_refused_file_is_reported(browser: Browser, site: tuple[str, Database]) -> None:
    base, _db = site
    page = signed_in(browser, base)
    with page.expect_file_chooser() as chooser:
        page.locator(".attach-button").click()
    chooser.value.set_files(
        [FilePayload(name="photo.jpg", mimeType="image/jpeg", buffer=fixtures.exe())]
    )
    alert = page.locator(".attached-files [role=alert]")
    expect(alert).to_contain_text("photo.jpg", timeout=20_000)
    expect(alert).to_contain_text("n'est pas accepté")
