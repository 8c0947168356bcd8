"""Turn what a member typed into a safe FTS5 MATCH expression (and the terms to highlight).

Every token is double-quoted, so nothing the member types is an FTS5 operator: AND, OR,
NOT, NEAR are words, and ^ * : ( ) - + are separators. Terms are ANDed; a term of two
characters or more matches as a prefix (ecol → école, écoles); "a quoted phrase" (or
«  une citation ») matches exactly, in order. French elisions (l', d', qu'…) and the most
common short words are dropped outside phrases, since they are in almost every message.
Empty or punctuation-only input gives an empty query, which finds nothing, without error.
"""

from dataclasses import dataclass

from forum.search.folding import WORD, fold_with_map

MAX_INPUT = 1000  # characters read from the input
MAX_TERMS = 12  # terms kept (phrases count as one)
MAX_PHRASE_WORDS = 12
MAX_WORD = 64  # a longer word is cut and matched as a prefix
MIN_PREFIX = 2

QUOTES = str.maketrans(dict.fromkeys("«»“”„‟″＂", '"'))
ELISIONS = frozenset(
    {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)
STOP_WORDS = frozenset(
    "a au aux de des du en et la le les ou un une".split()
)  # fmt: skip


@dataclass(frozen=True)
class Term:
    """One thing to find: a word, or a phrase of words in this order; maybe a prefix."""

    words: tuple[str, ...]  # folded
    prefix: bool
    raw: str  # as typed, lower-cased (for backends that cannot fold, e.g. LIKE)

    def fts5(self) -> str:
        """This term in FTS5 query syntax: "word"* or "a phrase"."""
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class ParsedQuery:
    """The terms of a query; no terms means there is nothing to look for."""

    terms: tuple[Term, ...]

    @property
    def is_empty(self) -> bool:
        """True when the input held no word: the search answers nothing."""
        return not self.terms

    def match_expression(self) -> str | None:
        """The FTS5 MATCH expression (terms ANDed), or None for an empty query."""
        return " AND ".join(term.fts5() for term in self.terms) or None


def _word(word: str, raw: str, *, may_prefix: bool) -> Term:
    if len(word) > MAX_WORD:
        return Term((word[:MAX_WORD],), prefix=True, raw=raw[:MAX_WORD])
    return Term((word,), prefix=may_prefix and len(word) >= MIN_PREFIX, raw=raw)


def parse_query(text: str) -> ParsedQuery:
    """Parse a member's input; never raises, whatever the input."""
    folded = fold_with_map(text[:MAX_INPUT].translate(QUOTES))
    chunks = folded.text.split('"')
    # An even number of chunks means an unmatched quote: its text is read as plain words.
    closed = len(chunks) % 2 == 1
    phrases: list[Term] = []
    plain: list[Term] = []
    offset = 0
    for number, chunk in enumerate(chunks):
        matches = list(WORD.finditer(chunk))
        spans = [folded.original_span(offset + m.start(), offset + m.end()) for m in matches]
        raws = [folded.original[a:b].lower() for a, b in spans]
        quoted = number % 2 == 1 and (closed or number < len(chunks) - 1)
        if quoted and matches:
            kept = [m.group()[:MAX_WORD] for m in matches[:MAX_PHRASE_WORDS]]
            last = min(len(matches), MAX_PHRASE_WORDS) - 1
            raw = folded.original[spans[0][0] : spans[last][1]].lower()
            phrases.append(Term(tuple(kept), prefix=False, raw=raw))
        elif not quoted:
            for match, raw in zip(matches, raws, strict=True):
                elided = chunk[match.end() : match.end() + 1] == "'"
                if elided and match.group() in ELISIONS:
                    continue
                plain.append(_word(match.group(), raw, may_prefix=True))
        offset += len(chunk) + 1
    meaningful = [t for t in plain if t.words[0] not in STOP_WORDS]
    if meaningful or phrases:
        plain = meaningful
    else:  # only short common words: look for them exactly
        plain = [Term(t.words, prefix=False, raw=t.raw) for t in plain]
    unique: dict[tuple[tuple[str, ...], bool], Term] = {}
    for term in [*phrases, *plain]:
        unique.setdefault((term.words, term.prefix), term)
    return ParsedQuery(tuple(unique.values())[:MAX_TERMS])
