"""The pages a visitor meets first answer, in French, with the preset's boards."""

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from tests.conftest import ClientAs, MakeMember, csrf_token


def test_home_anonymous_sees_sign_in_link(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.html is not None and page.html["lang"] == "fr"
    assert page.find("a", href=lambda h: bool(h) and h.startswith("/login"))


def test_member_sees_own_group_and_common_area(
    make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = make_member("amina", groups={"pole-ess": "member"})
    browser = client_as(amina)
    page = BeautifulSoup(browser.get("/").text, "html.parser")
    links = {a["href"] for a in page.select("ul.board-list a")}
    assert links == {"/b/pole-ess", "/b/espace-commun"}
    assert browser.get("/b/copil").status_code == 404
    assert csrf_token(browser)
