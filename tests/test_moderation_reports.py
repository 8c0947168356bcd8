"""Reports of posts, the moderation queue, and search after moderation."""

from typing import Any

import pytest
from starlette.testclient import TestClient

from forum.db import Database
from tests.conftest import ClientAs, MakeMember, Member, csrf_token
from tests.discussions import A, B, People, arrange_people, send_form, soup


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def moderator_b(make_member: MakeMember) -> Member:
    return make_member("dora", groups={B: "moderator"}, name="Dora Roux")


def hits(browser: TestClient, words: str) -> list[dict[str, Any]]:
    response = browser.get("/api/v1/search", params={"q": words})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def start(browser: TestClient, board: str, title: str, body: str) -> tuple[int, int]:
    """A topic started through the page (so that it is indexed): (topic id, first post id)."""
    response = send_form(browser, f"/b/{board}/new", {"title": title, "body": body})
    assert response.status_code == 303, response.text
    topic_id = int(response.headers["location"].removeprefix("/t/"))
    article = soup(browser.get(f"/t/{topic_id}").text).select_one("article.post")
    assert article is not None
    return topic_id, int(str(article["id"])[1:])


def test_reports_reach_only_the_boards_moderators(
    people: People, moderator_b: Member, client_as: ClientAs
) -> None:
    amina, bruno = client_as(people.member_a), client_as(people.member_b)
    _topic_a, post_a = start(amina, A, "Sujet du pôle", "Un message gênant")
    _topic_b, post_b = start(bruno, B, "Sujet du copil", "Autre message gênant")
    assert amina.get(f"/p/{post_a}/report").status_code == 200
    assert amina.get(f"/p/{post_b}/report").status_code == 404
    assert send_form(amina, f"/p/{post_a}/report", {"reason": "Injurieux"}).status_code == 303
    again = send_form(amina, f"/p/{post_a}/report", {"reason": "Encore"})
    assert again.status_code == 400
    assert send_form(amina, f"/p/{post_a}/report", {"reason": "x" * 1001}).status_code == 400
    assert send_form(bruno, f"/p/{post_b}/report", {"reason": "Hors sujet"}).status_code == 303

    def queue(member: Member) -> list[str]:
        page = soup(client_as(member).get("/moderation").text)
        return [q.get_text(strip=True) for q in page.select(".report-list blockquote")]

    assert queue(people.moderator_a) == ["Injurieux"]
    assert queue(moderator_b) == ["Hors sujet"]
    assert sorted(queue(people.admin)) == ["Hors sujet", "Injurieux"]
    assert amina.get("/moderation").status_code == 404

    dora = client_as(moderator_b)
    page = soup(client_as(people.moderator_a).get("/moderation").text)
    form = page.select_one(".report-list form")
    assert form is not None
    action = str(form["action"])
    assert send_form(dora, action, {}).status_code == 404
    assert send_form(amina, action, {}).status_code == 403
    assert send_form(client_as(people.moderator_a), action, {}).status_code == 303
    assert queue(people.moderator_a) == []
    assert send_form(amina, f"/p/{post_a}/report", {"reason": "De nouveau"}).status_code == 303


def test_moderation_link_in_header(people: People, client_as: ClientAs) -> None:
    for member, shown in (
        (people.moderator_a, True),
        (people.admin, True),
        (people.member_a, False),
    ):
        page = soup(client_as(member).get("/").text)
        assert (page.find("a", href="/moderation") is not None) is shown


def test_search_follows_hiding_moving_deleting_and_splitting(
    people: People, client_as: ClientAs
) -> None:
    amina, bruno = client_as(people.member_a), client_as(people.member_b)
    chloe, admin = client_as(people.moderator_a), client_as(people.admin)
    topic_id, first = start(amina, A, "Assemblée générale", "Ordre du jour coopératif")
    reply = send_form(amina, f"/t/{topic_id}/reply", {"body": "Propos mutualiste"})
    reply_id = int(reply.headers["location"].split("#p")[1])
    assert len(hits(amina, "mutualiste")) == 1

    assert send_form(chloe, f"/p/{reply_id}/hide", {}).status_code == 303
    assert hits(amina, "mutualiste") == []
    assert send_form(chloe, f"/p/{reply_id}/restore", {}).status_code == 303
    assert len(hits(amina, "mutualiste")) == 1

    token = csrf_token(chloe, f"/t/{topic_id}/split")
    split = chloe.post(
        f"/t/{topic_id}/split",
        data={"title": "Débat mutualiste", "post": str(reply_id), "csrf_token": token},
        follow_redirects=False,
    )
    assert split.status_code == 303
    new_id = int(split.headers["location"].removeprefix("/t/"))
    assert {h["topic_id"] for h in hits(amina, "mutualiste")} == {new_id}

    assert send_form(admin, f"/t/{topic_id}/move", {"board": B}).status_code == 303
    assert hits(amina, "cooperatif") == []
    assert [h["topic_id"] for h in hits(bruno, "cooperatif")] == [topic_id]

    assert send_form(admin, f"/t/{topic_id}/delete", {}).status_code == 303
    assert hits(bruno, "cooperatif") == []
    assert send_form(admin, f"/t/{topic_id}/restore", {}).status_code == 303
    assert {h["topic_id"] for h in hits(bruno, "assemblee")} == {topic_id}
    assert first > 0
