"""Threading: headers first, order-independent; missing parents; hints; subject fallback."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from forum.importer.message import Flag, ParsedMessage
from forum.importer.threads import (
    clean_title,
    is_reply_subject,
    normalise_subject,
    thread_messages,
)

START = datetime(2010, 3, 2, 9, 0, tzinfo=UTC)


def msg(
    message_id: str,
    minutes: int,
    *,
    subject: str = "Réunion",
    in_reply_to: str = "",
    references: tuple[str, ...] = (),
    hint: str = "",
) -> ParsedMessage:
    return ParsedMessage(
        message_id=message_id,
        subject=subject,
        sender_name="Amina",
        sender_address="amina@example.org",
        date=START + timedelta(minutes=minutes),
        utc_offset_minutes=60,
        body=f"Texte de {message_id}",
        in_reply_to=in_reply_to,
        references=list(references),
        thread_hint=hint,
        source=message_id,
    )


Shape = dict[str, tuple[list[str], dict[str, str | None], bool]]


def shape(messages: list[ParsedMessage], existing: tuple[str, ...] = ()) -> Shape:
    result = thread_messages(messages, existing=existing)
    return {
        t.root: ([m.message_id for m in t.messages], dict(t.parent_of), t.existing)
        for t in result.threads
    }


def test_replies_land_under_their_parents_in_any_order() -> None:
    messages = [
        msg("a", 0),
        msg("b", 10, in_reply_to="a", references=("a",)),
        msg("c", 20, in_reply_to="b", references=("a", "b")),
        msg("d", 30, subject="Autre sujet"),
        msg("e", 40, in_reply_to="a"),
    ]
    expected = shape(messages)
    assert expected == {
        "a": (
            ["a", "b", "c", "e"],
            {"a": None, "b": "a", "c": "b", "e": "a"},
            False,
        ),
        "d": (["d"], {"d": None}, False),
    }
    for seed in range(5):
        shuffled = messages[:]
        random.Random(seed).shuffle(shuffled)
        assert shape(shuffled) == expected


def test_a_reply_dated_before_its_parent_still_follows_it() -> None:
    messages = [msg("child", 0, in_reply_to="root"), msg("root", 60)]
    assert shape(messages) == {"root": (["root", "child"], {"root": None, "child": "root"}, False)}


def test_missing_parent_goes_to_nearest_ancestor_and_is_flagged() -> None:
    messages = [msg("a", 0), msg("c", 20, in_reply_to="b", references=("a", "b"))]
    assert shape(messages)["a"] == (["a", "c"], {"a": None, "c": "a"}, False)
    assert Flag.PARENT_MISSING in messages[1].flags
    assert messages[0].flags == []


def test_orphan_without_any_ancestor_starts_a_topic_flagged() -> None:
    orphan = msg("x", 0, subject="Re: Perdu", in_reply_to="gone", references=("gone",))
    assert shape([orphan]) == {"x": (["x"], {"x": None}, False)}
    assert orphan.flags == [Flag.PARENT_MISSING]


def test_orphan_joins_an_earlier_message_of_the_same_subject() -> None:
    root = msg("r", 0, subject="[pole-ess] Budget 2010")
    orphan = msg("o", 5, subject="RE : [pole-ess] Budget 2010", in_reply_to="gone")
    assert shape([orphan, root])["r"][0] == ["r", "o"]
    assert Flag.PARENT_MISSING in orphan.flags


def test_parent_already_imported_extends_the_existing_topic() -> None:
    reply = msg("new", 0, in_reply_to="old")
    assert shape([reply], existing=("old",)) == {"old": (["new"], {"new": "old"}, True)}


def test_subject_fallback_for_mail_without_headers() -> None:
    messages = [
        msg("1", 0, subject="[pole-ess] Fiches d'activités"),
        msg("2", 10, subject="Re: [pole-ess] Fiches d'activités"),
        msg("3", 20, subject="TR : Fiches d’activités"),
        msg("4", 30, subject="Fiches d'activités"),  # no prefix: a new topic
        msg("5", 40, subject="AW: Fw : Réf. : [pole-ess] fiches d'activites"),
    ]
    threads = shape(messages)
    assert threads["1"][0] == ["1", "2", "5"]
    assert "4" in threads
    assert threads["3"][0] == ["3"]  # a typographic apostrophe is another subject


def test_thread_hint_groups_headerless_messages() -> None:
    messages = [
        msg("y1", 0, subject="Photos", hint="yahoo-topic-9"),
        msg("y2", 5, subject="Photos de la journée", hint="yahoo-topic-9"),
    ]
    assert shape(messages)["y1"][0] == ["y1", "y2"]


def test_duplicates_in_one_archive_are_left_out() -> None:
    result = thread_messages([msg("a", 0), msg("a", 0), msg("b", 5, in_reply_to="a")])
    assert [m.message_id for m in result.duplicates] == ["a"]
    assert [m.message_id for m in result.threads[0].messages] == ["a", "b"]


def test_reference_cycles_are_cut() -> None:
    messages = [msg("a", 0, in_reply_to="b"), msg("b", 5, in_reply_to="a")]
    threads = shape(messages)
    assert sum(len(ids) for ids, _parents, _existing in threads.values()) == 2


@pytest.mark.parametrize(
    ("subject", "normal", "reply", "title"),
    [
        ("Re: [pole-ess] Réunion", "reunion", True, "Réunion"),
        ("RE : TR : Fwd: Réunion", "reunion", True, "Réunion"),
        ("Réf. : Réunion", "reunion", True, "Réunion"),
        ("AW: Fw : [pole-ess] RE: Réunion", "reunion", True, "Réunion"),
        ("Re[2]: Réunion", "reunion", True, "Réunion"),
        ("Rencontre à Rabat", "rencontre a rabat", False, "Rencontre à Rabat"),
        ("[COPIL] Ordre du jour", "ordre du jour", False, "Ordre du jour"),
    ],
)
def test_subject_normalisation(subject: str, normal: str, reply: bool, title: str) -> None:
    assert normalise_subject(subject) == normal
    assert is_reply_subject(subject) is reply
    assert clean_title(subject) == title
