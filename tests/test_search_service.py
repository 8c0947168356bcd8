"""The search service: filters from a form or the API, index entries, indexing after commit."""

from datetime import date

import anyio
import pytest

from forum.db import Database
from forum.errors import InvalidInput
from forum.search import SearchEntry, SearchPage, SearchQuery, make_search_backend
from forum.services import search as search_service
from tests.search_helpers import T0, board_ids, found


def test_filters_from_the_api() -> None:
    params = {"board": "copil", "author": "amina", "from": "2025-03-01", "to": "2025-03-31"}
    filters = search_service.filters_from_params({**params, "page": "3"})
    assert filters == search_service.SearchFilters(
        board="copil",
        author="amina",
        date_from=date(2025, 3, 1),
        date_to=date(2025, 3, 31),
        page=3,
    )
    assert search_service.filters_from_params({}) == search_service.SearchFilters()
    with pytest.raises(InvalidInput) as caught:
        search_service.filters_from_params({"from": "", "to": "31/03/2025", "page": ""})
    assert set(caught.value.errors) == {"from", "to", "page"}


def test_a_form_leaves_blank_fields_out() -> None:
    blank = {"q": "", "board": "", "author": "", "from": "", "to": "", "page": ""}
    assert search_service.filters_from_params(blank, form=True) == search_service.SearchFilters()


def test_entries_for_posts_and_topics() -> None:
    post = search_service.entry_for_post(
        post_id=7,
        topic_id=3,
        board_id=2,
        topic_title="Fête de quartier",
        text="On apporte des chaises.",
        author_id=5,
        author_name="Amina",
        created_at=T0,
    )
    assert (post.kind, post.object_id, post.topic_id, post.board_id) == ("post", 7, 3, 2)
    assert post.title == "Fête de quartier" and post.indexed_title == ""
    topic = search_service.entry_for_topic(
        topic_id=3,
        board_id=2,
        title="Fête de quartier",
        author_id=5,
        author_name="A",
        created_at=T0,
    )
    assert (topic.kind, topic.object_id, topic.topic_id) == ("topic", 3, 3)
    assert topic.indexed_title == "Fête de quartier"
    with pytest.raises(ValueError):
        SearchEntry("post", 1, 1, None, "t", "b", None, "A", T0.replace(tzinfo=None))


def test_indexing_after_commit_makes_the_entry_searchable(db: Database) -> None:
    board = board_ids(db)["pole-ess"]
    backend = make_search_backend(db.engine)
    entry = search_service.entry_for_post(
        post_id=1,
        topic_id=1,
        board_id=board,
        topic_title="Sujet",
        text="la kermesse de juin",
        author_id=None,
        author_name="Amina",
        created_at=T0,
    )
    assert anyio.run(search_service.index_after_commit, backend, entry) is True
    assert found(backend, "kermesse", {board}) == [1]


class BrokenBackend:
    """A backend whose database is unavailable."""

    def index(self, entry: SearchEntry) -> None:
        raise RuntimeError("database is locked")

    def remove(self, kind: str, object_id: int) -> None:
        raise AssertionError("not called")

    def update_topic(
        self, topic_id: int, *, board_id: int | None = None, title: str | None = None
    ) -> None:
        raise AssertionError("not called")

    def remove_topic(self, topic_id: int) -> None:
        raise AssertionError("not called")

    def search(self, query: SearchQuery) -> SearchPage:
        raise AssertionError("not called")

    def rebuild(self, entries: object) -> int:
        raise AssertionError("not called")


def test_a_failed_indexing_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    entry = SearchEntry("post", 1, 1, 1, "t", "b", None, "A", T0)
    result = anyio.run(search_service.index_after_commit, BrokenBackend(), entry)
    assert result is False
    assert "search indexing failed" in caplog.text
