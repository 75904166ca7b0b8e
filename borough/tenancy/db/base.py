"""PostgreSQL backend that keeps the connection's row-level-security setting in step with the tenant scope.

`borough.tenant_id` holds the tenant the connection acts for ('' for none, 'all' for the provider's audited
cross-tenant path); the RLS policies read it. It is a session setting, changed whenever a scope is entered or left
and re-applied when Django opens a new connection, because Django runs in autocommit: a `SET LOCAL` would last one
statement (docs/adr/0003).
"""

import psycopg
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def init_connection_state(self):
        super().init_connection_state()
        self.apply_tenant_setting()

    def apply_tenant_setting(self) -> None:
        from borough.tenancy.scope import database_tenant

        value = database_tenant.get()
        wanted = "" if value is None else str(value)
        # Prepared (ADR 0020): every request runs it twice, entering and leaving the tenant's scope.
        with psycopg.Cursor(self.connection) as cursor:
            cursor.execute("SELECT set_config('borough.tenant_id', %s, false)", [wanted], prepare=True)
