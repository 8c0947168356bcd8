"""Engines: a database file gets a pool as large as the worker threads, an in-memory one its
single connection (SQLAlchemy refuses pool sizes there)."""

from pathlib import Path

import pytest
from sqlalchemy import text

from forum.db import POOL_SIZE, WORKER_THREADS, make_engine


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
