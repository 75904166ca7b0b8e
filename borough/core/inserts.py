"""The statements every case creation runs, made cheap (ADR 0020).

`insert_row(obj)` writes what `obj.save()` would for a new object, with the statement built once per model instead
of by Django's SQL compiler on every call; `run_prepared(sql, params)` runs a fixed statement; `fetch_prepared(model,
sql, params)` reads the first row of a fixed query as a model instance. On PostgreSQL all three are bound and prepared
on the server, so each is planned once per connection. Only for models whose `save` adds
nothing but the tenant check, which `insert_row` makes too; pre_save and post_save are sent as `save` sends them.
"""

from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connections
from django.db.models import AutoField, BigAutoField, Model, signals
from psycopg.pq import ExecStatus

TUPLES_OK = ExecStatus.TUPLES_OK

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
    check_scope = getattr(obj, "check_scope", None)
    if check_scope is not None:
        check_scope()
    model = type(obj)
    if signals.pre_save.has_listeners(model):
        signals.pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    connection = connections[using]
    sql, fields = _statement(model, connection, ignore_conflicts)
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    row, _count = run_prepared(sql, params, using=using)
    if row is None:
        return obj  # a conflict, ignored
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = using
    if signals.post_save.has_listeners(model):  # as save() would (borough.channels.receivers listens)
        signals.post_save.send(sender=model, instance=obj, created=True, raw=False, using=using, update_fields=None)
    return obj
