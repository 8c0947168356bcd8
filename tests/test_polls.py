"""Polls: checking them, creating them with their post, voting, closing, results, privacy, pages."""

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup, Tag
from starlette.testclient import TestClient

from forum.db import Database
from forum.errors import InvalidInput, NotFound, PermissionDenied
from forum.services import polls as poll_service
from tests.conftest import ClientAs, MakeMember, csrf_token
from tests.discussions import (
    MEMBERS_BOARD,
    PUBLIC_BOARD,
    A,
    People,
    actor,
    arrange_people,
    counts,
    field_error,
    hide_post,
    new_topic,
    send_form,
    soup,
    stored_topic,
)
from tests.polls_helpers import (
    draft,
    in_days,
    option_ids,
    poll_count,
    set_closing,
    topic_with_poll,
    vote,
    votes_of,
)


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


def problems(poll: poll_service.PollDraft) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        poll_service.clean_poll(poll)
    return caught.value.errors


# --- checking a submitted poll ----------------------------------------------------------------


def test_a_clean_poll_drops_blank_lines_and_keeps_the_order() -> None:
    spec = poll_service.clean_poll(draft(options=("  Oui ", "", "Non\t", "  ")))
    assert spec is not None
    assert spec.options == ("Oui", "Non")
    assert spec.max_choices == 1 and not spec.multiple
    assert poll_service.clean_poll(None) is None


@pytest.mark.parametrize(
    ("poll", "field", "words"),
    [
        (draft(question="   "), "poll_question", "vide"),
        (draft(question="?" * 301), "poll_question", "300"),
        (draft(options=("Seule",)), "poll_options", "de 2 à 20"),
        (draft(options=tuple(f"R{n}" for n in range(21))), "poll_options", "il y en a 21"),
        (draft(options=("Oui", "x" * 201)), "poll_options", "200 caractères"),
        (draft(options=("Oui", "Non", "OUI")), "poll_options", "« OUI » figure deux fois"),
        (draft(multiple=True, max_choices=4), "poll_max", "de 2 à 3"),
        (draft(multiple=True, max_choices=1), "poll_max", "de 2 à 3"),
        (draft(closes_at=in_days(-1)), "poll_closes_on", "déjà passée"),
        (draft(results="toujours"), "poll_results", "résultats"),
    ],
)
def test_bad_polls_are_refused_in_french(
    poll: poll_service.PollDraft, field: str, words: str
) -> None:
    errors = problems(poll)
    assert list(errors) == [field]
    assert words in errors[field]


def test_every_problem_is_reported_at_once() -> None:
    errors = problems(draft(question="", options=("Oui",), closes_at=in_days(-2)))
    assert set(errors) == {"poll_question", "poll_options", "poll_closes_on"}


def test_a_multiple_choice_poll_allows_every_option_by_default() -> None:
    spec = poll_service.clean_poll(draft(multiple=True))
    assert spec is not None and spec.max_choices == 3
    spec = poll_service.clean_poll(draft(multiple=True, max_choices=2))
    assert spec is not None and spec.max_choices == 2


def test_form_fields_make_a_draft_or_none() -> None:
    assert poll_service.poll_from_form({"poll_kind": "single"}, timezone="Europe/Paris") is None
    poll = poll_service.poll_from_form(
        {
            "poll_question": "Date de la rencontre ?",
            "poll_options": "Lundi\r\nMardi\r\n",
            "poll_kind": "multiple",
            "poll_max": "2",
            "poll_closes_on": "15/01/2099",
            "poll_closes_time": "18h30",
            "poll_results": "after_closing",
        },
        timezone="Europe/Paris",
    )
    assert poll is not None and not poll.problems
    assert poll.options == ("Lundi", "Mardi") and poll.multiple and poll.max_choices == 2
    # 18:30 in Paris in January is 17:30 UTC.
    assert poll.closes_at == datetime(2099, 1, 15, 17, 30, tzinfo=UTC)
    assert poll.results == "after_closing"
    iso = poll_service.poll_from_form(
        {"poll_question": "Q ?", "poll_closes_on": "2099-07-01"}, timezone="Europe/Paris"
    )
    assert iso is not None and iso.closes_at == datetime(2099, 7, 1, 21, 59, tzinfo=UTC)
    single = poll_service.poll_from_form(
        {"poll_question": "Q ?", "poll_kind": "single", "poll_max": "x"}, timezone="Europe/Paris"
    )
    assert single is not None and not single.problems and single.max_choices is None


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"poll_closes_on": "31/02/2099"}, "poll_closes_on"),
        ({"poll_closes_on": "demain"}, "poll_closes_on"),
        ({"poll_closes_on": "0001-01-01", "poll_closes_time": "00:05"}, "poll_closes_on"),
        ({"poll_closes_on": "2099-01-01", "poll_closes_time": "25:00"}, "poll_closes_on"),
        ({"poll_closes_time": "18:00"}, "poll_closes_on"),
        ({"poll_kind": "multiple", "poll_max": "deux"}, "poll_max"),
        ({"poll_kind": "multiple", "poll_max": "²"}, "poll_max"),
    ],
)
def test_unreadable_form_fields_become_errors(fields: dict[str, str], name: str) -> None:
    poll = poll_service.poll_from_form(
        {"poll_question": "Q ?", "poll_options": "A\nB", **fields}, timezone="Europe/Paris"
    )
    assert poll is not None
    assert name in problems(poll)


# --- creating, voting and closing through the services ---------------------------------------


def test_a_poll_is_created_with_its_topic_or_not_at_all(people: People, db: Database) -> None:
    _topic_id, poll_id = topic_with_poll(db, people.member_a, A)
    assert len(option_ids(db, poll_id)) == 3
    before = counts(db)
    with pytest.raises(InvalidInput) as caught:
        topic_with_poll(db, people.member_a, A, draft(options=("Oui",)))
    assert "poll_options" in caught.value.errors
    assert counts(db) == before and poll_count(db) == 1


def test_a_reply_may_carry_a_poll(people: People, db: Database) -> None:
    from forum.services import topics as topic_service

    topic_id, _first = new_topic(db, people.member_a, A)
    with pytest.raises(InvalidInput) as caught:
        db.transaction(
            topic_service.post_reply,
            actor=actor(db, people.moderator_a),
            topic_id=topic_id,
            body="",
            poll=draft(question=""),
        )
    assert set(caught.value.errors) == {"body", "poll_question"}
    post = db.transaction(
        topic_service.post_reply,
        actor=actor(db, people.moderator_a),
        topic_id=topic_id,
        body="On vote ?",
        poll=draft(),
    )
    assert post.number == 2 and poll_count(db) == 1
    assert stored_topic(db, topic_id).post_count == 2


def test_single_choice_votes_replace_each_other(people: People, db: Database) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, A)
    yes, no, _abstain = option_ids(db, poll_id)
    vote(db, people.member_a, poll_id, yes)
    vote(db, people.member_a, poll_id, no)
    assert votes_of(db, people.member_a, poll_id) == {no}
    with pytest.raises(InvalidInput) as caught:
        vote(db, people.member_a, poll_id, yes, no)
    assert caught.value.errors == {"options": "Ce sondage n'accepte qu'une seule réponse."}
    assert votes_of(db, people.member_a, poll_id) == {no}


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ([], "Choisissez au moins une réponse."),
        ([999_999], "Cette réponse ne fait pas partie du sondage."),
        ([0, 1, 2], "Vous pouvez choisir au plus 2 réponses."),
    ],
)
def test_refused_votes(people: People, db: Database, chosen: list[int], message: str) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, A, draft(multiple=True, max_choices=2))
    ids = option_ids(db, poll_id)
    picked = [ids[i] if i < 3 else i for i in chosen]
    with pytest.raises(InvalidInput) as caught:
        vote(db, people.member_a, poll_id, *picked)
    assert caught.value.errors == {"options": message}
    assert votes_of(db, people.member_a, poll_id) == set()


def test_an_option_of_another_poll_is_unknown(people: People, db: Database) -> None:
    _t1, first = topic_with_poll(db, people.member_a, A)
    _t2, second = topic_with_poll(db, people.member_a, A)
    with pytest.raises(InvalidInput):
        vote(db, people.member_a, first, option_ids(db, second)[0])


def test_no_votes_after_the_closing_date(people: People, db: Database) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, A, draft(closes_at=in_days(1)))
    yes = option_ids(db, poll_id)[0]
    vote(db, people.member_a, poll_id, yes)
    set_closing(db, poll_id, in_days(-0.01))
    with pytest.raises(InvalidInput) as caught:
        vote(db, people.moderator_a, poll_id, yes)
    assert "clos" in caught.value.errors["options"]


@pytest.mark.parametrize("role", ["member_a", "moderator_a", "admin"])
def test_author_and_moderators_close_early(
    people: People, db: Database, make_member: MakeMember, role: str
) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, A)
    other = make_member("eloise", groups={A: "member"})
    with pytest.raises(PermissionDenied):
        db.transaction(poll_service.close_poll, actor=actor(db, other), poll_id=poll_id)
    who = people.by_role(role)
    db.transaction(poll_service.close_poll, actor=actor(db, who), poll_id=poll_id)
    with pytest.raises(InvalidInput):
        vote(db, people.member_a, poll_id, option_ids(db, poll_id)[0])
    with pytest.raises(NotFound):
        db.transaction(poll_service.close_poll, actor=actor(db, people.member_b), poll_id=poll_id)


def test_voting_needs_the_right_to_post(people: People, db: Database) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, A)
    yes = option_ids(db, poll_id)[0]
    with pytest.raises(NotFound):
        vote(db, people.member_b, poll_id, yes)  # a private board of another group
    with pytest.raises(NotFound):
        vote(db, people.member_a, 10**30, yes)


# --- pages, without JavaScript ---------------------------------------------------------------


def poll_section(page: BeautifulSoup) -> Tag:
    section = page.select_one("section.poll")
    assert isinstance(section, Tag)
    return section


def test_new_topic_form_offers_a_closed_poll_fieldset(people: People, client_as: ClientAs) -> None:
    page = soup(client_as(people.member_a).get(f"/b/{A}/new").text)
    details = page.select_one("form details.poll-fields")
    assert details is not None and not details.has_attr("open")
    summary = details.find("summary")
    assert summary is not None and summary.get_text(strip=True) == "Ajouter un sondage"
    for name in ("poll_question", "poll_options", "poll_max", "poll_closes_on"):
        field = page.find(id=f"f-{name}")
        assert isinstance(field, Tag), name
        label = page.find("label", attrs={"for": f"f-{name}"})
        assert label is not None, name


def test_start_a_topic_with_a_poll_and_vote_without_js(
    people: People, client_as: ClientAs, db: Database
) -> None:
    amina = client_as(people.member_a)
    created = send_form(
        amina,
        f"/b/{A}/new",
        {
            "title": "Plan d'action 2027",
            "body": "Votre avis ?",
            "poll_question": "Adoptez-vous le plan ?",
            "poll_options": "Oui\nNon",
            "poll_kind": "single",
            "poll_results": "after_voting",
            "action": "publish",
        },
    )
    assert created.status_code == 303
    topic_url = created.headers["location"]
    section = poll_section(soup(amina.get(topic_url).text))
    assert "Adoptez-vous le plan ?" in section.get_text()
    radios = section.select("form.poll-vote input[type=radio][name=options]")
    assert len(radios) == 2
    assert section.select_one(".poll-results") is None  # after voting only
    form = section.select_one("form.poll-vote")
    assert form is not None
    action = str(form["action"])
    voted = send_form(amina, action, {"options": str(radios[0]["value"])}, token_from=topic_url)
    assert voted.status_code == 303
    page = soup(amina.get(voted.headers["location"]).text)
    results = poll_section(page).select_one(".poll-results")
    assert results is not None
    text = results.get_text(" ", strip=True)
    assert "1 voix · 100\u00a0%" in text and "0 voix · 0\u00a0%" in text
    assert page.select_one(".poll-total") is not None
    assert "1 votant" in poll_section(page).get_text()
    meter = results.select_one("meter")
    assert meter is not None and meter["value"] == "100"


def test_poll_errors_rerender_the_form_with_the_text_kept(
    people: People, client_as: ClientAs, db: Database
) -> None:
    amina = client_as(people.member_a)
    response = send_form(
        amina,
        f"/b/{A}/new",
        {
            "title": "Un sujet",
            "body": "Texte",
            "poll_question": "",
            "poll_options": "Oui\nOui",
            "poll_closes_on": "01/01/2001",
            "action": "publish",
        },
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert field_error(page, "poll_question") == "La question du sondage est vide."
    assert field_error(page, "poll_options") == "La réponse « Oui » figure deux fois."
    assert field_error(page, "poll_closes_on") == "La date de clôture est déjà passée."
    details = page.select_one("details.poll-fields")
    assert details is not None and details.has_attr("open")
    textarea = page.find("textarea", id="f-poll_options")
    assert textarea is not None and textarea.get_text() == "Oui\nOui"
    assert poll_count(db) == 0


def test_reply_with_a_poll(people: People, client_as: ClientAs, db: Database) -> None:
    topic_id, _first = new_topic(db, people.member_a, MEMBERS_BOARD)
    bruno = client_as(people.member_b)
    page = soup(bruno.get(f"/t/{topic_id}").text)
    assert page.select_one("#reply-form details.poll-fields") is not None
    response = send_form(
        bruno,
        f"/t/{topic_id}/reply",
        {
            "body": "Je propose un vote.",
            "poll_question": "Quel jour ?",
            "poll_options": "Lundi\nMardi\nJeudi",
            "poll_kind": "multiple",
            "poll_max": "2",
            "poll_results": "after_closing",
        },
    )
    assert response.status_code == 303
    section = poll_section(soup(bruno.get(response.headers["location"]).text))
    assert len(section.select("input[type=checkbox][name=options]")) == 3
    assert "2 au plus" in section.get_text()


def test_a_refused_vote_shows_the_poll_again_with_the_reason(
    people: People, client_as: ClientAs, db: Database
) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, A)
    amina = client_as(people.member_a)
    yes, no, _ = option_ids(db, poll_id)
    response = amina.post(
        f"/polls/{poll_id}/vote",
        data={"options": [str(yes), str(no)], "csrf_token": csrf_token(amina)},
        follow_redirects=False,
    )
    assert response.status_code == 400
    page = soup(response.text)
    error = page.find(id=f"poll{poll_id}-error")
    assert error is not None
    assert error.get_text(strip=True) == "Ce sondage n'accepte qu'une seule réponse."
    assert page.select_one("form.poll-vote") is not None
    odd = send_form(amina, f"/polls/{poll_id}/vote", {"options": "²"})
    assert odd.status_code == 400
    assert "ne fait pas partie du sondage" in soup(odd.text).get_text()
    assert votes_of(db, people.member_a, poll_id) == set()


def test_after_closing_results_wait_for_the_closing(
    people: People, client_as: ClientAs, db: Database
) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, A, draft(results="after_closing"))
    vote(db, people.member_a, poll_id, option_ids(db, poll_id)[0])
    amina = client_as(people.member_a)
    section = poll_section(soup(amina.get(f"/polls/{poll_id}").text))
    assert section.select_one(".poll-results") is None
    assert "à la clôture" in section.get_text()
    assert section.select_one("form.poll-close") is not None  # the author may close
    assert send_form(amina, f"/polls/{poll_id}/close", {}).status_code == 303
    section = poll_section(soup(amina.get(f"/polls/{poll_id}").text))
    assert section.select_one(".poll-results") is not None
    assert section.select_one("form.poll-vote") is None
    assert "Sondage clos le" in section.get_text()
    late = send_form(amina, f"/polls/{poll_id}/vote", {"options": str(option_ids(db, poll_id)[1])})
    assert late.status_code == 400
    assert "clos" in soup(late.text).get_text()


def test_public_board_visitors_read_but_do_not_vote(
    people: People, client: TestClient, client_as: ClientAs, db: Database
) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, PUBLIC_BOARD)
    yes = option_ids(db, poll_id)[0]
    vote(db, people.member_b, poll_id, yes)  # any member may post, so vote, in a public board
    section = poll_section(soup(client.get(f"/polls/{poll_id}").text))
    assert section.select_one("form.poll-vote") is None
    assert section.select_one(".poll-results") is None  # not after voting: they can't vote
    assert "Connectez-vous" in section.get_text()
    refused = client.post(
        f"/polls/{poll_id}/vote", data={"options": str(yes)}, follow_redirects=False
    )
    assert refused.status_code in (303, 403)
    assert refused.headers.get("location", "/login").startswith("/login")
    assert votes_of(db, people.member_b, poll_id) == {yes}
    set_closing(db, poll_id, in_days(-0.01))
    section = poll_section(soup(client.get(f"/polls/{poll_id}").text))
    assert "1 votant" in section.get_text()
    assert section.select_one(".poll-voters") is None


def test_voters_are_shown_to_moderators_and_admins_only(
    people: People, client_as: ClientAs, db: Database
) -> None:
    topic_id, poll_id = topic_with_poll(db, people.member_a, A)
    vote(db, people.member_a, poll_id, option_ids(db, poll_id)[1])
    for member, shown in (
        (people.moderator_a, True),
        (people.admin, True),
        (people.member_a, False),
    ):
        section = poll_section(soup(client_as(member).get(f"/t/{topic_id}").text))
        voters = section.select(".poll-voters li")
        assert [v.get_text() for v in voters] == (["Amina Benali"] if shown else []), member.login


def test_a_hidden_post_hides_its_poll(people: People, client_as: ClientAs, db: Database) -> None:
    topic_id, poll_id = topic_with_poll(db, people.member_a, A)
    bruno = client_as(people.member_b)
    assert bruno.get(f"/polls/{poll_id}").status_code == 404
    assert send_form(bruno, f"/polls/{poll_id}/vote", {"options": "1"}).status_code == 404
    assert send_form(bruno, f"/polls/{poll_id}/close", {}).status_code == 404
    hide_post(db, stored_topic(db, topic_id).first_post_id or 0)
    amina = client_as(people.member_a)
    assert amina.get(f"/polls/{poll_id}").status_code == 404
    assert soup(amina.get(f"/t/{topic_id}").text).select_one("section.poll") is None
    assert client_as(people.moderator_a).get(f"/polls/{poll_id}").status_code == 200
    with pytest.raises(PermissionDenied):
        vote(db, people.moderator_a, poll_id, option_ids(db, poll_id)[0])


def test_results_read_in_english_too(people: People, client: TestClient, db: Database) -> None:
    _topic, poll_id = topic_with_poll(db, people.member_a, PUBLIC_BOARD)
    ids = option_ids(db, poll_id)
    vote(db, people.member_a, poll_id, ids[0])
    vote(db, people.member_b, poll_id, ids[1])
    vote(db, people.moderator_a, poll_id, ids[1])
    set_closing(db, poll_id, in_days(-0.01))
    page = client.get(f"/polls/{poll_id}", headers={"Accept-Language": "en"})
    text = poll_section(soup(page.text)).get_text(" ", strip=True)
    assert "1 vote · 33%" in text and "2 votes · 67%" in text and "3 voters" in text
    french = poll_section(soup(client.get(f"/polls/{poll_id}").text)).get_text(" ", strip=True)
    assert "2 voix · 67\u00a0%" in french and "3 votants" in french and "Sondage clos le" in french
