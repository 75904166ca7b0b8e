"""The second layer of tenancy: PostgreSQL row-level security, proven with raw SQL that bypasses the ORM."""

import psycopg
import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from borough.core.inserts import run_prepared
from borough.core.models import AuditEvent
from borough.tenancy.rls import tables_with_policy, tenant_owned_models
from borough.tenancy.scope import all_tenants_scope, no_tenant_scope, tenant_scope
from conftest import service_missing


@pytest.fixture
def app_role(on_postgres):
    """The tests only prove something when the app connects as a role that RLS binds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        superuser, bypass = cursor.fetchone()
    if superuser or bypass:
        service_missing("the app connects as a superuser; set DATABASE_URL to the non-owner role (see .ci/run)")


def count_rows(table: str, where: str = "", params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} {where}", params)  # noqa: S608 - test-only fixed names
        return cursor.fetchone()[0]


def test_the_app_role_owns_no_tenant_table(app_role):
    tables = [model._meta.db_table for model in tenant_owned_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE tableowner = current_user AND tablename = ANY(%s)",
            [tables],
        )
        assert cursor.fetchall() == []


def test_raw_sql_without_the_tenant_setting_sees_no_rows(app_role, tenant_a, tenant_b):
    with all_tenants_scope():
        assert count_rows("core_auditevent") >= 2  # the rows are there...
    assert count_rows("core_auditevent") == 0  # ...but not to a connection acting for no tenant
    assert count_rows("identity_membership") == 0


def test_raw_sql_with_tenant_a_setting_sees_none_of_tenant_b(app_role, tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        assert count_rows("core_auditevent", "WHERE tenant_id = %s", [tenant_a.pk]) >= 1
        assert count_rows("core_auditevent", "WHERE tenant_id = %s", [tenant_b.pk]) == 0
        assert count_rows("identity_membership", "WHERE tenant_id <> %s", [tenant_a.pk]) == 0


def test_writing_a_row_for_another_tenant_is_refused_by_the_database(app_role, tenant_a, tenant_b):
    with (
        tenant_scope(tenant_a),
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO core_referencecounter (tenant_id, sequence, last_value) VALUES (%s, 'x', 0)",
            [tenant_b.pk],
        )


def test_the_audit_log_refuses_update_and_delete(app_role, tenant_a):
    with tenant_scope(tenant_a):
        for statement in ("UPDATE core_auditevent SET action = 'tampered'", "DELETE FROM core_auditevent"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
        assert count_rows("core_auditevent", "WHERE action = 'tampered'") == 0


def test_every_tenant_owned_table_has_its_policy(on_postgres):
    with connection.cursor() as cursor:
        protected = tables_with_policy(cursor)
    missing = sorted({m._meta.db_table for m in tenant_owned_models()} - protected)
    assert missing == [], f"tenant-owned tables without the RLS policy: {missing}"


def test_the_audit_log_has_its_append_only_trigger(on_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditevent'::regclass AND NOT tgisinternal")
        assert ("audit_append_only",) in cursor.fetchall()


def test_the_app_role_redacts_audit_events_only_through_the_function_and_only_its_tenants(app_role, tenant_a, tenant_b):
    from borough.core.audit import REDACTED

    with tenant_scope(tenant_a):
        event = AuditEvent.objects.filter(tenant=tenant_a).order_by("pk").first()
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('borough.audit_redacting', 'on', true)")
            cursor.execute("UPDATE core_auditevent SET object_repr = 'tampered'")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT borough_audit_redact(%s, %s, %s)", [tenant_b.pk, [event.pk], []])
        with connection.cursor() as cursor:
            cursor.execute("SELECT borough_audit_redact(%s, %s, %s)", [tenant_a.pk, [event.pk], []])
            assert cursor.fetchone()[0] == 1
        redacted = AuditEvent.objects.get(pk=event.pk)
    assert redacted.object_repr == REDACTED and (redacted.action, redacted.object_id) == (event.action, event.object_id)
    assert all(pair == [REDACTED, REDACTED] for pair in redacted.changes.values())


@pytest.fixture
def tenant_settings_sent(monkeypatch):
    """The values of borough.tenant_id sent to PostgreSQL, in order."""
    sent = []
    execute = psycopg.Cursor.execute

    def recording(cursor, query, params=None, **kwargs):
        if "set_config('borough.tenant_id'" in str(query):
            sent.append(params[0])
        return execute(cursor, query, params, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", recording)
    return sent


def test_a_connection_sets_its_tenant_just_before_a_statement_and_only_when_it_changes(
    app_role, tenant_a, tenant_b, tenant_settings_sent
):
    with tenant_scope(tenant_a):
        count_rows("core_auditevent")
    with tenant_scope(tenant_a), tenant_scope(tenant_b), no_tenant_scope():
        pass  # scopes entered and left with no statement send nothing
    with tenant_scope(tenant_a):  # the next request for the same tenant
        assert count_rows("core_auditevent", "WHERE tenant_id = %s", [tenant_a.pk]) >= 1
    assert tenant_settings_sent[-1:] == [str(tenant_a.pk)]
    with tenant_scope(tenant_b):
        assert count_rows("core_auditevent", "WHERE tenant_id = %s", [tenant_a.pk]) == 0
    assert count_rows("core_auditevent") == 0  # outside every scope, the connection acts for no tenant again
    assert tenant_settings_sent[-2:] == [str(tenant_b.pk), ""]


def test_statements_run_by_hand_act_for_the_scope_too(app_role, tenant_a, tenant_b):
    audit = "SELECT count(*) FROM core_auditevent WHERE tenant_id = %s"
    with tenant_scope(tenant_b):
        assert count_rows("core_auditevent", "WHERE tenant_id = %s", [tenant_b.pk]) >= 1
    with tenant_scope(tenant_a):
        assert run_prepared(audit, [tenant_b.pk])[0] == (0,)
        assert run_prepared(audit, [tenant_a.pk])[0][0] >= 1
    with tenant_scope(tenant_b):
        assert run_prepared(audit, [tenant_b.pk])[0][0] >= 1


@pytest.mark.django_db(transaction=True)
def test_a_rollback_that_undoes_the_tenant_setting_is_followed_by_setting_it_again(app_role, tenant_a, tenant_b):
    # A setting changed inside a transaction goes back with its rollback: the connection must not go on believing it
    # acts for the tenant it set there.
    with tenant_scope(tenant_a):
        count_rows("core_auditevent")  # outside any transaction: the connection acts for tenant A
    with tenant_scope(tenant_b):
        with transaction.atomic():
            assert count_rows("core_auditevent", "WHERE tenant_id = %s", [tenant_b.pk]) >= 1
            transaction.set_rollback(True)
        # PostgreSQL is back to tenant A's setting here; the next statement puts tenant B's back.
        assert count_rows("core_auditevent", "WHERE tenant_id = %s", [tenant_a.pk]) == 0
        assert count_rows("core_auditevent", "WHERE tenant_id = %s", [tenant_b.pk]) >= 1
