"""Polls through /api/v1: created with a topic or a reply, read with the topic, votes, privacy."""

from typing import Any

import pytest
from starlette.testclient import TestClient

from forum.db import Database
from tests.conftest import MakeMember, Member
from tests.discussions import PUBLIC_BOARD, A, People, arrange_people, counts, hide_post, new_topic
from tests.polls_helpers import option_ids, poll_count, topic_with_poll, vote
from tests.test_api import bearer, create_token

POLL = {"question": "Validez-vous la fiche ?", "options": ["Oui", "Non", "Sans avis"]}


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


class Api:
    """A script calling the API with a member's personal access token."""

    def __init__(self, client: TestClient, token: str | None) -> None:
        self.client = client
        self.headers = bearer(token) if token else {}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, payload: object) -> Any:
        return self.client.post(f"/api/v1{path}", json=payload, headers=self.headers)


@pytest.fixture
def api_as(client: TestClient, db: Database) -> Any:
    def make(member: Member | None) -> Api:
        return Api(client, create_token(db, member) if member else None)

    return make


def first_poll(topic: dict[str, Any]) -> dict[str, Any]:
    poll = topic["posts"][0]["poll"]
    assert isinstance(poll, dict)
    return poll


def test_start_a_topic_with_a_poll_vote_and_read_results(people: People, api_as: Any) -> None:
    amina = api_as(people.member_a)
    created = amina.post(
        f"/boards/{A}/topics",
        {"title": "Fiche d'activité", "body": "À valider", "poll": POLL},
    )
    assert created.status_code == 201, created.text
    poll = first_poll(created.json())
    assert poll["question"] == POLL["question"]
    assert [o["label"] for o in poll["options"]] == POLL["options"]
    assert poll["multiple"] is False and poll["max_choices"] == 1
    assert poll["results_visibility"] == "after_voting" and poll["closes_at"] is None
    assert poll["results_visible"] is False and poll["total_voters"] is None
    assert all(o["votes"] is None and o["voters"] is None for o in poll["options"])
    assert poll["can_vote"] is True and poll["can_close"] is True

    yes = poll["options"][0]["id"]
    voted = amina.post(f"/polls/{poll['id']}/votes", {"options": [yes]})
    assert voted.status_code == 200, voted.text
    after = voted.json()
    assert after["has_voted"] is True and after["total_voters"] == 1
    assert [(o["votes"], o["percent"], o["chosen"]) for o in after["options"]] == [
        (1, 100, True),
        (0, 0, False),
        (0, 0, False),
    ]
    topic = amina.get(f"/topics/{created.json()['id']}").json()
    assert first_poll(topic)["total_voters"] == 1
    assert amina.get(f"/posts/{poll['post_id']}").json()["poll"]["id"] == poll["id"]


def test_reply_with_a_poll_and_posts_without_one(people: People, api_as: Any, db: Database) -> None:
    topic_id, _first = new_topic(db, people.member_a, A)
    chloe = api_as(people.moderator_a)
    plain = chloe.post(f"/topics/{topic_id}/posts", {"body": "Sans sondage", "poll": None})
    assert plain.status_code == 201 and plain.json()["poll"] is None
    poll = {
        **POLL,
        "multiple": True,
        "max_choices": 2,
        "closes_at": "2099-12-31T18:00:00+01:00",
        "results_visibility": "after_closing",
    }
    reply = chloe.post(f"/topics/{topic_id}/posts", {"body": "On vote", "poll": poll})
    assert reply.status_code == 201, reply.text
    made = reply.json()["poll"]
    assert made["multiple"] is True and made["max_choices"] == 2
    assert made["closes_at"] == "2099-12-31T17:00:00Z"
    assert made["results_visibility"] == "after_closing"


@pytest.mark.parametrize(
    ("poll", "fields"),
    [
        ({"question": "", "options": ["Oui", "Non"]}, {"poll_question"}),
        ({"question": "Q ?", "options": ["Oui"]}, {"poll_options"}),
        ({"question": "Q ?", "options": ["Oui", "oui"]}, {"poll_options"}),
        ({"question": "Q ?", "options": "Oui, Non"}, {"poll_options"}),
        ({**POLL, "closes_at": "2001-01-01T00:00:00Z"}, {"poll_closes_on"}),
        ({**POLL, "closes_at": "bientôt"}, {"poll_closes_on"}),
        ({**POLL, "closes_at": "0001-01-01T00:00:00+05:00"}, {"poll_closes_on"}),
        ({**POLL, "multiple": "oui"}, {"poll_kind"}),
        ({**POLL, "multiple": True, "max_choices": 9}, {"poll_max"}),
        ({**POLL, "results_visibility": "jamais"}, {"poll_results"}),
        ("Oui ou non ?", {"poll"}),
    ],
)
def test_bad_polls_are_422_and_create_nothing(
    people: People, api_as: Any, db: Database, poll: object, fields: set[str]
) -> None:
    before = counts(db)
    response = api_as(people.member_a).post(
        f"/boards/{A}/topics", {"title": "Un sujet", "body": "Texte", "poll": poll}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid" and set(body["fields"]) == fields
    assert all(isinstance(message, str) and message for message in body["fields"].values())
    assert counts(db) == before and poll_count(db) == 0


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"options": []}, "Choisissez au moins une réponse."),
        ({"options": [123456789]}, "Cette réponse ne fait pas partie du sondage."),
        ({"options": "1"}, "Liste de numéros de réponses attendue."),
        ({"options": [True]}, "Liste de numéros de réponses attendue."),
        ({}, "Liste de numéros de réponses attendue."),
        ("TWO", "Ce sondage n'accepte qu'une seule réponse."),
    ],
)
def test_refused_votes_are_422(
    people: People, api_as: Any, db: Database, payload: object, message: str
) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, A)
    if payload == "TWO":
        payload = {"options": option_ids(db, poll_id)[:2]}
    response = api_as(people.member_a).post(f"/polls/{poll_id}/votes", payload)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert response.json()["fields"] == {"options": message}


def test_closing_by_api_then_no_votes(people: People, api_as: Any, db: Database) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, A)
    yes = option_ids(db, poll_id)[0]
    assert api_as(people.member_b).post(f"/polls/{poll_id}/close", None).status_code == 404
    other = api_as(people.admin)
    closed = other.post(f"/polls/{poll_id}/close", None)
    assert closed.status_code == 200
    assert closed.json()["closed"] is True and closed.json()["results_visible"] is True
    late = api_as(people.member_a).post(f"/polls/{poll_id}/votes", {"options": [yes]})
    assert late.status_code == 422
    assert "clos" in late.json()["fields"]["options"]


def test_privacy_of_polls_and_voters(people: People, api_as: Any, db: Database) -> None:
    topic_id, poll_id = topic_with_poll(db, people.member_a, A)
    vote(db, people.member_a, poll_id, option_ids(db, poll_id)[2])
    bruno = api_as(people.member_b)
    assert bruno.get(f"/polls/{poll_id}").status_code == 404
    assert bruno.post(f"/polls/{poll_id}/votes", {"options": [1]}).status_code == 404
    assert api_as(None).get(f"/polls/{poll_id}").status_code == 404
    assert bruno.get("/polls/%C2%B2").status_code == 404  # "²" is a digit, not an id
    moderator = api_as(people.moderator_a).get(f"/polls/{poll_id}").json()
    assert moderator["options"][2]["voters"] == [
        {"id": people.member_a.id, "display_name": "Amina Benali"}
    ]
    member = api_as(people.member_a).get(f"/polls/{poll_id}").json()
    assert member["results_visible"] is True
    assert all(option["voters"] is None for option in member["options"])
    hide_post(db, poll_id_post(api_as(people.moderator_a), poll_id))
    assert api_as(people.member_a).get(f"/polls/{poll_id}").status_code == 404
    topic = api_as(people.member_a).get(f"/topics/{topic_id}").json()
    assert topic["posts"][0]["poll"] is None


def poll_id_post(api: Api, poll_id: int) -> int:
    post_id = api.get(f"/polls/{poll_id}").json()["post_id"]
    assert isinstance(post_id, int)
    return post_id


def test_anonymous_readers_of_public_boards_cannot_vote(
    people: People, api_as: Any, db: Database
) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, PUBLIC_BOARD)
    anonymous = api_as(None)
    seen = anonymous.get(f"/polls/{poll_id}")
    assert seen.status_code == 200
    assert seen.json()["can_vote"] is False and seen.json()["results_visible"] is False
    yes = option_ids(db, poll_id)[0]
    assert anonymous.post(f"/polls/{poll_id}/votes", {"options": [yes]}).status_code == 401
    # A member of another group may post in a public board, so may vote there.
    assert (
        api_as(people.member_b).post(f"/polls/{poll_id}/votes", {"options": [yes]}).status_code
        == 200
    )
