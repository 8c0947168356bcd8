"""Engines: a database file gets a pool as large as the worker threads, an in-memory one its
single connection (SQLAlchemy refuses pool sizes there)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, Table, select, text

from forum.db import POOL_SIZE, WORKER_THREADS, make_engine
from forum.models.base import UTCDateTime


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_databases_open(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_a_database_file_is_pooled_for_every_worker_thread(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sous-dossier' / 'forum.db'}")
    assert POOL_SIZE > WORKER_THREADS
    assert engine.pool.size() == POOL_SIZE  # type: ignore[attr-defined]
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        ("2026-11-27 14:05:09.123456", datetime(2026, 11, 27, 14, 5, 9, 123456, tzinfo=UTC)),
        ("2026-11-27 14:05:09", datetime(2026, 11, 27, 14, 5, 9, tzinfo=UTC)),
        # Text another tool wrote with an offset: the same instant, in UTC.
        ("2026-11-27T16:05:09+02:00", datetime(2026, 11, 27, 14, 5, 9, tzinfo=UTC)),
        ("2026-11-27 14:05:09Z", datetime(2026, 11, 27, 14, 5, 9, tzinfo=UTC)),
        ("2026-11-27", datetime(2026, 11, 27, tzinfo=UTC)),  # a date alone: midnight UTC
    ],
)
def test_sqlite_timestamps_are_read_back_aware_and_in_utc(
    tmp_path: Path, stored: str, read: datetime
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'forum.db'}")
    table = Table("moments", MetaData(), Column("at", UTCDateTime()))
    table.create(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO moments (at) VALUES (:at)"), {"at": stored})
        value = connection.execute(select(table.c.at)).scalar_one()
    assert value == read
    assert value.utcoffset() == timedelta(0)
    engine.dispose()
