"""Snippets: a window of the original text around the matches, escaped, matches in <mark>.

Matches are found on the folded text (where "ecol" matches "école") and mapped back to the
original characters, so the snippet shows the text as written, accents and ligatures
included. Everything is HTML-escaped before the <mark> tags are added.
"""

import re
from collections.abc import Sequence
from html import escape

from forum.search.folding import WORD, fold_with_map
from forum.search.query import Term

WINDOW = 30  # words shown
LEAD = 6  # words shown before the first match of the window
MAX_SOURCE = 20_000  # characters of a long text that are looked at (keeps snippets fast)
SPACES = re.compile(r"\s+")
ELLIPSIS = "…"


def _hits(tokens: Sequence[str], terms: Sequence[Term]) -> list[bool]:
    """For each token, whether it belongs to an occurrence of one of the terms."""
    exact = {t.words[0] for t in terms if len(t.words) == 1 and not t.prefix}
    prefixes = tuple(t.words[0] for t in terms if len(t.words) == 1 and t.prefix)
    hit = [token in exact or token.startswith(prefixes) for token in tokens]
    for term in terms:
        size = len(term.words)
        if size == 1:
            continue
        *head, last = term.words
        for start in range(len(tokens) - size + 1):
            if tokens[start] != head[0]:
                continue
            candidate = tokens[start : start + size]
            if candidate[:-1] == head and (
                candidate[-1].startswith(last) if term.prefix else candidate[-1] == last
            ):
                hit[start : start + size] = [True] * size
    return hit


def _best_window(hit: Sequence[bool], size: int) -> int:
    """The first token of the window of `size` tokens holding the most hits."""
    positions = [i for i, flag in enumerate(hit) if flag]
    if not positions:
        return 0
    best_start, best_count = positions[0], 0
    right = 0
    for left, first in enumerate(positions):
        while right < len(positions) and positions[right] < first + size - LEAD:
            right += 1
        if right - left > best_count:
            best_start, best_count = first, right - left
    return max(0, best_start - LEAD)


def _text(segment: str) -> str:
    return escape(SPACES.sub(" ", segment))


def snippet_html(text: str, terms: Sequence[Term], window: int = WINDOW) -> str:
    """About `window` words of text around its best matches, as safe HTML."""
    folded = fold_with_map(text[:MAX_SOURCE])
    found = list(WORD.finditer(folded.text))
    if not found:
        return _text(text[:200].strip())
    hit = _hits([m.group() for m in found], terms)
    first = _best_window(hit, window)
    last = min(len(found), first + window)
    spans = [folded.original_span(m.start(), m.end()) for m in found[first:last]]
    out = [ELLIPSIS] if first > 0 else []
    position = spans[0][0]
    for (start, end), marked in zip(spans, hit[first:last], strict=True):
        out.append(_text(folded.original[position:start]))
        word = escape(folded.original[start:end])
        out.append(f"<mark>{word}</mark>" if marked and word else word)
        position = max(position, end)
    if last < len(found) or len(text) > MAX_SOURCE:
        out.append(ELLIPSIS)
    return "".join(out).strip()
