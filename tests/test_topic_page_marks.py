"""A page of a topic reads its posts' polls, files and import marks with the posts: each is
shown on the page it belongs to, and none is asked for when no post of the page carries it."""

from datetime import UTC, datetime

from sqlalchemy import event, text
from starlette.testclient import TestClient

from forum.db import Database
from forum.models import ImportedMessage
from forum.services import reading
from tests.conftest import ClientAs, MakeMember
from tests.discussions import A, actor, add_replies, arrange_people, new_topic, soup
from tests.polls_helpers import topic_with_poll
from tests.test_files_posts import post_with_files


def mark_imported(db: Database, post_id: int, board_id: int) -> None:
    """Record a post as imported from the old group, as the importer does."""

    def write(session: object) -> None:
        session.add(  # type: ignore[attr-defined]
            ImportedMessage(
                board_id=board_id,
                message_key=f"k{post_id}",
                message_id=f"<m{post_id}@example.org>",
                post_id=post_id,
                original_date=datetime(2019, 5, 1, tzinfo=UTC),
                raw=b"From: x",
            )
        )

    db.transaction(write)


def test_polls_files_and_import_marks_of_a_second_page(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    amina: TestClient = client_as(people.member_a)
    topic_id, first = new_topic(db, people.moderator_a, A)
    replies = add_replies(db, people.moderator_a, topic_id, 21)  # posts 2 to 22: page 2 has 21, 22
    response = post_with_files(
        amina,
        f"/t/{topic_id}/reply",
        {"body": "Le budget.", "reply_to": ""},
        [("b.pdf", b"%PDF-1.4\n")],
    )
    assert response.status_code == 303, response.text  # post 23, with a file
    # A poll on post 21 (page 2): taken from a topic started with one.
    _other, poll_id = topic_with_poll(db, people.moderator_a, A)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE polls SET post_id = :post WHERE id = :poll"),
            {"post": replies[19], "poll": poll_id},
        )
        board_id = connection.execute(
            text("SELECT board_id FROM topics WHERE id = :id"), {"id": topic_id}
        ).scalar_one()
    mark_imported(db, first, board_id)
    mark_imported(db, replies[20], board_id)  # post 22

    second = soup(amina.get(f"/t/{topic_id}?page=2").text)
    assert [a["id"] for a in second.select("article.post")][:1] == [f"p{replies[19]}"]
    poll_article = second.select_one(f"#p{replies[19]}")
    assert poll_article is not None and poll_article.select_one(".poll") is not None
    assert [li.get_text(" ", strip=True) for li in second.select(".attachment-files li")] == [
        "b.pdf (Document PDF, 9 octets)"
    ]
    meta = second.select_one(".topic-meta")  # the topic's first post is on page 1
    assert meta is not None and "importé de l'ancien groupe" in meta.get_text()

    view = db.reading(reading.visit_topic, actor(db, people.moderator_a), topic_id, 2).view
    assert view.imported == frozenset({first, replies[20]})
    assert [p.id for p in view.posts if p.poll is not None] == [replies[19]]
    assert list(view.attachments) == [view.posts[-1].id]


def test_a_page_without_polls_files_or_imports_asks_for_none(
    db: Database, make_member: MakeMember
) -> None:
    people = arrange_people(db, make_member)
    topic_id, _first = new_topic(db, people.moderator_a, A)
    add_replies(db, people.moderator_a, topic_id, 3)
    reader = actor(db, people.member_a)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        view = db.reading(reading.visit_topic, reader, topic_id).view
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(view.posts) == 4 and view.imported == frozenset() and view.attachments == {}
    # The topic and its board, the posts with their marks, the member's reading state.
    firsts = [" ".join(sql.split())[:40] for sql in statements]
    assert len(statements) == 3, firsts
