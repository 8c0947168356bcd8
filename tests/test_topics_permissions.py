"""Who may post where, locked topics, and every hidden thing answering the same 404."""

from collections.abc import Callable

import httpx2
import pytest
from starlette.testclient import TestClient

from forum.db import Database
from forum.models import utcnow
from tests.conftest import ClientAs, MakeMember, csrf_token
from tests.discussions import (
    MEMBERS_BOARD,
    PUBLIC_BOARD,
    A,
    B,
    People,
    add_reply,
    arrange_people,
    change_topic,
    counts,
    edit,
    hide_post,
    new_topic,
    send_form,
    soup,
)

ACTORS = ("anonymous", "member_a", "member_b", "moderator_a", "admin")
# Board -> what each actor of ACTORS may do there: "" hidden (404), "r" read, "rp" read and post.
POSTING: dict[str, tuple[str, str, str, str, str]] = {
    #                anonymous  member_a  member_b  moderator_a  admin
    A:              ("",        "rp",     "",       "rp",        "rp"),
    B:              ("",        "",       "rp",     "",          "rp"),
    MEMBERS_BOARD:  ("",        "rp",     "rp",     "rp",        "rp"),
    PUBLIC_BOARD:   ("r",       "rp",     "rp",     "rp",        "rp"),
}  # fmt: skip


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def browser_of(
    people: People, client: TestClient, client_as: ClientAs
) -> Callable[[str], TestClient]:
    def make(role: str) -> TestClient:
        return client if role == "anonymous" else client_as(people.by_role(role))

    return make


@pytest.mark.parametrize("role", ACTORS)
def test_posting_matrix(
    role: str, people: People, browser_of: Callable[[str], TestClient], db: Database
) -> None:
    browser = browser_of(role)
    token = csrf_token(browser, "/") if role != "anonymous" else ""
    seen = {}
    for board in POSTING:
        topic_id, _first = new_topic(db, people.admin, board)
        page = browser.get(f"/t/{topic_id}")
        assert page.status_code in (200, 404), board
        if page.status_code == 404:
            seen[board] = ""
            assert browser.get(f"/b/{board}/new").status_code == 404
            continue
        offers_reply = soup(page.text).find("form", id="reply-form") is not None
        before = counts(db)
        data = {"body": "Une réponse", "csrf_token": token}
        replied = browser.post(f"/t/{topic_id}/reply", data=data, follow_redirects=False)
        new = {"title": "Nouveau", "body": "Corps", "csrf_token": token}
        started = browser.post(f"/b/{board}/new", data=new, follow_redirects=False)
        posted = replied.headers.get("location", "").startswith(f"/t/{topic_id}?")
        created = started.headers.get("location", "").startswith("/t/")
        assert posted == created == offers_reply, board
        if not posted:
            assert counts(db) == before
            assert replied.headers["location"].startswith("/login?next=")
        seen[board] = "rp" if posted else "r"
    assert seen == {board: row[ACTORS.index(role)] for board, row in POSTING.items()}


def test_a_locked_topic_takes_replies_from_its_moderators_only(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, A)
    change_topic(db, topic_id, is_locked=True)
    amina = client_as(people.member_a)
    page = soup(amina.get(f"/t/{topic_id}").text)
    assert page.find("form", id="reply-form") is None
    assert "verrouillé" in page.select_one("p.notice").get_text()  # type: ignore[union-attr]
    assert page.find("a", href=f"/p/{first}/edit") is None
    before = counts(db)
    assert send_form(amina, f"/t/{topic_id}/reply", {"body": "Non"}).status_code == 403
    assert send_form(amina, f"/p/{first}/edit", {"body": "Non"}).status_code == 403
    assert amina.get(f"/t/{topic_id}?quote={first}").status_code == 200
    assert counts(db) == before

    chloe = client_as(people.moderator_a)
    assert soup(chloe.get(f"/t/{topic_id}").text).find("form", id="reply-form") is not None
    assert send_form(chloe, f"/t/{topic_id}/reply", {"body": "Oui"}).status_code == 303
    bruno_admin = client_as(people.admin)
    assert send_form(bruno_admin, f"/t/{topic_id}/reply", {"body": "Oui"}).status_code == 303


def test_only_the_author_edits_or_deletes_a_post(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, MEMBERS_BOARD)
    for role in ("member_b", "moderator_a", "admin"):
        other = client_as(people.by_role(role))
        page = soup(other.get(f"/t/{topic_id}").text)
        assert page.find("a", href=f"/p/{first}/edit") is None
        assert other.get(f"/p/{first}/edit").status_code == 403
        assert send_form(other, f"/p/{first}/edit", {"body": "Pirate"}).status_code == 403
        assert send_form(other, f"/p/{first}/delete", {"confirm": "1"}).status_code == 403
    assert counts(db)[2] == 0
    amina = client_as(people.member_a)
    assert soup(amina.get(f"/t/{topic_id}").text).find("a", href=f"/p/{first}/edit") is not None


def _answer(browser: TestClient, method: str, path: str, **kwargs: object) -> tuple[int, str]:
    """Status and main content of a page (the rest carries the page's own address)."""
    response: httpx2.Response = browser.request(
        method,
        path,
        follow_redirects=False,
        **kwargs,  # type: ignore[arg-type]
    )
    main = soup(response.text).find("main")
    return response.status_code, str(main)


def test_everything_in_a_hidden_board_is_a_404_like_a_missing_thing(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_b, B, title="Secret du COPIL")
    reply = add_reply(db, people.member_b, topic_id, reply_to=first)
    edit(db, people.member_b, reply, "Modifié")
    amina = client_as(people.member_a)
    token = csrf_token(amina, "/")
    form = {"csrf_token": token, "body": "Intrus", "confirm": "1", "title": "Intrus"}
    missing_topic, missing_post = 999_999, 999_998
    before = counts(db)
    for hidden, missing in (
        (topic_id, missing_topic),
        (first, missing_post),
        (reply, missing_post),
    ):
        for method, template in [
            ("GET", "/t/{}"),
            ("GET", "/t/{}?page=2"),
            ("GET", "/t/{}?quote=1"),
            ("POST", "/t/{}/reply"),
            ("GET", "/p/{}"),
            ("GET", "/p/{}/edit"),
            ("POST", "/p/{}/edit"),
            ("POST", "/p/{}/delete"),
            ("GET", "/p/{}/revisions"),
        ]:
            kwargs = {"data": form} if method == "POST" else {}
            seen = _answer(amina, method, template.format(hidden), **kwargs)
            expected = _answer(amina, method, template.format(missing), **kwargs)
            assert seen[0] == 404, (method, template, hidden)
            assert seen == expected, (method, template)
    assert amina.get(f"/b/{B}").status_code == 404
    assert send_form(amina, f"/b/{B}/new", {"title": "Intrus", "body": "Intrus"}).status_code == 404
    assert counts(db) == before
    assert "Secret du COPIL" not in soup(amina.get(f"/b/{A}").text).get_text()


def test_deleted_topics_and_posts_are_gone(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, first = new_topic(db, people.member_a, A)
    reply = add_reply(db, people.member_a, topic_id)
    amina = client_as(people.member_a)
    assert send_form(amina, f"/p/{reply}/delete", {"confirm": "1"}).status_code == 303
    for path in (f"/p/{reply}", f"/p/{reply}/edit", f"/p/{reply}/revisions"):
        assert amina.get(path).status_code == 404, path
    assert (
        send_form(amina, f"/t/{topic_id}/reply", {"body": "x", "reply_to": str(reply)}).status_code
        == 400
    )

    change_topic(db, topic_id, deleted_at=utcnow())
    for path in (f"/t/{topic_id}", f"/p/{first}", f"/p/{first}/revisions"):
        assert amina.get(path).status_code == 404, path
    assert send_form(amina, f"/t/{topic_id}/reply", {"body": "Encore"}).status_code == 404
    assert soup(amina.get(f"/b/{A}").text).select(".topic-list li") == []


def test_hidden_posts_are_placeholders_except_for_moderators(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    reply = add_reply(db, people.member_a, topic_id, body="Propos déplacés")
    hide_post(db, reply)
    amina = client_as(people.member_a)
    article = soup(amina.get(f"/t/{topic_id}").text).find("article", id=f"p{reply}")
    assert article is not None and "Propos déplacés" not in article.get_text()
    assert "Amina" not in article.get_text()
    assert amina.get(f"/p/{reply}").status_code == 404
    chloe = client_as(people.moderator_a)
    article = soup(chloe.get(f"/t/{topic_id}").text).find("article", id=f"p{reply}")
    assert article is not None and "Propos déplacés" in article.get_text()
    assert chloe.get(f"/p/{reply}", follow_redirects=False).status_code == 303
