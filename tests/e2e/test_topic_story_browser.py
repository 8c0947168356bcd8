"""A topic's life in Chromium, against a real `forum serve`: Amina starts a topic with a pasted
image and an attached PDF, Chloé answers quoting the passage she selected, Amina corrects her
message and reads its history, the change shown line by line."""

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.discussions import A
from tests.e2e.browser import ServedForum, forum_serve, needs_chromium, signed_in_page
from tests.files import fixtures

pytestmark = [pytest.mark.e2e, needs_chromium]

TITLE = "Atelier d'été : la salle"
GREETING = "Bonjour à toutes et à tous."
PASSAGE = "La salle est réservée pour le 14 juin, de 9 h à 17 h."
CORRECTED = "La salle est réservée pour le 21 juin, de 9 h à 17 h."
PDF_NAME = "Compte rendu d'été.pdf"
ANSWER = "Parfait, je m'occupe des clés."

# What a browser does when an image is pasted from the clipboard into the message.
PASTE = """(data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "image.png", { type: "image/png" }));
    const area = document.querySelector("#f-body");
    area.focus();
    return area.dispatchEvent(new ClipboardEvent(
        "paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
}"""


@pytest.fixture
def forum(tmp_path: Path) -> Iterator[ServedForum]:
    with forum_serve(tmp_path) as served:
        yield served


def image_loaded(page: Page, selector: str) -> bool:
    """Whether the image at selector was fetched and decoded."""
    loaded: bool = page.locator(selector).evaluate("(img) => img.complete && img.naturalWidth > 0")
    return loaded


def start_topic(page: Page, forum: ServedForum) -> int:
    """Amina writes the topic, pastes a screenshot, attaches the PDF, publishes: first post id."""
    page.goto(f"{forum.base}/b/{A}/new")
    page.get_by_label("Titre").fill(TITLE)
    page.locator("#f-body").fill(f"{GREETING}\n\n{PASSAGE}")
    png = base64.b64encode(fixtures.png(320, 200)).decode()
    not_cancelled = page.evaluate(PASTE, png)
    assert not_cancelled is False, "attach.js takes the pasted image (and cancels the paste)"
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Joindre des fichiers").click()
    chooser.value.set_files(
        FilePayload(name=PDF_NAME, mimeType="application/pdf", buffer=fixtures.pdf())
    )
    attached = page.locator(".attached-files input[name=files]:checked")
    expect(attached).to_have_count(2, timeout=20_000)
    expect(page.locator(".attached-files")).to_contain_text(PDF_NAME)
    expect(page.locator(".attached-files")).to_contain_text("image-collee-")
    # The text is untouched by the paste: the image went to the files, not into the message.
    expect(page.locator("#f-body")).to_have_value(f"{GREETING}\n\n{PASSAGE}")
    page.get_by_role("button", name="Publier le sujet").click()
    page.wait_for_url(f"{forum.base}/t/*")
    first = page.locator("article.post").first
    expect(first).to_contain_text(PASSAGE)
    return int(first.get_attribute("data-post-id") or 0)


def test_paste_attach_quote_edit_and_history(browser: Browser, forum: ServedForum) -> None:
    errors: list[str] = []
    people = forum.people
    amina = signed_in_page(browser, forum, people.member_a, errors)
    first_id = start_topic(amina, forum)
    topic_url = amina.url.split("#")[0]
    post = f"#p{first_id}"

    # The pasted image shows inline, as a thumbnail; the PDF is in the post's file list.
    images = amina.locator(f"{post} .attachment-images img")
    expect(images).to_have_count(1)
    expect(images).to_have_attribute("alt", re.compile(r"^image-collee-\d+\.png$"))
    assert image_loaded(amina, f"{post} .attachment-images img")
    files = amina.locator(f"{post} .attachment-files li")
    expect(files).to_have_count(1)
    expect(files.get_by_role("link")).to_have_text(PDF_NAME)
    expect(files).to_contain_text("PDF")

    # Chloé selects a passage of the first message and quotes it.
    chloe = signed_in_page(
        browser, forum, people.moderator_a, errors, topic_url.split(forum.base)[1]
    )
    chloe.locator(f"{post} .post-body p", has_text=PASSAGE).click(click_count=3)
    selected = chloe.evaluate("() => window.getSelection().toString().trim()")
    assert selected == PASSAGE
    chloe.locator(f"{post} a.quote-link").click()
    area = chloe.locator("#f-body")
    expect(area).to_be_focused()
    expect(area).to_have_value(
        f"> **Amina Benali** a écrit ([message n°1](/p/{first_id})) :\n>\n> {PASSAGE}\n\n"
    )
    assert chloe.url.startswith(topic_url), "the quote is prepared on the page, not reloaded"
    chloe.keyboard.type(ANSWER)
    chloe.get_by_role("button", name="Publier la réponse").click()
    chloe.wait_for_url(f"{topic_url}*#p*")
    reply = chloe.locator("article.post").last
    quoted = reply.locator(".post-body blockquote")
    expect(quoted).to_contain_text(PASSAGE)
    expect(quoted).not_to_contain_text(GREETING)
    expect(reply.locator(".post-body")).to_contain_text(ANSWER)
    expect(reply.locator(".post-meta")).to_contain_text("en réponse au message n°1 de Amina Benali")

    # Amina corrects the date; the history shows what changed.
    amina.goto(topic_url)
    amina.get_by_role("link", name="Modifier le message n°1").click()
    amina.wait_for_url(f"{forum.base}/p/{first_id}/edit")
    expect(amina.locator("#f-body")).to_have_value(f"{GREETING}\n\n{PASSAGE}")
    amina.locator("#f-body").fill(f"{GREETING}\n\n{CORRECTED}")
    amina.get_by_role("button", name="Enregistrer la modification").click()
    amina.wait_for_url(f"{topic_url}*")
    edited = amina.locator(post)
    expect(edited.locator(".post-body")).to_contain_text(CORRECTED)
    expect(edited.locator(".post-body")).not_to_contain_text(PASSAGE)
    edited.get_by_role("link", name="modifié le").click()
    amina.wait_for_url(f"{forum.base}/p/{first_id}/revisions")
    expect(amina.get_by_role("heading", level=1)).to_have_text("Historique du message n°1")
    change = amina.locator("section.revision")
    expect(change).to_have_count(1)
    expect(change.get_by_role("heading")).to_have_text("Modification n°1")
    expect(change).to_contain_text("Par Amina Benali")
    expect(change.locator(".diff-removed del")).to_have_text([PASSAGE])
    expect(change.locator(".diff-added ins")).to_have_text([CORRECTED])
    expect(change.locator(".diff-same")).to_contain_text([GREETING])
    current = amina.get_by_role("region", name="Version actuelle")
    expect(current).to_contain_text(CORRECTED)
    assert errors == []
    chloe.context.close()
    amina.context.close()
