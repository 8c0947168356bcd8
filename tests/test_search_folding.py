"""Folding for search: accents, ligatures, case, apostrophes and dashes; positions kept."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forum.search.folding import fold, fold_with_map, words

FOLDED = [
    ("école", "ecole"),
    ("École", "ecole"),
    ("ÉCOLE", "ecole"),
    ("Œuvre", "oeuvre"),
    ("œuvre", "oeuvre"),
    ("cœur", "coeur"),
    ("Réunion", "reunion"),
    ("ÆSOP", "aesop"),
    ("ex æquo", "ex aequo"),
    ("Straße", "strasse"),
    ("garçon", "garcon"),
    ("naïve", "naive"),
    ("Ørsted", "orsted"),
    ("Łódź", "lodz"),
    ("ﬁnance", "finance"),  # the fi ligature
    ("e\u0301cole", "ecole"),  # decomposed accent
    ("l’école", "l'ecole"),
    ("lʼécole", "l'ecole"),
    ("l‘école", "l'ecole"),
    ("l'école", "l'ecole"),
    ("Saint‑Étienne", "saint-etienne"),  # non-breaking hyphen
    ("2024–2025", "2024-2025"),  # en dash
    ("oui — non", "oui - non"),  # em dash
    ("ecole", "ecole"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), FOLDED)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(("text", "expected"), FOLDED)
def test_fold_with_map_folds_the_same(text: str, expected: str) -> None:
    assert fold_with_map(text).text == expected


def test_words_are_cut_like_fts5() -> None:
    assert words(fold("L’école d'été, à Saint-Étienne (2024)")) == [
        "l",
        "ecole",
        "d",
        "ete",
        "a",
        "saint",
        "etienne",
        "2024",
    ]
    assert words(fold("a_b c:d e*f")) == ["a", "b", "c", "d", "e", "f"]


def test_map_leads_back_to_the_original_characters() -> None:
    folded = fold_with_map("Cœur d’École")
    assert folded.text == "coeur d'ecole"
    start = folded.text.index("coeur")
    assert folded.original_span(start, start + len("coeur")) == (0, 4)
    start = folded.text.index("ecole")
    assert folded.original[slice(*folded.original_span(start, start + 5))] == "École"


def test_a_dropped_accent_mark_stays_with_its_letter() -> None:
    folded = fold_with_map("une e\u0301cole.")
    start = folded.text.index("ecole")
    a, b = folded.original_span(start, start + 5)
    assert folded.original[a:b] == "e\u0301cole"


@given(st.text())
def test_folding_is_per_character_and_maps_every_folded_character(text: str) -> None:
    folded = fold_with_map(text)
    assert folded.text == fold(text)
    if folded.origin is not None:
        assert len(folded.origin) == len(folded.text) + 1
        assert list(folded.origin) == sorted(folded.origin)
        assert folded.origin[-1] == len(text)
    assert fold(folded.text) == folded.text  # folding twice changes nothing more
