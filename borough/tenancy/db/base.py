"""PostgreSQL backend that keeps the connection's row-level-security setting in step with the tenant scope.

`borough.tenant_id` holds the tenant the connection acts for ('' for none, 'all' for the provider's audited
cross-tenant path); the RLS policies read it. It is a session setting, because Django runs in autocommit: a `SET
LOCAL` would last one statement (docs/adr/0003).

It is set just before a statement runs, when the scope wants another value than the connection holds (ADR 0022):
every Django cursor and every statement through it checks, and so do the hand-run statements of
borough.core.inserts. Entering or leaving a scope runs nothing, so a request for the tenant whose request the
connection served last sets nothing at all. A rollback can undo the setting (a setting changed inside a transaction
or savepoint goes back with it), so after one the connection's value counts as unknown and is set again.
"""

import psycopg
from django.db.backends.postgresql import base

UNKNOWN = None


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant_setting_held: str | None = UNKNOWN
        self.execute_wrappers.append(self._tenant_setting_first)

    def init_connection_state(self):
        self.tenant_setting_held = UNKNOWN
        super().init_connection_state()

    def create_cursor(self, name=None):
        cursor = super().create_cursor(name)
        if not self.needs_rollback:  # a broken transaction refuses the statement itself, as Django says
            self.apply_tenant_setting()  # also for what bypasses execute() (COPY through cursor.cursor)
        return cursor

    def _tenant_setting_first(self, execute, sql, params, many, context):
        self.validate_no_broken_transaction()  # as the statement itself would, before anything is sent
        self.apply_tenant_setting()
        return execute(sql, params, many, context)

    def apply_tenant_setting(self) -> None:
        """Make the connection act for the current scope's tenant, unless it already does."""
        from borough.tenancy.scope import database_tenant

        value = database_tenant.get()
        wanted = "" if value is None else str(value)
        if self.tenant_setting_held == wanted or self.connection is None or hasattr(self, "_rolling_back"):
            return
        self.tenant_setting_held = UNKNOWN  # until PostgreSQL has taken it
        with self.wrap_database_errors, psycopg.Cursor(self.connection) as cursor:
            cursor.execute("SELECT set_config('borough.tenant_id', %s, false)", [wanted], prepare=True)
        self.tenant_setting_held = wanted

    def _rollback(self):
        self.tenant_setting_held = UNKNOWN
        super()._rollback()

    def _savepoint_rollback(self, sid):
        # Sent on an aborted transaction, so nothing may go first; the setting is then unknown until the next one.
        self.tenant_setting_held = self._rolling_back = UNKNOWN
        try:
            super()._savepoint_rollback(sid)
        finally:
            del self._rolling_back

    def _close(self):
        self.tenant_setting_held = UNKNOWN
        super()._close()
