"""Row-level security on PostgreSQL: one policy per tenant-owned table, applied by `borough migrate`.

Every table of a TenantOwnedModel gets ENABLE + FORCE ROW LEVEL SECURITY and the policy `tenant_isolation`: a row is
visible and writable only when its tenant_id equals the connection's `borough.tenant_id` setting (or that setting is
'all', the provider's audited cross-tenant path). With no setting, nothing is visible.
"""

from django.apps import apps
from django.db import connection

from borough.tenancy.models import TenantOwnedModel

POLICY_NAME = "tenant_isolation"
TENANT_SETTING = "current_setting('borough.tenant_id', true)"
POLICY_EXPRESSION = f"(tenant_id = NULLIF(NULLIF({TENANT_SETTING}, ''), 'all')::bigint OR {TENANT_SETTING} = 'all')"


def tenant_owned_models() -> list[type[TenantOwnedModel]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, TenantOwnedModel) and model._meta.managed and not model._meta.proxy
    ]


def policy_statements(table: str) -> list[str]:
    quoted = connection.ops.quote_name(table)
    return [
        f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {quoted}",
        f"CREATE POLICY {POLICY_NAME} ON {quoted} USING {POLICY_EXPRESSION} WITH CHECK {POLICY_EXPRESSION}",
    ]


def apply_row_level_security(cursor) -> None:
    for model in tenant_owned_models():
        for statement in policy_statements(model._meta.db_table):
            cursor.execute(statement)


def grant_to_app_role(cursor, role: str) -> None:
    """The app role reads and writes rows but owns nothing, so the policies bind it."""
    quoted = connection.ops.quote_name(role)
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {quoted}")
    cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
    # The audit log is append-only: a trigger refuses UPDATE and DELETE, and the app role lacks the privilege too.
    # So is the provider's log of cross-tenant access.
    cursor.execute(f"REVOKE UPDATE, DELETE ON core_auditevent, provider_provideraccesslog FROM {quoted}")


def tables_with_policy(cursor) -> set[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
        "WHERE c.relrowsecurity AND c.relforcerowsecurity AND p.polname = %s",
        [POLICY_NAME],
    )
    return {row[0] for row in cursor.fetchall()}
