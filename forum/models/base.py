"""Column types and helpers shared by the tables: UTC timestamps, the table of a model."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    Table,
    TypeDecorator,
)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        """On SQLite, the stored text read with `datetime.fromisoformat` (SQLAlchemy's own
        reading is a regular expression per value, and a topic page reads 80 timestamps)."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        slow = super().result_processor(dialect, coltype)

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            try:  # the text we write has no offset: read it as UTC in one step (4x faster
                moment = datetime.fromisoformat(value + "+00:00")  # than reading, then replace)
                if moment.tzinfo is not None:  # not a date alone ("2026-11-27+00:00" is naive)
                    return moment
            except (TypeError, ValueError):
                pass
            try:
                moment = datetime.fromisoformat(value)
            except (TypeError, ValueError):  # not the text SQLAlchemy writes: its own reading
                return slow(value) if slow is not None else value
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(nullable: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


def table_of(model: type[Any]) -> Table:
    """The Core table of a model, for statements built once and run on hot paths."""
    table: Table = model.__table__
    return table
