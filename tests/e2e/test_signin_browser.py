"""Signing in and out in Chromium, against a real `forum serve` whose logins carry a suffix:
a login works typed with or without its suffix, a wrong password is told in French on the
form itself, and signing out leaves an anonymous browser that no longer sees private boards."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.discussions import A, new_topic
from tests.e2e.browser import (
    ServedForum,
    forum_serve,
    member_page,
    needs_chromium,
    sign_in_form,
)

pytestmark = [pytest.mark.e2e, needs_chromium]

SUFFIX = ".copcm"
TOPIC = "Ordre du jour du comité de pilotage"
WRONG = "Identifiant ou mot de passe incorrect."


def unexpected(errors: list[str], status: int) -> list[str]:
    """The page errors, less Chromium's note that a page came with this (expected) status."""
    return [e for e in errors if f"responded with a status of {status} " not in e]


@pytest.fixture(scope="module")
def forum(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedForum]:
    """One server for the module; Amina's stored login is "amina.copcm"."""
    with forum_serve(tmp_path_factory.mktemp("signin"), login_suffix=SUFFIX) as served:
        assert served.people.member_a.login == "amina" + SUFFIX
        new_topic(served.db, served.people.member_a, A, title=TOPIC, body="Points à voir.")
        yield served


def expect_signed_in(page: Page) -> None:
    """The header a signed-in member sees."""
    header = page.locator("header.site-header")
    expect(header.get_by_role("link", name="Mon compte")).to_be_visible()
    expect(header.get_by_role("link", name="Mon compte")).to_contain_text("Amina Benali")
    expect(header.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(header.get_by_role("link", name="Se connecter")).to_have_count(0)


def expect_anonymous(page: Page) -> None:
    """The header an anonymous visitor sees."""
    header = page.locator("header.site-header")
    expect(header.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(header.get_by_role("link", name="Mon compte")).to_have_count(0)
    expect(header.get_by_role("button", name="Se déconnecter")).to_have_count(0)


@pytest.mark.parametrize("typed", ["amina", "amina" + SUFFIX, "Amina.COPCM"])
def test_sign_in_with_or_without_the_suffix(
    browser: Browser, forum: ServedForum, typed: str
) -> None:
    errors: list[str] = []
    page = member_page(browser, errors)
    sign_in_form(page, forum.base, typed, PASSWORD, f"/b/{A}")
    page.wait_for_url(f"{forum.base}/b/{A}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pôle ESS")
    expect(page.get_by_role("link", name=TOPIC)).to_be_visible()
    expect_signed_in(page)
    assert errors == []
    page.context.close()


def test_a_wrong_password_is_told_on_the_form(browser: Browser, forum: ServedForum) -> None:
    errors: list[str] = []
    page = member_page(browser, errors)
    sign_in_form(page, forum.base, "amina", "pas le bon mot de passe", f"/b/{A}")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Le formulaire contient des erreurs")
    expect(summary).to_contain_text(WRONG)
    assert page.url == f"{forum.base}/login"
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    login = page.get_by_label("Identifiant")
    expect(login).to_have_value("amina")  # kept, so that only the password is typed again
    expect(login).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#login-error")).to_have_text(WRONG)
    expect(page.get_by_label("Mot de passe")).to_have_value("")  # never sent back
    expect_anonymous(page)
    # The link in the summary leads to the field; then the right password goes where asked.
    summary.get_by_role("link", name=WRONG).click()
    expect(login).to_be_focused()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{forum.base}/b/{A}")
    expect_signed_in(page)
    assert unexpected(errors, 400) == []
    page.context.close()


def test_signing_out_leaves_an_anonymous_browser(browser: Browser, forum: ServedForum) -> None:
    errors: list[str] = []
    page = member_page(browser, errors)
    sign_in_form(page, forum.base, "amina", PASSWORD, f"/b/{A}")
    page.wait_for_url(f"{forum.base}/b/{A}")
    expect(page.get_by_role("link", name=TOPIC)).to_be_visible()
    session_cookies = page.context.cookies()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{forum.base}/")
    expect_anonymous(page)
    expect(page.get_by_role("link", name="Pôle ESS")).to_have_count(0)
    response = page.goto(f"{forum.base}/b/{A}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.locator("main")).not_to_contain_text(TOPIC)
    # The session ended on the server too: its old cookie, put back, opens nothing.
    page.context.add_cookies(session_cookies)  # type: ignore[arg-type]
    response = page.goto(f"{forum.base}/b/{A}")
    assert response is not None and response.status == 404
    expect_anonymous(page)
    assert unexpected(errors, 404) == []
    page.context.close()
