"""The topic and post endpoints of /api/v1: create, read, validation, refusals, 404s, CSRF."""

from typing import Any

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from forum.db import Database
from forum.services.topic_views import TOPICS_PER_PAGE
from forum.services.topics import BODY_MAX, TITLE_MAX
from tests.conftest import ClientAs, MakeMember, Member, csrf_token
from tests.discussions import (
    PUBLIC_BOARD,
    A,
    B,
    People,
    add_reply,
    arrange_people,
    change_topic,
    counts,
    new_topic,
)
from tests.test_api import bearer, create_token


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


class Api:
    """A script calling the API with a member's personal access token."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = bearer(token)

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, payload: object) -> Any:
        return self.client.post(f"/api/v1{path}", json=payload, headers=self.headers)


@pytest.fixture
def api_as(client: TestClient, db: Database) -> Any:
    def make(member: Member) -> Api:
        return Api(client, create_token(db, member))

    return make


def test_start_a_topic_reply_and_read_it_back(people: People, api_as: Any) -> None:
    api = api_as(people.member_a)
    created = api.post(f"/boards/{A}/topics", {"title": "Par l'API", "body": "Bonjour **à tous**"})
    assert created.status_code == 201
    topic = created.json()
    assert created.headers["location"] == f"/api/v1/topics/{topic['id']}"
    assert topic["title"] == "Par l'API"
    assert topic["board"] == {"slug": A, "name": "Pôle ESS"}
    assert topic["author"] == {"id": people.member_a.id, "display_name": "Amina Benali"}
    assert topic["post_count"] == 1
    [first] = topic["posts"]
    assert first["body"] == "Bonjour **à tous**"
    assert first["html"] == '<p dir="auto">Bonjour <strong>à tous</strong></p>\n'
    assert first["number"] == 1 and first["state"] == "visible"

    replied = api_as(people.moderator_a).post(
        f"/topics/{topic['id']}/posts", {"body": "Réponse", "reply_to": first["id"]}
    )
    assert replied.status_code == 201
    post = replied.json()
    assert replied.headers["location"] == f"/api/v1/posts/{post['id']}"
    assert (post["number"], post["reply_to"], post["url"]) == (2, first["id"], f"/p/{post['id']}")

    again = api.get(f"/topics/{topic['id']}").json()
    assert [p["id"] for p in again["posts"]] == [first["id"], post["id"]]
    assert again["post_count"] == 2
    assert api.get(f"/posts/{post['id']}").json() == post
    listing = api.get(f"/boards/{A}/topics").json()
    assert [t["id"] for t in listing["topics"]] == [topic["id"]]
    assert "posts" not in listing["topics"][0]


def test_topic_listing_pages(people: People, api_as: Any, db: Database) -> None:
    ids = [new_topic(db, people.member_a, A, title=f"Sujet {n}")[0] for n in range(32)]
    change_topic(db, ids[0], is_pinned=True)
    api = api_as(people.member_a)
    first = api.get(f"/boards/{A}/topics").json()
    assert (first["page"], first["pages"], first["total"]) == (1, 2, 32)
    assert len(first["topics"]) == TOPICS_PER_PAGE
    assert first["topics"][0]["id"] == ids[0] and first["topics"][0]["is_pinned"]
    second = api.get(f"/boards/{A}/topics?page=2").json()
    assert [t["id"] for t in second["topics"]] == [ids[2], ids[1]]
    assert api.get(f"/boards/{A}/topics?page=9").json()["page"] == 2


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "", "body": "x"}, {"title"}),
        ({"title": "ab", "body": "x"}, {"title"}),
        ({"title": "t" * (TITLE_MAX + 1), "body": "x"}, {"title"}),
        ({"title": "Titre", "body": ""}, {"body"}),
        ({"title": "Titre", "body": "  \n "}, {"body"}),
        ({"title": "Titre", "body": "x" * (BODY_MAX + 1)}, {"body"}),
        ({"title": 12, "body": ["x"]}, {"title", "body"}),
        ({"body": "sans titre"}, {"title"}),
        ({}, {"title", "body"}),
        ([], {"request"}),
        ("texte", {"request"}),
    ],
)
def test_bad_topics_are_422_with_field_errors(
    payload: object, fields: set[str], people: People, api_as: Any, db: Database
) -> None:
    before = counts(db)
    response = api_as(people.member_a).post(f"/boards/{A}/topics", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid" and set(body["fields"]) == fields
    assert all(body["fields"].values())
    assert counts(db) == before


def test_bad_replies_are_422(people: People, api_as: Any, db: Database) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    _other, other_first = new_topic(db, people.member_a, A)
    api = api_as(people.member_a)
    before = counts(db)
    for payload, fields in [
        ({"body": ""}, {"body"}),
        ({"body": "x" * (BODY_MAX + 1)}, {"body"}),
        ({"body": "ok", "reply_to": other_first}, {"reply_to"}),
        ({"body": "ok", "reply_to": "1"}, {"reply_to"}),
        ({"body": "ok", "reply_to": True}, {"reply_to"}),
        ({"body": "ok", "reply_to": 10**30}, {"reply_to"}),
    ]:
        response = api.post(f"/topics/{topic_id}/posts", payload)
        assert response.status_code == 422, payload
        assert set(response.json()["fields"]) == fields, payload
    raw = api.client.post(
        f"/api/v1/topics/{topic_id}/posts",
        content=b"{not json",
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert raw.status_code == 422
    assert counts(db) == before


def test_posting_needs_a_member_and_rights(
    people: People, api_as: Any, client: TestClient, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, PUBLIC_BOARD)
    before = counts(db)
    anonymous = client.post(f"/api/v1/topics/{topic_id}/posts", json={"body": "Hop"})
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert client.post(f"/api/v1/boards/{PUBLIC_BOARD}/topics", json={}).status_code == 401
    assert client.get(f"/api/v1/topics/{topic_id}").status_code == 200  # reading is open

    change_topic(db, topic_id, is_locked=True)
    locked = api_as(people.member_b).post(f"/topics/{topic_id}/posts", {"body": "Hop"})
    assert locked.status_code == 403 and locked.json()["error"] == "forbidden"
    assert counts(db) == before
    assert api_as(people.admin).post(f"/topics/{topic_id}/posts", {"body": "Ok"}).status_code == 201


def test_hidden_things_are_the_same_404_as_missing_ones(
    people: People, api_as: Any, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_b, B)
    reply = add_reply(db, people.member_b, topic_id)
    api = api_as(people.member_a)
    before = counts(db)
    missing = api.get("/topics/999999").json()
    for response in (
        api.get(f"/topics/{topic_id}"),
        api.get(f"/posts/{first}"),
        api.get(f"/posts/{reply}"),
        api.get(f"/boards/{B}/topics"),
        api.post(f"/topics/{topic_id}/posts", {"body": "Intrus"}),
        api.post(f"/boards/{B}/topics", {"title": "Intrus", "body": "Intrus"}),
        api.get("/topics/abc"),
        api.get(f"/posts/{10**30}"),
    ):
        assert response.status_code == 404
        assert response.json() == missing
    assert counts(db) == before
    assert api_as(people.member_b).get(f"/posts/{reply}").status_code == 200


def test_deleted_posts_are_placeholders_in_the_topic_and_404_alone(
    people: People, api_as: Any, client_as: ClientAs, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, A, body="À effacer")
    browser = client_as(people.member_a)
    form = {"confirm": "1", "csrf_token": csrf_token(browser, "/")}
    assert browser.post(f"/p/{first}/delete", data=form, follow_redirects=False).status_code == 303
    api = api_as(people.member_a)
    [post] = api.get(f"/topics/{topic_id}").json()["posts"]
    assert post["state"] == "deleted"
    assert (post["author"], post["body"], post["html"]) == (None, "", "")
    assert api.get(f"/posts/{first}").status_code == 404


def test_cookie_sessions_need_the_csrf_header_tokens_do_not(
    people: People, client_as: ClientAs, api_as: Any, db: Database
) -> None:
    browser = client_as(people.member_a)
    payload = {"title": "Depuis la page", "body": "Corps"}
    before = counts(db)
    refused = browser.post(f"/api/v1/boards/{A}/topics", json=payload)
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"
    as_form = browser.post(f"/api/v1/boards/{A}/topics", data=payload)
    assert as_form.status_code == 403
    assert counts(db) == before
    headers = {"X-CSRF-Token": csrf_token(browser, "/")}
    accepted = browser.post(f"/api/v1/boards/{A}/topics", json=payload, headers=headers)
    assert accepted.status_code == 201
    assert api_as(people.member_a).post(f"/boards/{A}/topics", payload).status_code == 201


def test_posted_html_is_sanitised(people: People, api_as: Any) -> None:
    api = api_as(people.member_a)
    body = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(1)</script>"
    topic = api.post(f"/boards/{A}/topics", {"title": "XSS", "body": body}).json()
    page = BeautifulSoup(topic["posts"][0]["html"], "html.parser")
    assert page.find_all(["img", "script", "a"]) == []
    assert "<script>alert(1)</script>" in page.get_text()  # shown as text, never run
