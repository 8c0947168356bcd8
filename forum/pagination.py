"""Page numbers: reading ?page=, counting pages, and finding the page of an item."""

from dataclasses import dataclass


def parse_page(raw: str | None) -> int:
    """The page number asked for in a query string; anything unusable means the first page."""
    if raw is None or not raw.isdigit() or len(raw) > 9:
        return 1
    return max(int(raw), 1)


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill (at least one, so that an empty list has a page)."""
    return max((total + per_page - 1) // per_page, 1)


def page_of(position: int, per_page: int) -> int:
    """The page holding the item at a 1-based position."""
    return (max(position, 1) - 1) // per_page + 1


@dataclass(frozen=True)
class Pagination:
    """Where a page sits among the others; numbers past the end are brought back to the last."""

    number: int
    count: int

    @classmethod
    def of(cls, requested: int, total: int, per_page: int) -> "Pagination":
        """The page `requested` of `total` items, clamped to the pages that exist."""
        count = page_count(total, per_page)
        return cls(number=min(max(requested, 1), count), count=count)

    def offset(self, per_page: int) -> int:
        """How many items come before this page."""
        return (self.number - 1) * per_page

    @property
    def previous(self) -> int | None:
        """The previous page number, if any."""
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The next page number, if any."""
        return self.number + 1 if self.number < self.count else None
