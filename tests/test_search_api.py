"""Search through the JSON API and the /recherche page: only what the caller may read."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session
from starlette.testclient import TestClient

from forum.db import Database
from forum.search import SearchBackend
from forum.services import boards as board_service
from forum.services import search as search_service
from forum.services import tokens as token_service
from tests.conftest import ClientAs, MakeMember, Member

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# Board -> the word only its message holds; every message also says "budget".
WORDS = {
    "pole-ess": "tomate",  # group A's private board
    "copil": "carotte",  # group B's private board
    "espace-commun": "navet",  # every member
    "vitrine": "radis",  # public
}
Get = Callable[..., httpx2.Response]


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> dict[str, Member]:
    def create(session: Session) -> None:
        board_service.create_board(session, slug="vitrine", name="Vitrine", visibility="public")

    db.transaction(create)
    return {
        "member_a": make_member("amina", groups={"pole-ess": "member"}),
        "member_b": make_member("bruno", groups={"copil": "member"}),
        "admin": make_member("admin", admin=True),
    }


@pytest.fixture
def ids(db: Database, people: dict[str, Member]) -> dict[str, int]:
    """Board ids by slug."""

    def board_ids(session: Session) -> dict[str, int]:
        return {slug: board_service.get_board(session, slug).id or 0 for slug in WORDS}

    return db.reading(board_ids)


@pytest.fixture
def search(client: TestClient, ids: dict[str, int], people: dict[str, Member]) -> SearchBackend:
    """The application's backend, holding one message per board (by amina, post id = n)."""
    backend: SearchBackend = client.app.state.search  # type: ignore[attr-defined]
    for number, (slug, word) in enumerate(WORDS.items(), start=1):
        backend.index(
            search_service.entry_for_post(
                post_id=number,
                topic_id=100 + number,
                board_id=ids[slug],
                topic_title=f"Le <b>sujet</b> {word}",
                text=f"Le budget {word} de l’École, <script>alert(1)</script>",
                author_id=people["member_a"].id,
                author_name="Amina",
                created_at=T0 + timedelta(days=number),
            )
        )
    return backend


@pytest.fixture
def get_as(
    search: SearchBackend,
    client: TestClient,
    client_as: ClientAs,
    db: Database,
    people: dict[str, Member],
) -> Callable[[str, str], Get]:
    """get_as(actor, via) -> GET as anonymous, or as a member by session or by token."""

    def make(actor: str, via: str = "session") -> Get:
        if actor == "anonymous":
            return client.get
        member = people[actor]
        if via == "session":
            return client_as(member).get
        token, _row = db.transaction(token_service.create_token, user_id=member.id, name="t")
        return lambda path, **kw: client.get(path, headers={"Authorization": f"Bearer {token}"})

    return make


def boards_found(response: httpx2.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {result["board"]["slug"] for result in response.json()["results"]}


SEES = {
    "anonymous": {"vitrine"},
    "member_a": {"pole-ess", "espace-commun", "vitrine"},
    "member_b": {"copil", "espace-commun", "vitrine"},
    "admin": set(WORDS),
}


@pytest.mark.parametrize(
    ("actor", "via"),
    [("anonymous", "")]
    + [(a, v) for a in ("member_a", "member_b", "admin") for v in ("session", "token")],
)
def test_each_caller_finds_only_what_they_may_read(
    get_as: Callable[[str, str], Get], actor: str, via: str
) -> None:
    get = get_as(actor, via)
    assert boards_found(get("/api/v1/search?q=budget")) == SEES[actor]
    for slug, word in WORDS.items():
        expected = {slug} if slug in SEES[actor] else set()
        assert boards_found(get(f"/api/v1/search?q={word}")) == expected, (actor, slug)
        # Naming a hidden board as a filter finds nothing, as an unknown board would.
        assert boards_found(get(f"/api/v1/search?q=budget&board={slug}")) == expected


def test_result_shape(get_as: Callable[[str, str], Get]) -> None:
    response = get_as("anonymous", "")("/api/v1/search?q=ecole radis")
    body = response.json()
    assert body["page"] == 1 and body["has_more"] is False
    (result,) = body["results"]
    assert result == {
        "type": "post",
        "id": 4,
        "topic_id": 104,
        "board": {"slug": "vitrine", "name": "Vitrine"},
        "title": "Le <b>sujet</b> radis",
        "snippet": result["snippet"],
        "author": "Amina",
        "created_at": "2025-03-05T12:00:00Z",
        "url": "/p/4",
    }
    snippet = BeautifulSoup(result["snippet"], "html.parser")
    assert [m.get_text() for m in snippet("mark")] == ["radis", "École"]
    assert "&lt;script&gt;" in result["snippet"]


@pytest.mark.parametrize("query", ["", "q=", "q=%20%20", "q=!!!", "q=%22%22", "q=AND"])
def test_nothing_to_look_for_is_an_empty_page(
    get_as: Callable[[str, str], Get], query: str
) -> None:
    response = get_as("member_a", "session")(f"/api/v1/search?{query}")
    assert response.status_code == 200
    assert response.json() == {"results": [], "page": 1, "has_more": False}


def test_filters_by_author_and_dates(get_as: Callable[[str, str], Get]) -> None:
    get = get_as("admin", "token")
    assert len(get("/api/v1/search?q=budget&author=amina").json()["results"]) == 4
    assert get("/api/v1/search?q=budget&author=bruno").json()["results"] == []
    assert get("/api/v1/search?q=budget&author=personne").json()["results"] == []
    # NUL bytes name nobody (PostgreSQL refuses them in a query: this was a 500 there).
    for hostile in ("author=%00", "author=ami%00na", "board=%00"):
        response = get(f"/api/v1/search?q=budget&{hostile}")
        assert response.status_code == 200, hostile
    # Messages are dated March 2nd to 5th, at noon UTC (1 pm in Paris).
    dated = get("/api/v1/search?q=budget&from=2025-03-03&to=2025-03-04").json()["results"]
    assert sorted(r["id"] for r in dated) == [2, 3]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=hier", "from"),
        ("to=2025-02-30", "to"),
        ("from=20250301", "from"),
        ("to=", "to"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=9999", "page"),
    ],
)
def test_invalid_filters_are_422(get_as: Callable[[str, str], Get], query: str, field: str) -> None:
    response = get_as("anonymous", "")(f"/api/v1/search?q=budget&{query}")
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_pages(
    search: SearchBackend, ids: dict[str, int], get_as: Callable[[str, str], Get]
) -> None:
    for number in range(10, 40):
        search.index(
            search_service.entry_for_post(
                post_id=number,
                topic_id=1,
                board_id=ids["vitrine"],
                topic_title="Radis",
                text="radis",
                author_id=None,
                author_name="X",
                created_at=T0,
            )
        )
    get = get_as("anonymous", "")
    one = get("/api/v1/search?q=radis").json()
    two = get("/api/v1/search?q=radis&page=2").json()
    assert len(one["results"]) == 20 and one["has_more"] is True
    assert len(two["results"]) == 11 and two["has_more"] is False and two["page"] == 2
    ids_seen = [r["id"] for r in one["results"] + two["results"]]
    assert sorted(ids_seen) == [4, *range(10, 40)]
    page = BeautifulSoup(get("/recherche?q=radis&page=2").text, "html.parser")
    previous = page.find("a", rel="prev")
    assert previous is not None and previous["href"] == "/recherche?q=radis"
    assert page.find("a", rel="next") is None
    first = BeautifulSoup(get("/recherche?q=radis").text, "html.parser")
    following = first.find("a", rel="next")
    assert following is not None and following["href"] == "/recherche?q=radis&page=2"


def test_the_search_page(get_as: Callable[[str, str], Get]) -> None:
    get = get_as("member_a", "session")
    response = get("/recherche?q=budget&board=&author=&from=&to=")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    links = [a["href"] for a in page.select(".search-results a.search-title")]
    assert sorted(links) == ["/p/1", "/p/3", "/p/4"]
    titles = [a.get_text() for a in page.select(".search-results a.search-title")]
    assert "Le <b>sujet</b> tomate" in titles  # titles are text, not markup
    snippets = page.select(".search-results .snippet")
    assert all(s.find("mark") for s in snippets)
    assert not page.select(".search-results script")
    options = {str(o["value"]) for o in page.select("#f-board option")}
    readable = {board["slug"] for board in get("/api/v1/boards").json()}
    assert options == {""} | readable
    assert {"pole-ess", "espace-commun", "vitrine"} <= options and "copil" not in options
    for name in ("q", "board", "author", "from", "to"):
        field = page.select_one(f"#f-{name}[name={name}]")
        assert field is not None and page.select_one(f"label[for=f-{name}]") is not None


def test_the_search_page_without_results(get_as: Callable[[str, str], Get]) -> None:
    get = get_as("anonymous", "")
    page = BeautifulSoup(get("/recherche?q=carotte").text, "html.parser")
    assert not page.select(".search-results")
    status = page.select_one("[role=status]")
    assert status is not None and "Aucun résultat" in status.get_text()
    empty = BeautifulSoup(get("/recherche").text, "html.parser")
    assert not empty.select(".search-results") and empty.select_one("[role=status]") is None


def test_the_search_page_reports_a_bad_date(get_as: Callable[[str, str], Get]) -> None:
    response = get_as("anonymous", "")("/recherche?q=radis&from=demain")
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "html.parser")
    assert page.find(id="from-error") is not None
    assert page.find(id="f-q")["value"] == "radis"  # type: ignore[index]


def test_every_page_has_a_search_box(client: TestClient) -> None:
    page = BeautifulSoup(client.get("/").text, "html.parser")
    form = page.select_one("header form[role=search]")
    assert form is not None and form["action"] == "/recherche" and form["method"] == "get"
    field = form.find("input", attrs={"name": "q"})
    assert field is not None
    label = form.find("label", attrs={"for": field["id"]})
    assert label is not None and label.get_text().strip()
