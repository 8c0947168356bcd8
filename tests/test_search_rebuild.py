"""`forum search rebuild`: the index is rebuilt from the database, live content only."""

from datetime import UTC, datetime

from click.testing import CliRunner

from forum.cli import main
from forum.db import Database
from forum.search import SearchQuery, make_search_backend
from forum.services.search_rebuild import all_entries
from forum.settings import Settings
from tests.conftest import MakeMember
from tests.discussions import A, add_reply, arrange_people, change_topic, hide_post, new_topic


def _found(db: Database, board_ids: frozenset[int], text: str) -> set[tuple[str, int]]:
    page = make_search_backend(db.engine).search(SearchQuery(text=text, board_ids=board_ids))
    return {(result.kind, result.object_id) for result in page.results}


def test_rebuild_holds_live_topics_and_posts_only(
    db: Database, make_member: MakeMember, settings: Settings
) -> None:
    people = arrange_people(db, make_member)
    topic, first = new_topic(db, people.member_a, A, "Budget de l'école", "Le trésorier arrive.")
    kept = add_reply(db, people.member_a, topic, "Une œuvre commune.")
    hidden = add_reply(db, people.member_a, topic, "Œuvre cachée.")
    hide_post(db, hidden)
    gone, gone_first = new_topic(db, people.member_a, A, "Œuvre supprimée", "Rien.")
    change_topic(db, gone, deleted_at=datetime.now(UTC))

    kinds = [(entry.kind, entry.object_id) for entry in all_entries(db.engine)]
    assert ("topic", topic) in kinds and ("post", first) in kinds and ("post", kept) in kinds
    assert ("post", hidden) not in kinds
    assert ("topic", gone) not in kinds and ("post", gone_first) not in kinds

    backend = make_search_backend(db.engine)
    backend.rebuild([])  # an emptied (or lost) index
    boards = frozenset({entry.board_id for entry in all_entries(db.engine)})
    assert _found(db, boards, "oeuvre") == set()

    env = {
        "FORUM_DATA_DIR": str(settings.data_dir),
        "FORUM_DATABASE_URL": settings.resolved_database_url,
        "FORUM_SECRET_KEY": "x",
    }
    result = CliRunner().invoke(main, ["search", "rebuild"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Index reconstruit" in result.output
    assert _found(db, boards, "oeuvre") == {("post", kept)}
    assert _found(db, boards, "ecole") == {("topic", topic)}
