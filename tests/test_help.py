"""/aide: the guides, for everyone, in the visitor's language, linked from every page."""

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from forum import help as guides
from tests.conftest import ClientAs, MakeMember


def test_the_guide_is_there_for_anonymous_visitors(client: TestClient) -> None:
    page = client.get("/aide")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("h1", string="Mode d'emploi") is not None
    article = soup.find("article", class_="guide")
    assert article is not None and article["lang"] == "fr"
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert any("Écrire un document ensemble" in h for h in headings)
    # Every entry of the contents leads to an anchor of the page.
    anchors = {a["id"] for a in soup.find_all("a", id=True)}
    targets = {a["href"][1:] for a in soup.select('a[href^="#"]') if a["href"] != "#contenu"}
    assert targets and targets <= anchors


def test_the_guide_follows_the_language(client: TestClient) -> None:
    client.cookies.set("forum_lang", "en")
    page = client.get("/aide")
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("h1", string="User guide") is not None
    assert soup.find("article", class_="guide")["lang"] == "en"  # type: ignore[index]


def test_the_administrators_guide(client: TestClient) -> None:
    page = client.get("/aide/admin")
    assert page.status_code == 200
    assert "forum backup" in page.text and "forum restore" in page.text


def test_every_page_links_to_the_guide(
    client: TestClient, client_as: ClientAs, make_member: MakeMember
) -> None:
    member = client_as(make_member("amina", groups={"pole-ess": "member"}))
    for browser, path in ((client, "/"), (client, "/login"), (member, "/"), (member, "/account")):
        soup = BeautifulSoup(browser.get(path).text, "html.parser")
        assert soup.find("a", href="/aide") is not None, path


def test_screenshots_are_served_by_name_only(client: TestClient) -> None:
    assert client.get("/aide/captures/..%2Fguide-fr.md").status_code == 404
    assert client.get("/aide/captures/absent.png").status_code == 404
    assert guides.screenshot("../secret.png") is None
    shots = sorted((guides.docs_dir() / "screenshots").glob("*.png"))
    if shots:  # made by the browser tests; the guide shows them
        answer = client.get(f"/aide/captures/{shots[0].name}")
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
