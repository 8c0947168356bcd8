"""Parsing what members type into safe FTS5 expressions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forum.search.query import MAX_PHRASE_WORDS, MAX_TERMS, MAX_WORD, parse_query


def expression(text: str) -> str | None:
    return parse_query(text).match_expression()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("école", '"ecole"*'),
        ("Réunion", '"reunion"*'),
        ("Œuvre", '"oeuvre"*'),
        ("l'école", '"ecole"*'),
        ("l’école", '"ecole"*'),
        ("qu'il vienne", '"il"* AND "vienne"*'),
        ("jusqu'à demain", '"demain"*'),  # à is a common short word
        ("budget 2025", '"budget"* AND "2025"*'),
        ("a", '"a"'),  # only common short words: looked for exactly
        ("le la", '"le" AND "la"'),
        ("x", '"x"'),  # one letter: no prefix
        ('"école de musique"', '"ecole de musique"'),
        ("«école de musique»", '"ecole de musique"'),
        ('"école d\'été" budget', '"ecole d ete" AND "budget"*'),
        ('"un"', '"un"'),
        ('bureau "assemblée générale', '"bureau"* AND "assemblee"* AND "generale"*'),
        ("AND", '"and"*'),
        ("a OR b", '"or"* AND "b"'),
        ("NOT budget", '"not"* AND "budget"*'),
        ("NEAR(a b)", '"near"* AND "b"'),
        ("budget*", '"budget"*'),
        ("^budget", '"budget"*'),
        ("title:budget", '"title"* AND "budget"*'),
        ("(budget)", '"budget"*'),
        ("-budget +plan", '"budget"* AND "plan"*'),
        ("budget budget", '"budget"*'),
        ('say "', '"say"*'),
        ('a""b', '"b"'),
    ],
)
def test_parse(text: str, expected: str) -> None:
    assert expression(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "!!!", "'", '"', '""', "* ^ : ( ) - +", "’", "\x00"])
def test_nothing_to_look_for(text: str) -> None:
    parsed = parse_query(text)
    assert parsed.is_empty
    assert parsed.match_expression() is None


def test_raw_words_keep_what_was_typed() -> None:
    parsed = parse_query("L'École «Cœur d’été»")
    assert [t.raw for t in parsed.terms] == ["cœur d’été", "école"]


def test_a_thousand_words_are_capped() -> None:
    text = " ".join(f"mot{i}" for i in range(1000))
    assert len(parse_query(text).terms) == MAX_TERMS


def test_long_phrases_and_words_are_capped() -> None:
    phrase = '"' + " ".join(f"mot{i}" for i in range(100)) + '"'
    (term,) = parse_query(phrase).terms
    assert len(term.words) == MAX_PHRASE_WORDS
    (long,) = parse_query("x" * 10_000).terms
    assert long.words == ("x" * MAX_WORD,) and long.prefix


def test_very_long_input_is_read_in_part() -> None:
    parsed = parse_query("budget " * 100_000)
    assert parsed.match_expression() == '"budget"*'


@given(st.text())
def test_any_input_gives_quoted_terms_only(text: str) -> None:
    parsed = parse_query(text)
    assert len(parsed.terms) <= MAX_TERMS
    for term in parsed.terms:
        assert term.words
        for word in term.words:
            assert word and '"' not in word and " " not in word
        assert term.fts5().startswith('"')
