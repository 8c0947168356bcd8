"""Alembic migrations build exactly the schema the models describe, and upgrading is idempotent."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import forum.models  # noqa: F401  (registers every table on SQLModel.metadata)
from forum.db import MIGRATIONS_DIR, has_schema, make_engine, migrate
from forum.search.tables import is_fts_table  # also registers search_docs on the metadata


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty SQLite file of this test's own."""
    value = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
    yield value
    value.dispose()


def head_revisions() -> set[str]:
    """Every head: features add their own branch from a common base, migrate() upgrades all."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    assert heads
    return heads


def not_fts(name: str | None, type_: str, _parents: object) -> bool:
    """Leave out the FTS5 search table and its shadow tables: made by hand, not in the models."""
    return not (type_ == "table" and is_fts_table(name))


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "render_as_batch": True,
                "include_name": not_fts,
            },
        )
        return list(compare_metadata(context, SQLModel.metadata))


def schema(engine: Engine) -> dict[str, Any]:
    """Tables with their columns, indexes, foreign keys and unique constraints, as reflected."""
    inspector = inspect(engine)
    return {
        table: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ],
            "indexes": sorted(
                (i["name"] or "", tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], str(f.get("options")))
                for f in inspector.get_foreign_keys(table)
            ),
            "unique": sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
        }
        for table in sorted(inspector.get_table_names())
    }


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def test_empty_database_has_no_schema(engine: Engine) -> None:
    assert not has_schema(engine)
    assert differences(engine), "the comparison sees a missing schema"


def test_upgrade_head_matches_the_models(engine: Engine) -> None:
    migrate(engine)
    assert has_schema(engine)
    assert differences(engine) == []
    assert current_revisions(engine) == head_revisions()
    tables = {t for t in schema(engine) if not is_fts_table(t)} - {"alembic_version"}
    assert tables == set(SQLModel.metadata.tables)


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    migrate(engine)
    before = schema(engine)
    migrate(engine)
    assert schema(engine) == before
    assert current_revisions(engine) == head_revisions()
    assert differences(engine) == []


def test_foreign_keys_say_what_happens_on_delete(engine: Engine) -> None:
    migrate(engine)
    inspector = inspect(engine)
    on_delete = {
        (table, tuple(fk["constrained_columns"])): (fk.get("options") or {}).get("ondelete")
        for table in inspector.get_table_names()
        for fk in inspector.get_foreign_keys(table)
    }
    assert on_delete[("memberships", ("user_id",))] == "CASCADE"
    assert on_delete[("boards", ("group_id",))] == "SET NULL"
    assert on_delete[("auth_sessions", ("user_id",))] == "CASCADE"
    assert on_delete[("posts", ("topic_id",))] == "CASCADE"
    assert on_delete[("posts", ("reply_to_id",))] == "SET NULL"
    assert on_delete[("post_revisions", ("post_id",))] == "CASCADE"
    # Boards with topics are refused deletion rather than emptied by a cascade.
    assert on_delete[("topics", ("board_id",))] is None
