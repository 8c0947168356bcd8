"""@mentions: what counts as one, how posts render them, and the autocompletion endpoint."""

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from forum.db import Database
from forum.markup import render_markdown
from forum.mentions import mentioned_names
from forum.models import User
from tests.conftest import ClientAs, MakeMember
from tests.discussions import (
    MEMBERS_BOARD,
    A,
    People,
    arrange_people,
    edit,
    new_topic,
    soup,
    stored_post,
)


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Bonjour @amina !", {"amina"}),
        ("@Amina, @jean.dupont.copcm et @pole-ess.", {"amina", "jean.dupont.copcm", "pole-ess"}),
        ("écrire à amina@exemple.org", set()),
        ("voir https://exemple.org/@amina", set()),
        ("`@amina` en code", set()),
        ("```\n@amina\n```", set()),
        ("[@amina](https://exemple.org)", set()),
        ("@@amina, @-x, @", set()),
        ("> @chloe cité\n\n- @bruno en liste", {"chloe", "bruno"}),
    ],
)
def test_what_is_a_mention(text: str, names: set[str]) -> None:
    assert mentioned_names(text) == names


def test_rendering_links_members_and_bolds_groups() -> None:
    html = render_markdown(
        "Salut @Amina et @copil ; pas @inconnu ni `@amina`.",
        {"amina": "/membres/amina", "copil": ""},
    )
    page = soup(html)
    links = page.select("a")
    assert [(a["href"], a.get_text()) for a in links] == [("/membres/amina", "@Amina")]
    assert [b.get_text() for b in page.select("strong")] == ["@copil"]
    assert "@inconnu" in page.get_text() and page.select_one("code").get_text() == "@amina"  # type: ignore[union-attr]


def test_mentions_are_stored_as_links_in_posts(
    people: People, db: Database, make_member: MakeMember
) -> None:
    gone = make_member("parti", name="Parti")

    def disable(session: Session) -> None:
        user = session.get(User, gone.id)
        assert user is not None
        user.is_active = False
        session.add(user)

    db.transaction(disable)
    body = "Merci @chloe et @pole-ess, <b>@x</b> @parti"
    _topic, first = new_topic(db, people.member_a, A, body=body)
    page = soup(stored_post(db, first).html)
    assert [a["href"] for a in page.select("a")] == ["/membres/chloe"]
    assert [b.get_text() for b in page.select("strong")] == ["@pole-ess"]
    assert page.select("b") == []  # raw HTML stays neutralised around mentions

    edit(db, people.member_a, first, "Plutôt @bruno")
    assert [a["href"] for a in soup(stored_post(db, first).html).select("a")] == ["/membres/bruno"]


def test_autocomplete_members_and_own_groups(people: People, client_as: ClientAs) -> None:
    amina = client_as(people.member_a)
    found = amina.get("/mentions?q=ch").json()["suggestions"]
    assert found == [{"kind": "member", "name": "chloe", "label": "Chloé Petit"}]
    by_name = amina.get("/mentions?q=mart").json()["suggestions"]
    assert [s["name"] for s in by_name] == ["bruno"]  # a surname matches too
    groups = amina.get("/mentions?q=@po").json()["suggestions"]
    assert {"kind": "group", "name": "pole-ess", "label": "Pôle ESS"} in groups
    # The COPIL exists only for its members (and administrators).
    assert amina.get("/mentions?q=cop").json()["suggestions"] == []
    admin = client_as(people.admin)
    assert [s["name"] for s in admin.get("/mentions?q=cop").json()["suggestions"]] == ["copil"]
    assert amina.get("/mentions?q=").json() == {"suggestions": []}
    assert amina.get("/mentions?q=%25").json() == {"suggestions": []}  # LIKE wildcards are text
    assert amina.get("/mentions?q=_").json() == {"suggestions": []}


def test_autocomplete_is_for_members_only(client: TestClient) -> None:
    assert client.get("/mentions?q=a").status_code == 404


def test_the_script_is_offered_to_members_on_post_forms(
    people: People, client_as: ClientAs, client: TestClient, db: Database
) -> None:
    topic_id, _first = new_topic(db, people.member_a, MEMBERS_BOARD)
    page = soup(client_as(people.member_b).get(f"/t/{topic_id}").text)
    script = page.select_one("script[src*='mentions']")
    assert script is not None and script.has_attr("defer")
    assert "{n}" in str(script["data-many"])
    assert page.select_one("textarea[name=body]") is not None
    assert soup(client.get("/").text).select_one("script[src*='mentions']") is None
