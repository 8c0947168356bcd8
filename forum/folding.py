"""Accent- and case-insensitive text matching, for searching names, places and activities.

"Élodie", "elodie" and "ÉLODIE" fold to the same text; so do "cœur" and "coeur" (NFKD leaves
the œ/æ ligatures alone, hence the explicit table), and "l’école" and "l'ecole". Arabic
vowel marks (harakat) are combining characters too, so they are ignored as well.
"""

import unicodedata

# Letters that NFKD does not decompose but that people type in two ways.
LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "´": "'",
    }
)


def fold(text: str) -> str:
    """Lower-case, without accents or ligatures, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LIGATURES))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.translate(LIGATURES).split())


def terms(query: str) -> list[str]:
    """The folded words of a search query (every one of them must match)."""
    return fold(query).split()


def matches(query_terms: list[str], *haystacks: str) -> bool:
    """True when every term appears in at least one of the (unfolded) texts."""
    if not query_terms:
        return True
    folded = "\n".join(fold(text) for text in haystacks)
    return all(term in folded for term in query_terms)
