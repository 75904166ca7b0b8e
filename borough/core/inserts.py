"""The statements every case creation runs, made cheap (ADR 0020).

`insert_row(obj)` writes what `obj.save()` would for a new object, with the statement built once per model instead
of by Django's SQL compiler on every call; `run_prepared(sql, params)` runs a fixed statement; `fetch_prepared(model,
sql, params)` reads the first row of a fixed query as a model instance. On PostgreSQL all three are bound and prepared
on the server, so each is planned once per connection. Only for models whose `save` adds
nothing but the tenant check, which `insert_row` makes too; pre_save and post_save are sent as `save` sends them.
`insert_later(obj)` inside a `rows_written_together()` block waits, and the block's rows go in one statement.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import psycopg
from django.db import connections
from django.db.models import AutoField, BigAutoField, Model, signals
from psycopg import _queries as psycopg_queries
from psycopg.pq import ExecStatus

TUPLES_OK = ExecStatus.TUPLES_OK

# psycopg keeps its conversion of a statement's %s placeholders only for statements of at most 4096 bytes and 50
# parameters, and converts any other one again on every run; rows written together pass both, and converting them
# again cost more Python than the round trips they save. Raised, for a few such statements (a test holds it).
psycopg_queries.MAX_CACHED_STATEMENT_LENGTH = max(psycopg_queries.MAX_CACHED_STATEMENT_LENGTH, 32768)
psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = max(psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, 400)

_statements: dict[tuple[type[Model], str, bool], tuple[str, list]] = {}


def _statement(model: type[Model], connection, ignore_conflicts: bool) -> tuple[str, list]:
    key = (model, connection.alias, ignore_conflicts)
    statement = _statements.get(key)
    if statement is None:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if not isinstance(f, AutoField | BigAutoField)]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        conflicts = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}){conflicts} "  # noqa: S608 - names from the model
            f"RETURNING {quote(meta.pk.column)}"
        )
        statement = _statements[key] = (sql, fields)
    return statement


def run_prepared(sql: str, params: Sequence[Any], *, using: str = "default") -> tuple[tuple | None, int]:
    """Run `sql` (with %s placeholders): its first row (None if it returns none) and the number of rows it
    wrote (for an INSERT, UPDATE or DELETE). On PostgreSQL it is prepared on the server; elsewhere it runs through
    Django's cursor. Errors are Django's (IntegrityError, ...), as from any query."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return (cursor.fetchone() if cursor.description else None), cursor.rowcount
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    apply_tenant_setting = getattr(connection, "apply_tenant_setting", None)
    if apply_tenant_setting is not None:  # row-level security's tenant, as Django's cursors set it (ADR 0022)
        apply_tenant_setting()
    with connection.wrap_database_errors:
        cursor = _cursor_of(connection)
        cursor.execute(sql, params, prepare=True)
        # The result's status, not `description`, which builds a Column per field to say the same.
        return (cursor.fetchone() if cursor.pgresult.status == TUPLES_OK else None), cursor.rowcount


def _cursor_of(connection) -> psycopg.Cursor:
    """One server-side-binding cursor per driver connection, kept: making one copies the connection's adapters."""
    cursor = getattr(connection, "_prepared_cursor", None)
    if cursor is None or cursor.connection is not connection.connection or cursor.closed:
        cursor = connection._prepared_cursor = psycopg.Cursor(connection.connection)
    return cursor


_readers: dict[tuple[type[Model], str], tuple[str, list[str], list[tuple[Any, list]]]] = {}


def model_columns(model: type[Model], alias: str = "default") -> str:
    """The select list of every concrete column of `model` (qualified by its table), for `fetch_prepared`."""
    return _reader(model, alias)[0]


def _reader(model: type[Model], alias: str) -> tuple[str, list[str], list[tuple[Any, list]]]:
    reader = _readers.get((model, alias))
    if reader is None:
        connection = connections[alias]
        quote = connection.ops.quote_name
        table = model._meta.db_table
        fields = list(model._meta.concrete_fields)
        columns = ", ".join(f"{quote(table)}.{quote(field.column)}" for field in fields)
        converters = []
        for field in fields:  # as Django's compiler converts each value it reads (JSON text, SQLite dates, ...)
            column = field.get_col(table)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            converters.append((column, found))
        reader = _readers[(model, alias)] = (columns, [field.attname for field in fields], converters)
    return reader


def fetch_prepared[M: Model](model: type[M], sql: str, params: Sequence[Any], *, using: str = "default") -> M | None:
    """The first row of `sql` as an instance of `model` (None when there is none). `sql` must select
    `model_columns(model)` first, in that order."""
    row, _count = run_prepared(sql, params, using=using)
    if row is None:
        return None
    _columns, names, converters = _reader(model, using)
    connection = connections[using]
    values = []
    for value, (column, functions) in zip(row, converters, strict=False):
        for convert in functions:
            value = convert(value, column, connection)
        values.append(value)
    return model.from_db(using, names, values)


def insert_row[M: Model](obj: M, *, using: str = "default", ignore_conflicts: bool = False) -> M:
    """Insert `obj` (not yet saved), set its primary key and return it: the same row `obj.save()` writes. With
    `ignore_conflicts`, a row that would break a unique constraint is not written and `obj.pk` stays None."""
    sql, params = _row_to_write(obj, using, ignore_conflicts)
    row, _count = run_prepared(sql, params, using=using)
    return _written(obj, None if row is None else row[0], using)


def _row_to_write(obj: Model, using: str, ignore_conflicts: bool) -> tuple[str, list]:
    """The checks and pre_save of `save()`, then the statement and its parameters (the object's values now)."""
    check_scope = getattr(obj, "check_scope", None)
    if check_scope is not None:
        check_scope()
    model = type(obj)
    if signals.pre_save.has_listeners(model):
        signals.pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    connection = connections[using]
    sql, fields = _statement(model, connection, ignore_conflicts)
    return sql, [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]


def _written[M: Model](obj: M, pk: Any, using: str) -> M:
    if pk is None:
        return obj  # a conflict, ignored
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using
    model = type(obj)
    if signals.post_save.has_listeners(model):  # as save() would (borough.channels.receivers listens)
        signals.post_save.send(sender=model, instance=obj, created=True, raw=False, using=using, update_fields=None)
    return obj


# Rows whose writing waits for the end of a `rows_written_together` block: (object, statement, parameters).
_waiting_rows: ContextVar[list[tuple[Model, str, list]] | None] = ContextVar("waiting_rows", default=None)


def insert_later[M: Model](obj: M, *, using: str = "default") -> M:
    """`insert_row(obj)`, or, inside a `rows_written_together` block, the same row written as the block ends, with
    the block's other rows. Until then `obj.pk` is None: only for rows nothing in the block needs the key of."""
    waiting = _waiting_rows.get()
    if waiting is None or using != "default":
        return insert_row(obj, using=using)
    sql, params = _row_to_write(obj, using, ignore_conflicts=False)  # checked, and its values taken, now
    waiting.append((obj, sql, params))
    return obj


@contextmanager
def rows_written_together() -> Iterator[None]:
    """Rows given to `insert_later` inside the block are written as it ends (inside the caller's transaction): in
    one statement on PostgreSQL, so a request that writes a person, a case, its timeline, its interactions and their
    audit events sends a few statements instead of a dozen (ADR 0020). An exception in the block writes nothing."""
    token = _waiting_rows.set([])
    try:
        yield
        waiting = _waiting_rows.get() or []
    finally:
        _waiting_rows.reset(token)
    if waiting:
        _write_together(waiting)


_together: dict[tuple[str, ...], str] = {}


def _write_together(waiting: list[tuple[Model, str, list]], using: str = "default") -> None:
    connection = connections[using]
    if connection.vendor != "postgresql" or len(waiting) == 1:
        for obj, sql, params in waiting:
            row, _count = run_prepared(sql, params, using=using)
            _written(obj, None if row is None else row[0], using)
        return
    statements = tuple(sql for _obj, sql, _params in waiting)
    sql = _together.get(statements)
    if sql is None:  # each INSERT ... RETURNING id a data-modifying WITH query; one row of every new id
        parts = ", ".join(f"row{number} AS ({statement})" for number, statement in enumerate(statements))
        ids = ", ".join(f"(SELECT * FROM row{number})" for number in range(len(statements)))  # noqa: S608
        sql = _together[statements] = f"WITH {parts} SELECT {ids}"
    row, _count = run_prepared(sql, [value for _obj, _sql, params in waiting for value in params], using=using)
    for (obj, _sql, _params), pk in zip(waiting, row, strict=True):
        _written(obj, pk, using)
