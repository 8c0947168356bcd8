"""Search and the file library in Chromium, against a real `forum serve`: a word typed without
its accents finds the post; several files sent at once from the library's form, its gallery of
thumbnails, and a download that keeps the file's French name."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.discussions import A
from tests.e2e.browser import ServedForum, forum_serve, needs_chromium, signed_in_page
from tests.files import fixtures

pytestmark = [pytest.mark.e2e, needs_chromium]

TITLE = "Sortie de fin d'année"
BODY = "Compte rendu de la réunion à l'école Jules-Ferry : le car part à 8 h 30."
PHOTO, POSTER, REPORT = "photo de groupe.jpg", "Affiche fête d'été.png", "Compte rendu d'été.pdf"


@pytest.fixture(scope="module")
def forum(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedForum]:
    with forum_serve(tmp_path_factory.mktemp("search-library")) as served:
        yield served


def search_from_header(page: Page, words: str) -> None:
    """Type words in the search field of the header and send them."""
    field = page.get_by_role("search").first.get_by_label("Rechercher dans le forum")
    field.fill(words)
    field.press("Enter")
    page.wait_for_url("**/recherche?q=*")


def test_search_finds_a_post_typed_without_accents(browser: Browser, forum: ServedForum) -> None:
    errors: list[str] = []
    page = signed_in_page(browser, forum, forum.people.member_a, errors, f"/b/{A}/new")
    page.get_by_label("Titre").fill(TITLE)
    page.locator("#f-body").fill(BODY)
    page.get_by_role("button", name="Publier le sujet").click()
    page.wait_for_url(f"{forum.base}/t/*")
    topic_path = page.url.removeprefix(forum.base)

    search_from_header(page, "reunion ecole")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher dans le forum")
    expect(page.locator("#f-q")).to_have_value("reunion ecole")
    results = page.locator("ol.search-results > li")
    expect(results).to_have_count(1)
    expect(results.locator("a.search-title")).to_have_text(TITLE)
    # The snippet shows the words as written, accents included, and highlights them.
    expect(results.locator(".snippet mark")).to_have_text(["réunion", "école"])
    expect(results.locator(".snippet")).to_contain_text("réunion à l'école Jules-Ferry")
    results.locator("a.search-title").click()
    page.wait_for_url(f"**{topic_path}*")
    expect(page.locator("article.post").first).to_contain_text(BODY)

    # Other ways of typing the same words: capitals, an apostrophe, an exact phrase.
    for words in ("REUNION", "l'ecole jules-ferry", '"reunion a l\'ecole"'):
        search_from_header(page, words)
        expect(page.locator("ol.search-results a.search-title")).to_have_text([TITLE])

    # Words that are not in the post find nothing, and say so.
    search_from_header(page, "reunion piscine")
    expect(page.locator("ol.search-results > li")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Aucun résultat")).to_be_visible()
    assert errors == []
    page.context.close()


def test_library_upload_gallery_and_french_download(
    browser: Browser, forum: ServedForum, tmp_path: Path
) -> None:
    errors: list[str] = []
    page = signed_in_page(browser, forum, forum.people.member_a, errors, f"/b/{A}/fichiers")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fichiers de Pôle ESS")
    expect(page.locator("table.file-table")).to_have_count(0)
    report = fixtures.pdf()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Choisir des fichiers").click()
    assert chooser.value.is_multiple()
    chooser.value.set_files(
        [
            FilePayload(name=PHOTO, mimeType="image/jpeg", buffer=fixtures.jpeg(640, 480)),
            FilePayload(name=POSTER, mimeType="image/png", buffer=fixtures.png(300, 420)),
            FilePayload(name=REPORT, mimeType="application/pdf", buffer=report),
        ]
    )
    # Once the three are sent the page reloads and lists them.
    rows = page.locator("table.file-table tbody tr")
    expect(rows).to_have_count(3, timeout=30_000)
    names = page.locator("table.file-table tbody tr td:first-child a")
    expect(names).to_have_text([POSTER, REPORT, PHOTO])  # sorted by name, capitals or not

    # The gallery: the two images as thumbnails, each with its name; not the PDF.
    page.get_by_role("link", name="Voir la galerie d'images").click()
    page.wait_for_url("**vue=galerie*")
    gallery = page.locator("ul.gallery > li")
    expect(gallery).to_have_count(2)
    expect(gallery.locator("a.gallery-name")).to_have_text(sorted([PHOTO, POSTER]))
    thumbnails = gallery.locator("img")
    for index in range(2):
        thumbnail = thumbnails.nth(index)
        thumbnail.scroll_into_view_if_needed()  # they load lazily
        expect(thumbnail).to_have_js_property("complete", True)
        width = thumbnail.evaluate("(img) => img.naturalWidth")
        assert 0 < width <= 640, f"thumbnail {index} is {width} px wide"
    expect(page.locator("ul.gallery")).not_to_contain_text(REPORT)

    # The PDF's page, then its download, under its own French name.
    page.get_by_role("link", name="Voir en liste").click()
    page.get_by_role("link", name=REPORT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REPORT)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Télécharger").click()
    download = downloading.value
    assert download.suggested_filename == REPORT
    saved = tmp_path / "téléchargé.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == report
    assert errors == []
    page.context.close()
