"""Statements that run for every phone's track batch (several a second), compiled once per dialect and run on the
driver's cursor.

Why: a batch is a handful of small statements (its reads, its sequence numbers, its fixes, its event). Measured
in the server with the CPU's caches cold (a batch every 50 ms or more, as phones send), SQLAlchemy's execution of
one such statement (finding the compiled form, the execution context, its events, the result object) cost
0.1-0.2 ms, two to five times what the driver took to run it, and every listener on the event waited for that.
So these few statements are compiled by SQLAlchemy once per dialect into exactly the SQL and parameter style it
would send the driver, with SQLAlchemy's own conversion of each parameter and result column for its type
(``TypeEngine.dialect_impl(...).bind_processor`` / ``result_processor``, as SQLAlchemy applies them), and run
on the DB-API cursor of the caller's connection, inside the caller's transaction. What SQLAlchemy does around a
statement and the callers rely on is done too: given a session, what it holds is flushed first (its autoflush:
rows added before are there for the statement to read or to meet); the driver's errors are wrapped as SQLAlchemy
wraps them (``IntegrityError``, ``OperationalError``...), and a lost connection is invalidated, so the callers'
handling is the same (a transaction that lost its connection is Unavailable, and the pool makes a new one). What
is not done: SQLAlchemy's echo and its statement events do not see these statements.

What it refuses, when compiled (``ValueError``): an expanding ``in_`` list (its SQL depends on each run's list),
and an INSERT or UPDATE that leaves a column with a Python-side default to SQLAlchemy (give that column's value).
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound, StatementError
from sqlalchemy.orm import Session


class Precompiled:
    """``statement`` (a Core select, union, or INSERT / UPDATE, with RETURNING or not), run through the driver in
    ``where``'s transaction: an ORM ``Session`` (flushed first unless its autoflush is off, as its ``execute``
    would) or a SQLAlchemy ``Connection``.

    ``columns``: for an INSERT, the columns each row gives (every one of them, in every row). Rows come back as
    named tuples (by position or by the statement's column names), with the values SQLAlchemy's types give."""

    def __init__(self, statement, columns: tuple[str, ...] | None = None):
        self.statement = statement
        self.columns = columns
        self._by_dialect: dict[tuple, _Compiled] = {}

    def compiled(self, dialect) -> "_Compiled":
        """The statement's compiled form for ``dialect`` (made once)."""
        key = (type(dialect), dialect.server_version_info)
        found = self._by_dialect.get(key)
        if found is None:
            found = self._by_dialect[key] = _Compiled(self.statement, self.columns, dialect)
        return found

    def rows(self, where, params: dict[str, Any]) -> list[tuple]:
        """Every row of one run with ``params`` (a value for each parameter the statement names)."""
        conn = _connection(where)
        return self.compiled(conn.dialect).run(conn, params)

    def one_value(self, where, params: dict[str, Any]):
        """The first column of the one row a run gives (``NoResultFound`` / ``MultipleResultsFound`` otherwise)."""
        rows = self.rows(where, params)
        if not rows:
            raise NoResultFound("no row was found when one was required")
        if len(rows) > 1:
            raise MultipleResultsFound("multiple rows were found when exactly one was required")
        return rows[0][0]

    def run_many(self, where, many: list[dict[str, Any]]) -> None:
        """One run for each of ``many`` (the driver's executemany: an INSERT's rows); no result."""
        if many:
            conn = _connection(where)
            self.compiled(conn.dialect).run_many(conn, many)


def _connection(where):
    """The connection of ``where`` (a session, flushed first as its autoflush would; or a connection)."""
    if isinstance(where, Session):
        if where.autoflush:
            where.flush()
        return where.connection()
    return where


class _Compiled:
    """One statement's SQL for one dialect, how to make its parameters and how to read its rows."""

    def __init__(self, statement, columns, dialect):
        is_insert = getattr(statement, "is_insert", False)
        compiled = statement.compile(dialect=dialect, column_keys=list(columns) if columns else None,
                                     for_executemany=bool(is_insert))
        self.sql = compiled.string
        if "POSTCOMPILE" in self.sql:
            raise ValueError("Precompiled cannot run a statement with an expanding parameter (in_ of a list)")
        left = [c.name for c in (*getattr(compiled, "insert_prefetch", ()), *getattr(compiled, "update_prefetch", ()))]
        if left:
            raise ValueError(f"Precompiled: give the value of {', '.join(left)} (a Python-side default)")
        self.dialect = dialect
        self.error = dialect.loaded_dbapi.Error
        by_name = {}
        for bind, name in compiled.bind_names.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if name in by_name and (by_name[name][0], by_name[name][1]) != (bind.required, bind.effective_value):
                raise ValueError(f"Precompiled: two different parameters are named {name!r}")
            by_name[name] = (bind.required, None if bind.required else bind.effective_value, processor)
        names = list(compiled.positiontup) if compiled.positional else list(by_name)
        self.positional = compiled.positional
        self.params = [(name, *by_name[name]) for name in names]
        # a select's columns, or an INSERT / UPDATE's RETURNING columns (none without)
        selected = list(statement.selected_columns if hasattr(statement, "selected_columns")
                        else statement.exported_columns)
        self.types = [c.type.dialect_impl(dialect) for c in selected]
        try:
            self.row = namedtuple("Row", [c.name for c in selected]) if selected else None
        except ValueError:
            raise ValueError("Precompiled: the result columns need distinct names that are identifiers not starting "
                             f"with '_': {[c.name for c in selected]}") from None
        self._readers: dict[tuple, list] = {}   # result processors by the cursor's column type codes

    def _parameters(self, params: dict[str, Any]):
        values = []
        try:
            for name, required, fixed, processor in self.params:
                value = params[name] if required else params.get(name, fixed)
                values.append(processor(value) if processor is not None else value)
        except Exception as err:   # a value its type cannot take: as SQLAlchemy reports it
            raise StatementError(f"({type(err).__module__}.{type(err).__name__}) {err}", self.sql, params,
                                 err) from err
        return tuple(values) if self.positional else dict(zip((p[0] for p in self.params), values))

    def _fail(self, conn, cursor, err, params, many: bool):
        """Raise the driver's error as SQLAlchemy would; a lost connection is invalidated first (the pool replaces
        it; the caller's rollback then ends the transaction without it)."""
        lost = self.dialect.is_disconnect(err, conn.connection.dbapi_connection, cursor)
        if lost:
            conn.invalidate(err)
        raise DBAPIError.instance(self.sql, params, err, self.error, dialect=self.dialect, ismulti=many,
                                  connection_invalidated=lost) from err

    def run(self, conn, params: dict[str, Any]) -> list[tuple]:
        values = self._parameters(params)
        cursor = conn.connection.cursor()
        try:
            try:
                cursor.execute(self.sql, values)
                raw = cursor.fetchall() if self.row is not None else []
            except self.error as err:
                self._fail(conn, cursor, err, values, False)
            return self._read(cursor.description, raw) if raw else []
        finally:
            _close(cursor)

    def run_many(self, conn, many: list[dict[str, Any]]) -> None:
        values = [self._parameters(p) for p in many]
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(self.sql, values)
        except self.error as err:
            self._fail(conn, cursor, err, values, True)
        finally:
            _close(cursor)

    def _read(self, description, raw: list) -> list[tuple]:
        codes = tuple(d[1] for d in description)
        readers = self._readers.get(codes)
        if readers is None:
            readers = self._readers[codes] = [(i, f) for i, f in
                                              ((i, t.result_processor(self.dialect, code))
                                               for i, (t, code) in enumerate(zip(self.types, codes))) if f is not None]
        make = self.row._make
        if not readers:
            return [make(r) for r in raw]
        out = []
        for r in raw:
            r = list(r)
            for i, f in readers:
                r[i] = f(r[i])
            out.append(make(r))
        return out


def _close(cursor) -> None:
    try:
        cursor.close()
    except Exception:  # noqa: BLE001 - the cursor of a lost connection: what failed is raised, not this
        pass
