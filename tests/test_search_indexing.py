"""A post is searchable as soon as the request that wrote it returns; edits and deletions follow."""

from typing import Any

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from tests.conftest import ClientAs, MakeMember, csrf_token


def hits(browser: TestClient, words: str) -> list[dict[str, Any]]:
    response = browser.get("/api/v1/search", params={"q": words})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def new_topic(browser: TestClient, board: str, title: str, body: str) -> int:
    response = browser.post(
        f"/b/{board}/new",
        data={"csrf_token": csrf_token(browser), "title": title, "body": body},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/t/")[1].split("?")[0].split("#")[0])


def first_post_id(browser: TestClient, topic_id: int) -> int:
    page = BeautifulSoup(browser.get(f"/t/{topic_id}").text, "html.parser")
    article = page.find("article", id=lambda v: bool(v) and v.startswith("p"))
    assert article is not None
    return int(str(article["id"])[1:])


def test_topics_replies_edits_and_deletions_reach_the_index(
    make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = client_as(make_member("amina", groups={"pole-ess": "member"}))
    topic_id = new_topic(amina, "pole-ess", "Séminaire national", "Préparer l'école d'été")
    assert {h["type"] for h in hits(amina, "seminaire")} == {"topic"}
    assert [h["topic_id"] for h in hits(amina, "ecole")] == [topic_id]

    reply = amina.post(
        f"/t/{topic_id}/reply",
        data={"csrf_token": csrf_token(amina), "body": "Les œuvres des coopératives"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert len(hits(amina, "oeuvres")) == 1

    post_id = first_post_id(amina, topic_id)
    edited = amina.post(
        f"/p/{post_id}/edit",
        data={"csrf_token": csrf_token(amina), "body": "Préparer la mutualité"},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    assert hits(amina, "ecole") == []
    assert len(hits(amina, "mutualite")) == 1

    deleted = amina.post(
        f"/p/{post_id}/delete",
        data={"csrf_token": csrf_token(amina), "confirm": "1"},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert hits(amina, "mutualite") == []


def test_api_posts_are_searchable_and_private_ones_stay_private(
    make_member: MakeMember, client_as: ClientAs
) -> None:
    amina = client_as(make_member("amina", groups={"pole-ess": "member"}))
    bruno = client_as(make_member("bruno", groups={"copil": "member"}))
    token = csrf_token(amina)
    created = amina.post(
        "/api/v1/boards/pole-ess/topics",
        json={"title": "Tourisme solidaire", "body": "Réunion à Taliouine"},
        headers={"X-CSRF-Token": token},
    )
    assert created.status_code == 201, created.text
    assert len(hits(amina, "taliouine")) == 1
    assert hits(bruno, "taliouine") == []
    assert hits(bruno, "tourisme") == []
