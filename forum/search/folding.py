"""Folding text for search: accents, ligatures, case, apostrophes and dashes, kept reversible.

The same folding runs at indexing and at query time, so that école, École and ecole, or
œuvre and oeuvre, are one word. FTS5's `unicode61 remove_diacritics 2` folds accents but
not œ/æ, hence this module. `fold_with_map` also remembers, for every folded character,
which original character it came from: snippets are cut and highlighted in the original
text although matches are found in the folded one (folding changes lengths: œ → oe).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

APOSTROPHES = frozenset("'’ʼ‘‛′´")
DASHES = frozenset("‐‑‒–—―−⁃﹘﹣－")
# Letters that NFKD does not decompose into a base letter and a mark.
SPECIAL = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}

# One token as FTS5's unicode61 tokenizer sees it in folded text: a run of letters and
# digits (its default token categories are L*, N* and Co; everything else separates).
WORD = re.compile(r"(?:[^\W_]|[\ue000-\uf8ff])+")


@lru_cache(maxsize=8192)
def fold_char(char: str) -> str:
    """The folded form of one character (possibly empty, possibly several characters)."""
    if char in APOSTROPHES:
        return "'"
    if char in DASHES:
        return "-"
    decomposed = unicodedata.normalize("NFKD", char).lower()
    return "".join(
        SPECIAL.get(part, part) for part in decomposed if not unicodedata.combining(part)
    )


def fold(text: str) -> str:
    """Fold text for indexing or querying: école → ecole, Œuvre → oeuvre, ’ → '."""
    if text.isascii():
        return text.lower()
    return "".join(map(fold_char, text))


@dataclass(frozen=True)
class FoldedText:
    """A folded text and, for each of its characters, the index of its original character."""

    original: str
    text: str
    origin: tuple[int, ...] | None  # None: same positions (ASCII); else len(text) + 1 items

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that produced folded text[start:end]."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end]


NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold_with_map(text: str) -> FoldedText:
    """Fold text, keeping the way back to the original positions."""
    if text.isascii():
        return FoldedText(original=text, text=text.lower(), origin=None)
    parts: list[str] = []
    origin: list[int] = []
    done = 0
    for run in NON_ASCII.finditer(text):  # ASCII stretches fold in one go, in place
        parts.append(text[done : run.start()].lower())
        origin.extend(range(done, run.start()))
        for index in range(run.start(), run.end()):
            folded = fold_char(text[index])
            parts.append(folded)
            origin.extend([index] * len(folded))
        done = run.end()
    parts.append(text[done:].lower())
    origin.extend(range(done, len(text)))
    # A mark dropped by folding (e + U+0301) belongs to the character before it: the end of
    # a span is the origin of the next folded character, or the end of the original text.
    origin.append(len(text))
    return FoldedText(original=text, text="".join(parts), origin=tuple(origin))


def words(folded: str) -> list[str]:
    """The tokens of a folded text, as the FTS5 tokenizer cuts them."""
    return WORD.findall(folded)
