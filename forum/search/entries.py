"""What search indexes (SearchEntry), what it is asked (SearchQuery) and what it answers."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["post", "topic", "document", "file"]
KINDS: tuple[Kind, ...] = ("post", "topic", "document", "file")

# A post shows its topic's title but does not index it: the topic's own entry does, once,
# so that a word of the title does not rank every reply of that topic above other matches.
TITLED_KINDS: frozenset[str] = frozenset({"topic", "document", "file"})

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class SearchEntry:
    """One searchable thing, as plain values (the backends know no forum model)."""

    kind: Kind
    object_id: int
    board_id: int  # the board whose visibility decides who finds it
    topic_id: int | None  # the topic it belongs to (a topic's own entry: its id)
    title: str
    body: str  # plain text, not Markdown or HTML
    author_id: int | None
    author_name: str
    created_at: datetime  # timezone-aware

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown search entry kind {self.kind!r}")
        if self.created_at.tzinfo is None:
            raise ValueError("SearchEntry.created_at must be timezone-aware")

    @property
    def indexed_title(self) -> str:
        """The title as indexed (weighted above the body); empty for posts."""
        return self.title if self.kind in TITLED_KINDS else ""


@dataclass(frozen=True)
class SearchQuery:
    """A search on behalf of someone: board_ids are the boards they may read, always given."""

    text: str
    board_ids: frozenset[int]  # required: results never come from any other board
    board_id: int | None = None  # narrow to one board (still within board_ids)
    author_id: int | None = None
    date_from: datetime | None = None  # inclusive, timezone-aware
    date_to: datetime | None = None  # exclusive, timezone-aware
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.board_ids, frozenset):
            raise TypeError("SearchQuery.board_ids must be the frozenset of visible board ids")
        if not 1 <= self.limit <= MAX_LIMIT or self.offset < 0:
            raise ValueError("SearchQuery limit must be 1..100 and offset >= 0")

    @property
    def boards(self) -> frozenset[int]:
        """The boards to look in: the visible ones, narrowed by the board filter."""
        if self.board_id is None:
            return self.board_ids
        return self.board_ids & {self.board_id}


@dataclass(frozen=True)
class SearchResult:
    """One thing found, with a snippet of its text ready to show."""

    kind: Kind
    object_id: int
    topic_id: int | None
    board_id: int
    title: str
    snippet_html: str  # HTML: the text escaped, the matched words in <mark>
    author_name: str
    created_at: datetime
    rank: float  # lower is better (bm25); 0 when the backend does not rank


@dataclass(frozen=True)
class SearchPage:
    """One page of results, best first; has_more says whether a next page exists."""

    results: list[SearchResult] = field(default_factory=list)
    has_more: bool = False
