"""Files in the topic and post JSON, and PATCH /api/v1/posts/{id} (text and attached files)."""

from typing import Any

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from forum.db import Database
from forum.models import Board, PostRevision
from forum.services import groups as group_service
from tests.conftest import ClientAs, MakeMember, csrf_token
from tests.discussions import (
    PUBLIC_BOARD,
    A,
    B,
    People,
    arrange_people,
    change_topic,
    hide_post,
    stored_post,
)
from tests.files import fixtures
from tests.files_helpers import uploaded
from tests.test_api import bearer, create_token

FILE_KEYS = {"id", "name", "size", "type", "url", "download_url"}


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def amina(people: People, client_as: ClientAs) -> TestClient:
    return client_as(people.member_a)


def api(browser: TestClient, method: str, path: str, payload: object | None = None) -> Any:
    """Call the API as the browser's session (with its CSRF header for writes)."""
    headers = {"X-CSRF-Token": csrf_token(browser)} if method != "GET" else {}
    return browser.request(method, f"/api/v1{path}", json=payload, headers=headers)


def topic_with(browser: TestClient, files: list[str], board: str = A) -> dict[str, Any]:
    created = api(
        browser,
        "POST",
        f"/boards/{board}/topics",
        {"title": "Photos", "body": "Voici.", "files": files},
    )
    assert created.status_code == 201, created.text
    topic: dict[str, Any] = created.json()
    return topic


def revisions(db: Database, post_id: int) -> list[str]:
    def read(session: Session) -> list[str]:
        rows = session.exec(
            select(PostRevision)
            .where(PostRevision.post_id == post_id)
            .order_by(col(PostRevision.id))
        ).all()
        return [r.body for r in rows]

    return db.reading(read)


def test_topic_json_lists_each_posts_files(
    amina: TestClient, client_as: ClientAs, people: People
) -> None:
    photo = uploaded(amina, A, "atelier d'été.jpg", fixtures.jpeg())
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    topic = topic_with(amina, [photo["id"], doc["id"]])
    reply = api(amina, "POST", f"/topics/{topic['id']}/posts", {"body": "Sans fichier"})
    assert reply.status_code == 201 and reply.json()["files"] == []
    first, second = api(client_as(people.moderator_a), "GET", f"/topics/{topic['id']}").json()[
        "posts"
    ]
    assert [f["id"] for f in first["files"]] == [photo["id"], doc["id"]]
    image, pdf = first["files"]
    assert set(image) == FILE_KEYS | {"thumbnail_url"} and set(pdf) == FILE_KEYS
    assert image == photo and pdf == doc  # the very shape an upload answers
    assert image["name"] == "atelier d'été.jpg" and image["type"] == "image/jpeg"
    assert second["files"] == []
    assert topic["posts"][0]["files"] == [photo, doc]
    assert api(amina, "GET", f"/posts/{first['id']}").json()["files"] == [photo, doc]


def test_deleted_files_and_hidden_posts_show_no_files(
    amina: TestClient, db: Database, client_as: ClientAs, people: People
) -> None:
    photo = uploaded(amina, A, "photo.png", fixtures.png())
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    topic = topic_with(amina, [photo["id"], doc["id"]])
    detail = f"/b/{A}/fichiers/{doc['id']}"
    deleted = amina.post(
        f"{detail}/supprimer",
        data={"confirm": "1", "csrf_token": csrf_token(amina, detail)},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    [post] = api(amina, "GET", f"/topics/{topic['id']}").json()["posts"]
    assert post["files"] == [photo]
    hide_post(db, post["id"])
    [hidden] = api(amina, "GET", f"/topics/{topic['id']}").json()["posts"]
    assert hidden["state"] == "hidden" and hidden["files"] == []
    # The moderator sees the hidden post whole, its live file included.
    [seen] = api(client_as(people.moderator_a), "GET", f"/topics/{topic['id']}").json()["posts"]
    assert seen["files"] == [photo]


def test_other_groups_get_404_and_moved_topics_hide_files_of_hidden_boards(
    amina: TestClient, db: Database, client: TestClient, client_as: ClientAs, people: People
) -> None:
    photo = uploaded(amina, A, "photo.png", fixtures.png())
    topic = topic_with(amina, [photo["id"]])
    bruno = client_as(people.member_b)
    assert api(bruno, "GET", f"/topics/{topic['id']}").status_code == 404
    assert api(bruno, "GET", f"/posts/{topic['posts'][0]['id']}").status_code == 404
    # Moved to the public board, the topic is readable by all, but its file stays in board A.
    public_id = db.reading(
        lambda s: s.exec(select(Board.id).where(Board.slug == PUBLIC_BOARD)).one()
    )
    change_topic(db, topic["id"], board_id=public_id)
    for browser in (client, bruno):
        [post] = api(browser, "GET", f"/topics/{topic['id']}").json()["posts"]
        assert post["files"] == []
    [post] = api(amina, "GET", f"/topics/{topic['id']}").json()["posts"]
    assert post["files"] == [photo]


def test_patch_changes_text_and_files(amina: TestClient, db: Database) -> None:
    one = uploaded(amina, A, "un.pdf", fixtures.pdf())
    two = uploaded(amina, A, "deux.png", fixtures.png())
    three = uploaded(amina, A, "trois.txt", b"troisieme\n")
    topic = topic_with(amina, [one["id"], two["id"]])
    post_id = topic["posts"][0]["id"]
    changed = api(amina, "PATCH", f"/posts/{post_id}", {"files": [three["id"], two["id"]]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["files"] == [three, two]
    assert changed.json()["body"] == "Voici." and changed.json()["edited_at"] is not None
    assert revisions(db, post_id) == ["Voici."]  # an edit of the files alone, recorded
    text = api(amina, "PATCH", f"/posts/{post_id}", {"body": "Voici la suite."})
    assert text.status_code == 200 and text.json()["files"] == [three, two]
    assert revisions(db, post_id) == ["Voici.", "Voici."]
    same = api(amina, "PATCH", f"/posts/{post_id}", {"files": [three["id"], two["id"]]})
    assert same.status_code == 200 and len(revisions(db, post_id)) == 2  # nothing changed
    cleared = api(amina, "PATCH", f"/posts/{post_id}", {"files": []})
    assert cleared.json()["files"] == []
    assert api(amina, "GET", f"/topics/{topic['id']}").json()["posts"][0]["files"] == []
    # Removed from the post, the files stay in the library.
    assert amina.get(one["url"]).status_code == 200
    history = amina.get(f"/p/{post_id}/revisions")
    assert history.status_code == 200


def test_patch_with_a_token(
    amina: TestClient, client: TestClient, db: Database, people: People
) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    topic = topic_with(amina, [])
    post_id = topic["posts"][0]["id"]
    headers = bearer(create_token(db, people.member_a))
    response = client.patch(
        f"/api/v1/posts/{post_id}", json={"files": [doc["id"]]}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["files"] == [doc]
    assert client.patch(f"/api/v1/posts/{post_id}", json={"files": []}).status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {"files": "abc"},
        {"files": [1, 2]},
        {"files": ["x" * 33]},
        {"files": [""]},
        {"files": None},
        {"files": [f"id{n}" for n in range(21)]},
        {"files": ["nexistepas"]},
        {"body": 12},
        {"body": "   "},
    ],
)
def test_patch_refuses_bad_input(amina: TestClient, db: Database, payload: dict[str, Any]) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    topic = topic_with(amina, [doc["id"]])
    post_id = topic["posts"][0]["id"]
    response = api(amina, "PATCH", f"/posts/{post_id}", payload)
    assert response.status_code == 422, response.text
    [field] = response.json()["fields"]
    assert field in payload
    assert api(amina, "GET", f"/posts/{post_id}").json()["files"] == [doc]
    assert stored_post(db, post_id).body == "Voici."


def test_patch_refuses_files_of_other_boards(
    amina: TestClient, client_as: ClientAs, people: People
) -> None:
    topic = topic_with(amina, [])
    post_id = topic["posts"][0]["id"]
    elsewhere = uploaded(amina, "espace-commun", "commun.pdf", fixtures.pdf())
    hidden = uploaded(client_as(people.member_b), B, "secret.pdf", fixtures.pdf())
    for file_id in (elsewhere["id"], hidden["id"]):
        response = api(amina, "PATCH", f"/posts/{post_id}", {"files": [file_id]})
        assert response.status_code == 422
        assert (
            response.json()["fields"]["files"]
            == "Un des fichiers joints est introuvable dans ce tableau."
        )


def test_patch_others_posts_and_hidden_ones(
    amina: TestClient, client_as: ClientAs, people: People
) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    topic = topic_with(amina, [doc["id"]])
    post_id = topic["posts"][0]["id"]
    chloe = client_as(people.moderator_a)
    assert api(chloe, "PATCH", f"/posts/{post_id}", {"files": []}).status_code == 403
    assert (
        api(client_as(people.member_b), "PATCH", f"/posts/{post_id}", {"files": []}).status_code
        == 404
    )
    for bad in ("0", "abc", "9" * 30, "999999"):
        assert api(amina, "PATCH", f"/posts/{bad}", {"files": []}).status_code == 404
    assert api(amina, "GET", f"/posts/{post_id}").json()["files"] == [doc]
    assert api(amina, "DELETE", f"/posts/{post_id}").status_code == 405


def test_an_edit_leaves_alone_the_files_its_author_no_longer_sees(
    amina: TestClient, db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    yasmine = make_member("yasmine", groups={A: "member"})
    browser = client_as(yasmine)
    private = uploaded(browser, A, "interne.pdf", fixtures.pdf())
    topic = topic_with(browser, [private["id"]])
    post_id = topic["posts"][0]["id"]
    public_id = db.reading(
        lambda s: s.exec(select(Board.id).where(Board.slug == PUBLIC_BOARD)).one()
    )
    change_topic(db, topic["id"], board_id=public_id)
    db.transaction(group_service.remove_membership, group_slug=A, user_id=yasmine.id)
    shared = uploaded(browser, PUBLIC_BOARD, "public.pdf", fixtures.pdf())
    [seen] = api(browser, "GET", f"/topics/{topic['id']}").json()["posts"]
    assert seen["files"] == []  # board A is hidden from her now
    response = api(browser, "PATCH", f"/posts/{post_id}", {"files": [shared["id"]]})
    assert response.status_code == 200, response.text
    assert response.json()["files"] == [shared]
    # Amina, still in group A, sees both: the edit did not remove what Yasmine could not see.
    [post] = api(amina, "GET", f"/topics/{topic['id']}").json()["posts"]
    assert post["files"] == [private, shared]


def test_a_patch_without_changes_changes_nothing(amina: TestClient, db: Database) -> None:
    doc = uploaded(amina, A, "plan.pdf", fixtures.pdf())
    topic = topic_with(amina, [doc["id"]])
    post_id = topic["posts"][0]["id"]
    response = api(amina, "PATCH", f"/posts/{post_id}", {})
    assert response.status_code == 200, response.text
    assert response.json()["files"] == [doc]
    assert revisions(db, post_id) == []


def test_the_library_does_not_name_topics_moved_where_the_reader_cannot_go(
    amina: TestClient, db: Database, client: TestClient, client_as: ClientAs, people: People
) -> None:
    photo = uploaded(amina, PUBLIC_BOARD, "photo.png", fixtures.png())
    created = api(
        amina,
        "POST",
        f"/boards/{PUBLIC_BOARD}/topics",
        {"title": "Budget confidentiel du pôle", "body": "Voici.", "files": [photo["id"]]},
    )
    assert created.status_code == 201, created.text
    board_a = db.reading(lambda s: s.exec(select(Board.id).where(Board.slug == A)).one())
    change_topic(db, created.json()["id"], board_id=board_a)
    pages = (f"/b/{PUBLIC_BOARD}/fichiers", f"/b/{PUBLIC_BOARD}/fichiers/{photo['id']}")
    for browser in (client, client_as(people.member_b)):
        for page in pages:
            response = browser.get(page)
            assert response.status_code == 200
            assert "Budget confidentiel" not in response.text
    for page in pages:  # Amina, in group A, still sees where the file is used
        assert "Budget confidentiel du pôle" in amina.get(page).text
