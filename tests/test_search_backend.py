"""The search backends: visibility, French folding, prefixes, ranking, filters, updates."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from forum.db import Database
from forum.search import (
    LikeSearch,
    PostgresSearch,
    SearchBackend,
    SearchQuery,
    SqliteSearch,
    UnsupportedDatabase,
    make_search_backend,
)
from forum.search import postgres as postgres_backend
from forum.search import sqlite as sqlite_backend
from forum.search.tables import search_terms
from forum.services import boards as board_service
from tests.conftest import on_postgres
from tests.search_helpers import T0, board_ids, entry, found, fts_rows


@pytest.fixture
def boards(db: Database) -> dict[str, int]:
    return board_ids(db)


Native = SqliteSearch | PostgresSearch


@pytest.fixture
def fts(db: Database) -> Native:
    """The database's own full-text backend: FTS5 on SQLite, tsvector on PostgreSQL."""
    backend = make_search_backend(db.engine)
    assert isinstance(backend, SqliteSearch | PostgresSearch)
    return backend


@pytest.fixture(params=["fts5", "like"])
def backend(request: pytest.FixtureRequest, db: Database) -> SearchBackend:
    """The database's full-text backend, and the LIKE one (which runs on any database)."""
    return make_search_backend(db.engine) if request.param == "fts5" else LikeSearch(db.engine)


def test_factory_chooses_by_dialect(db: Database) -> None:
    expected = PostgresSearch if on_postgres() else SqliteSearch
    assert isinstance(make_search_backend(db.engine), expected)

    class Dialect:
        name = "mysql"

    class Engine:
        dialect = Dialect()

    with pytest.raises(UnsupportedDatabase):
        make_search_backend(Engine())  # type: ignore[arg-type]


def test_board_ids_are_required() -> None:
    with pytest.raises(TypeError):
        SearchQuery(text="budget")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        SearchQuery(text="budget", board_ids=None)  # type: ignore[arg-type]


def test_hidden_boards_never_appear(backend: SearchBackend, boards: dict[str, int]) -> None:
    backend.index(entry(1, boards["pole-ess"], "budget de la fête"))
    backend.index(entry(2, boards["copil"], "budget confidentiel"))
    backend.index(entry(3, boards["espace-commun"], "budget commun"))
    a_sees = {boards["pole-ess"], boards["espace-commun"]}
    assert sorted(found(backend, "budget", a_sees)) == [1, 3]
    assert found(backend, "confidentiel", a_sees) == []  # only the hidden entry matches
    assert found(backend, "budget", set()) == []
    # The board filter stays inside the visible boards.
    assert found(backend, "budget", a_sees, board_id=boards["copil"]) == []
    assert found(backend, "budget", a_sees, board_id=boards["pole-ess"]) == [1]


def test_accents_and_ligatures_are_folded(fts: Native, boards: dict[str, int]) -> None:
    board = boards["pole-ess"]
    fts.index(entry(1, board, "Réunion à l’École des Œuvres, ÆSOP"))
    for words in ("ecole", "école", "ÉCOLE", "l'école", "reunion", "RÉUNION", "oeuvres"):
        assert found(fts, words, {board}) == [1], words
    assert found(fts, "œuvres", {board}) == [1]
    assert found(fts, "aesop", {board}) == [1]


def test_prefixes_match(fts: Native, boards: dict[str, int]) -> None:
    board = boards["pole-ess"]
    fts.index(entry(1, board, "Les écoles du quartier"))
    fts.index(entry(2, board, "Le plan école"))
    assert sorted(found(fts, "ecol", {board})) == [1, 2]
    assert found(fts, "quart", {board}) == [1]
    assert found(fts, '"plan ecol"', {board}) == []  # a phrase is exact
    assert found(fts, '"plan école"', {board}) == [2]


def test_long_prefixes_are_expanded_whatever_the_number_of_words(
    fts: Native, boards: dict[str, int], db: Database
) -> None:
    board = boards["pole-ess"]
    many = sqlite_backend.MAX_EXPANSIONS + 2  # more words than an expansion takes
    for number in range(1, many + 1):
        fts.index(entry(number, board, f"Réunion budgétaire budget{number:02d}x"))
    fts.index(entry(100, board, "Les réunions de l'Œuvre"))
    assert sorted(found(fts, "reun", {board})) == [*range(1, many + 1), 100]  # few words
    assert sorted(found(fts, "budg", {board})) == list(range(1, many + 1))  # many words
    assert found(fts, "oeuv reun", {board}) == [100]
    assert found(fts, "zzzz", {board}) == []
    if isinstance(fts, SqliteSearch):  # the vocabulary that the prefixes are expanded from
        with db.engine.connect() as connection:
            terms = set(connection.execute(select(search_terms.c.term)).scalars())
        assert {"reunion", "reunions", "oeuvre", "budgetaire", "budget01x"} <= terms
        fts.rebuild([])
        with db.engine.connect() as connection:
            assert connection.execute(select(search_terms.c.term)).first() is None


def test_every_word_must_be_found(backend: SearchBackend, boards: dict[str, int]) -> None:
    board = boards["pole-ess"]
    backend.index(entry(1, board, "budget du festival"))
    backend.index(entry(2, board, "budget de la rentrée"))
    assert found(backend, "budget festival", {board}) == [1]
    assert found(backend, "festival OR rentrée", {board}) == []


def test_title_ranks_above_body(fts: Native, boards: dict[str, int]) -> None:
    board = boards["pole-ess"]
    for number in range(10, 20):  # unrelated messages give the words their weight
        fts.index(entry(number, board, f"message numéro {number} sans rapport"))
    fts.index(entry(1, board, "Nous avons parlé de la subvention hier.", created_at=T0))
    fts.index(
        entry(
            2,
            board,
            "",
            kind="topic",
            title="Subvention régionale",
            topic_id=2,
            created_at=T0 - timedelta(days=30),
        )
    )
    assert found(fts, "subvention", {board}) == [2, 1]


def test_a_post_does_not_index_its_topic_title(fts: Native, boards: dict[str, int]) -> None:
    board = boards["pole-ess"]
    fts.index(entry(1, board, "bonjour à tous", title="Subvention régionale"))
    assert found(fts, "subvention", {board}) == []
    (result,) = fts.search(SearchQuery(text="bonjour", board_ids=frozenset({board}))).results
    assert result.title == "Subvention régionale"


def test_filters(backend: SearchBackend, boards: dict[str, int]) -> None:
    a, common = boards["pole-ess"], boards["espace-commun"]
    backend.index(entry(1, a, "compte rendu", author_id=7, created_at=T0))
    backend.index(entry(2, common, "compte rendu", author_id=8, created_at=T0 + timedelta(days=1)))
    backend.index(entry(3, a, "compte rendu", author_id=7, created_at=T0 + timedelta(days=2)))
    visible = {a, common}
    assert sorted(found(backend, "compte", visible, board_id=a)) == [1, 3]
    assert sorted(found(backend, "compte", visible, author_id=7)) == [1, 3]
    assert found(backend, "compte", visible, author_id=9) == []
    day = timedelta(days=1)
    assert sorted(found(backend, "compte", visible, date_from=T0 + day)) == [2, 3]
    assert found(backend, "compte", visible, date_to=T0 + day) == [1]  # exclusive
    window = {"date_from": T0 + day, "date_to": T0 + 2 * day}
    assert found(backend, "compte", visible, **window) == [2]


def test_pagination(backend: SearchBackend, boards: dict[str, int]) -> None:
    board = boards["pole-ess"]
    for number in range(1, 26):
        backend.index(entry(number, board, "assemblée générale", created_at=T0 + timedelta(number)))
    seen: list[int] = []
    more = []
    for offset in (0, 10, 20):
        query = SearchQuery("assemblée", frozenset({board}), limit=10, offset=offset)
        page = backend.search(query)
        seen += [r.object_id for r in page.results]
        more.append(page.has_more)
    assert sorted(seen) == list(range(1, 26))
    assert more == [True, True, False]


def test_index_replaces_and_remove_forgets(
    backend: SearchBackend, boards: dict[str, int], db: Database
) -> None:
    board = boards["pole-ess"]
    backend.index(entry(1, board, "première version"))
    backend.index(entry(1, board, "seconde rédaction"))
    assert found(backend, "première", {board}) == []
    assert found(backend, "seconde", {board}) == [1]
    backend.index(entry(1, board, "un sujet", kind="topic", topic_id=1, title="seconde"))
    backend.remove("post", 1)
    backend.remove("post", 99)  # never indexed: nothing happens
    assert found(backend, "rédaction", {board}) == []
    assert found(backend, "seconde", {board}) == [1]  # the topic with the same id stays
    if not isinstance(backend, LikeSearch):
        assert fts_rows(db) == 1


def test_moving_and_renaming_a_topic(
    backend: SearchBackend, boards: dict[str, int], db: Database
) -> None:
    a, b = boards["pole-ess"], boards["copil"]
    backend.index(entry(5, a, "", kind="topic", topic_id=5, title="Projet jardin"))
    backend.index(entry(6, a, "les semis de mars", topic_id=5, title="Projet jardin"))
    backend.update_topic(5, board_id=b)
    assert found(backend, "semis", {a}) == []
    assert found(backend, "semis", {b}) == [6]
    backend.update_topic(5, title="Potager partagé")
    assert found(backend, "potager", {b}) == [5]
    assert found(backend, "jardin", {b}) == []
    (result,) = backend.search(SearchQuery("semis", frozenset({b}))).results
    assert result.title == "Potager partagé"
    backend.remove_topic(5)
    assert found(backend, "semis potager", {b}) == []
    if not isinstance(backend, LikeSearch):
        assert fts_rows(db) == 0


def test_deleting_a_board_drops_its_entries(fts: Native, db: Database) -> None:
    def create(session: Session) -> int:
        board = board_service.create_board(
            session, slug="ephemere", name="Éphémère", visibility="public"
        )
        assert board.id is not None
        return board.id

    board_id = db.transaction(create)
    fts.index(entry(1, board_id, "un message éphémère"))
    db.transaction(board_service.delete_board, slug="ephemere")
    assert found(fts, "ephemere", {board_id}) == []
    assert fts_rows(db) == 0


def test_rebuild_replaces_everything(backend: SearchBackend, boards: dict[str, int]) -> None:
    board = boards["pole-ess"]
    backend.index(entry(1, board, "ancien index"))
    count = backend.rebuild(entry(n, board, "nouvel index") for n in (2, 3))
    assert count == 2
    assert found(backend, "ancien", {board}) == []
    assert sorted(found(backend, "index", {board})) == [2, 3]


def test_very_common_words_rank_the_most_recent_matches(
    fts: Native, boards: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    board = boards["pole-ess"]
    module = postgres_backend if on_postgres() else sqlite_backend
    monkeypatch.setattr(module, "RANK_WINDOW", 3)
    fts.index(entry(1, board, "", kind="topic", topic_id=1, title="Vélo"))  # best, but oldest
    for number in range(2, 7):
        fts.index(entry(number, board, f"vélo {number}"))
    fts.index(entry(7, boards["copil"], "vélo"))  # newest, but hidden: not in the window
    assert sorted(found(fts, "velo", {board})) == [4, 5, 6]
    monkeypatch.setattr(module, "RANK_WINDOW", 100)
    assert found(fts, "velo", {board})[0] == 1
