"""Search snippets and robustness: escaped HTML, the original text, any input, plain text."""

from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.db import Database
from forum.search import LikeSearch, SearchBackend, SearchQuery, make_search_backend
from forum.search.text import text_from_html
from tests.search_helpers import board_ids, entry, found


@pytest.fixture
def boards(db: Database) -> dict[str, int]:
    return board_ids(db)


@pytest.fixture
def fts(db: Database) -> SearchBackend:
    """The database's own full-text backend: FTS5 on SQLite, tsvector on PostgreSQL."""
    return make_search_backend(db.engine)


@pytest.fixture(params=["fts5", "like"])
def backend(request: pytest.FixtureRequest, db: Database) -> SearchBackend:
    return make_search_backend(db.engine) if request.param == "fts5" else LikeSearch(db.engine)


def test_snippets_highlight_and_escape(backend: SearchBackend, boards: dict[str, int]) -> None:
    board = boards["pole-ess"]
    body = "Voici <script>alert('x')</script> & le <b>budget</b> de l’École. " + "mot " * 80
    backend.index(entry(1, board, body))
    (result,) = backend.search(SearchQuery(text="budget", board_ids=frozenset({board}))).results
    html = result.snippet_html
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;/script&gt;" in html and "&lt;b&gt;" in html and "&amp;" in html
    page = BeautifulSoup(html, "html.parser")
    assert [mark.get_text() for mark in page.find_all("mark")] == ["budget"]
    assert {tag.name for tag in page.find_all(True)} == {"mark"}
    assert html.endswith("…")
    assert len(page.get_text().split()) < 40


def test_snippets_show_the_original_text(fts: SearchBackend, boards: dict[str, int]) -> None:
    board = boards["pole-ess"]
    fts.index(entry(1, board, "Le cœur de l’œuvre : la Réunion des écoles."))
    query = SearchQuery(text="oeuvre reunion ecol", board_ids=frozenset({board}))
    (result,) = fts.search(query).results
    marks = [m.get_text() for m in BeautifulSoup(result.snippet_html, "html.parser")("mark")]
    assert marks == ["œuvre", "Réunion", "écoles"]
    assert "l’<mark>œuvre</mark>" in result.snippet_html


def test_snippet_window_goes_to_the_matches(fts: SearchBackend, boards: dict[str, int]) -> None:
    board = boards["pole-ess"]
    fts.index(entry(1, board, "début " * 200 + "le mot trésorerie ici " + "fin " * 200))
    (result,) = fts.search(SearchQuery(text="tresorerie", board_ids=frozenset({board}))).results
    assert result.snippet_html.startswith("…") and result.snippet_html.endswith("…")
    assert "<mark>trésorerie</mark>" in result.snippet_html


def test_text_the_database_cannot_store_is_cleaned(
    backend: SearchBackend, boards: dict[str, int]
) -> None:
    board = boards["pole-ess"]
    backend.index(entry(1, board, "mot \ud800 cassé \x00 ok"))
    assert found(backend, "cassé", {board}) == [1]


@pytest.fixture
def indexed(db: Database, boards: dict[str, int]) -> Iterator[tuple[SearchBackend, frozenset[int]]]:
    """A backend holding a few entries with awkward text."""
    fts = make_search_backend(db.engine)
    bodies = ['l\'école "AND" OR NOT NEAR(a b) ^x * :y', "œuvre — café « déjà » ﬁn", "<>&'\""]
    for number, body in enumerate(bodies):
        fts.index(entry(number, boards["pole-ess"], body))
    yield fts, frozenset(boards.values())


@given(words=st.text(max_size=300))
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_input_searches_without_error(
    indexed: tuple[SearchBackend, frozenset[int]], words: str
) -> None:
    backend, board_ids = indexed
    page = backend.search(SearchQuery(text=words, board_ids=board_ids))
    assert isinstance(page.results, list)
    for result in page.results:
        BeautifulSoup(result.snippet_html, "html.parser")
        assert "<" not in result.snippet_html.replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize(
    "words",
    ["AND", "OR", "NOT", "NEAR", '"', '""', "*", "^", ":", "(", ")", "l'", "NEAR(", "a:b", "-"],
)
def test_operators_are_plain_text(
    indexed: tuple[SearchBackend, frozenset[int]], words: str
) -> None:
    backend, board_ids = indexed
    backend.search(SearchQuery(text=words, board_ids=board_ids))


def test_text_from_html() -> None:
    html = (
        "<p>Bonjour <strong>à tous</strong>&nbsp;!</p><ul><li>un</li><li>deux</li></ul>"
        "<script>alert(1)</script><style>p{}</style><p>l&#8217;&eacute;cole</p>"
    )
    assert text_from_html(html) == "Bonjour à tous\xa0!\nun\ndeux\nl’école"
    assert text_from_html("") == ""
    assert text_from_html("<p>non fermé") == "non fermé"


def test_phrases_are_highlighted_where_they_occur(
    fts: SearchBackend, boards: dict[str, int]
) -> None:
    board = boards["pole-ess"]
    fts.index(entry(1, board, "Le plan du quartier. Un plan école pour l’école d’été."))
    query = SearchQuery(text='"plan école" "d\'été"', board_ids=frozenset({board}))
    (result,) = fts.search(query).results
    marks = [m.get_text() for m in BeautifulSoup(result.snippet_html, "html.parser")("mark")]
    assert marks == ["plan", "école", "d", "été"]
    assert result.snippet_html.startswith("Le plan du quartier")
