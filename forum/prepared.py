"""Statements built once, compiled once per database, run on the driver's own cursor.

The busiest pages (a topic, a board, and the session lookup of every request) run a handful
of short SELECTs each. Through SQLAlchemy's `Connection.execute`, each costs about ten times
what the driver spends on it: cache keys, parameter processing, result metadata and row
objects, about 100 µs a statement here against 5 to 20 µs for SQLite's own work. A
`Prepared` statement is compiled by SQLAlchemy once per dialect (and per length of its
`expanding` IN lists), keeps the SQL text, the order of its parameters and the type
conversions of its parameters and columns (timestamps: the same processors SQLAlchemy would
apply), then runs on the DBAPI cursor of the session's connection: in the session's own
transaction, with the same connection's settings, for SQLite and PostgreSQL alike.

Only for SELECTs that read; writes keep going through the session. The engine's
`before_cursor_execute` listeners are called as for any statement; an error is the driver's
own (sqlite3's or psycopg's), not wrapped in SQLAlchemy's exceptions.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.sql import Select
from sqlmodel import Session

Row = tuple[Any, ...]
Processor = Callable[[Any], Any]


@dataclass
class _Plan:
    """A statement compiled for one dialect and one set of IN-list lengths."""

    sql: str
    positional: bool  # qmark / format paramstyles: a tuple of values in `names` order
    names: tuple[str, ...]  # the parameters in the SQL, IN lists expanded, in order
    expansion: tuple[tuple[str, tuple[str, ...]], ...]  # a list parameter -> its SQL names
    fixed: dict[str, Any]  # parameters whose value is part of the statement
    binds: tuple[tuple[str, Processor], ...]  # parameters needing a conversion
    # Result columns needing a conversion: known once the driver has described the columns
    # (PostgreSQL's numbers are converted according to the type the server reports).
    columns: tuple[tuple[int, Processor], ...] | None = None


class Prepared:
    """A SELECT run on the cursor of a session's connection; rows are plain tuples.

    Parameters are given by name, as to `Connection.execute`, all of them on every call; a
    parameter declared with `bindparam(name, expanding=True)` takes a list (not empty:
    callers skip the query). Not supported (refused when the statement is built): IN lists
    of tuples.
    """

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        binds = statement.compile().binds.values()
        if any(bind.expanding and bind.type._is_tuple_type for bind in binds):
            raise ValueError("Prepared does not run IN lists of tuples")
        # The IN lists given by the caller (a list written in the statement is part of it).
        self._expanding = tuple(
            sorted({bind.key for bind in binds if bind.expanding and bind.required})
        )
        self._plans: dict[tuple[str, str, tuple[int, ...]], _Plan] = {}

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[Row]:
        """Every row of the result."""
        connection = session.connection()
        dialect = connection.dialect
        lengths = tuple(len(params[name]) for name in self._expanding)
        key = (dialect.name, dialect.driver, lengths)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._compile(dialect, params)
        values = {**plan.fixed, **params}
        for name, expanded in plan.expansion:
            values.update(zip(expanded, values.pop(name), strict=True))
        for name, process in plan.binds:
            values[name] = process(values[name])
        arguments = tuple(values[name] for name in plan.names) if plan.positional else values
        cursor = connection.connection.cursor()
        try:
            listeners = connection.dispatch.before_cursor_execute
            if listeners:  # tools that watch the SQL (statement counts in the tests) see it too
                listeners(connection, cursor, plan.sql, arguments, None, False)
            cursor.execute(plan.sql, arguments)
            rows: list[Row] = list(cursor.fetchall())
            columns = plan.columns
            if columns is None:
                columns = plan.columns = self._result_processors(dialect, cursor.description)
        finally:
            cursor.close()
        if columns:
            rows = [_converted(row, columns) for row in rows]
        return rows

    def _compile(self, dialect: Dialect, params: Mapping[str, Any]) -> _Plan:
        compiled = self.statement.compile(dialect=dialect)
        state = compiled.construct_expanded_state(dict(params), escape_names=False)
        names = tuple(state.positiontup or state.parameters)
        expansion = tuple(
            (name, tuple(state.parameter_expansion[name])) for name in self._expanding
        )
        given = {name for name in params if name not in self._expanding}
        given.update(expanded for _name, names_of in expansion for expanded in names_of)
        missing = given - set(names)
        if missing:  # a statement this class does not know how to run
            raise ValueError(f"parameters {sorted(missing)} are not in the SQL")
        # The statement's own values (`coalesce(x, 0)`'s 0), fixed when it was built.
        fixed = {name: state.parameters[name] for name in names if name not in given}
        processors = dict(state.processors)  # the expanded IN lists' values
        for name, bind in compiled.binds.items():
            if not bind.expanding:
                process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    processors[name] = process
        binds = tuple(
            (name, processors[name])
            for name in dict.fromkeys(names)  # a parameter may appear twice in the SQL
            if name in processors
        )
        return _Plan(
            sql=state.statement,
            positional=state.positiontup is not None,
            names=names,
            expansion=expansion,
            fixed=fixed,
            binds=binds,
        )

    def _result_processors(
        self, dialect: Dialect, description: Sequence[Sequence[Any]]
    ) -> tuple[tuple[int, Processor], ...]:
        columns = []
        for index, column in enumerate(self.statement.selected_columns):
            type_code = description[index][1]
            process = column.type.dialect_impl(dialect).result_processor(dialect, type_code)
            if process is not None:
                columns.append((index, process))
        return tuple(columns)


def _converted(raw: Row, columns: Sequence[tuple[int, Processor]]) -> Row:
    row = list(raw)
    for index, process in columns:
        row[index] = process(row[index])
    return tuple(row)
