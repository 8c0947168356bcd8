"""Alembic environment: runs on the connection forum.db.migrate() hands over."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import forum.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from forum.search.tables import is_fts_table  # also registers search_docs on the metadata

target_metadata = SQLModel.metadata


def run() -> None:
    """Run migrations on the given connection, or on a URL for offline tooling."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        url = context.config.get_main_option("sqlalchemy.url")
        assert url, "set sqlalchemy.url or pass a connection"
        with create_engine(url).begin() as own:
            _configure_and_run(own)
    else:
        _configure_and_run(connection)


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    # The FTS5 table and its shadow tables are made by hand (migration 0004_search).
    return not (type_ == "table" and is_fts_table(name))


def _configure_and_run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
