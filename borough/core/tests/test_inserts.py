"""borough.core.inserts (ADR 0020): `insert_row` writes exactly the row `save()` writes, with the same checks,
signals and errors; `run_prepared` runs a fixed statement and says how many rows it touched; `fetch_prepared` reads
a row as the ORM reads it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import signals
from django.forms.models import model_to_dict
from django.utils import timezone
from django_scopes import ScopeError

from borough.core.inserts import fetch_prepared, insert_row, model_columns, run_prepared
from borough.core.models import OutboxMessage, UsageRecord
from borough.crm.models import Case, Interaction
from borough.crm.tests.case_factories import make_service
from borough.tenancy.models import TenantMismatch
from borough.tenancy.scope import reads_of_tenant_allowed, tenant_scope

pytestmark = pytest.mark.django_db


MOMENT = timezone.now()


def a_case(tenant, service, reference: str) -> Case:
    now = MOMENT
    return Case(
        tenant=tenant,
        reference=reference,
        service=service,
        channel="web",
        description="Bin not emptied – “twice”",
        answers={"bin_type": "general", "days": [1, 2]},
        latitude=Decimal("52.123456"),
        longitude=Decimal("-1.5"),
        postcode="NF1 2AB",
        priority="normal",
        created_at=now,
        due_at=now,
    )


def stored(case: Case) -> dict:
    row = model_to_dict(Case.objects.get(pk=case.pk), exclude=["id", "reference", "updated_at"])
    return row


def test_a_row_inserted_reads_back_exactly_as_one_saved(tenant_a):
    with tenant_scope(tenant_a):
        service = make_service(tenant_a)
        saved = a_case(tenant_a, service, "NFD-000001")
        saved.save()
        inserted = insert_row(a_case(tenant_a, service, "NFD-000002"))
        assert inserted.pk is not None and inserted.pk != saved.pk
        assert not inserted._state.adding
        assert stored(inserted) == stored(saved)
        assert Case.objects.get(pk=inserted.pk).updated_at is not None  # auto_now, as save() sets it


def test_another_tenants_row_is_refused_like_save(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        message = OutboxMessage(tenant=tenant_b, kind="email.smtp", idempotency_key="k", payload={})
        with pytest.raises(TenantMismatch):
            insert_row(message)
    with tenant_scope(tenant_b):
        assert not OutboxMessage.objects.exists()


def test_a_unique_constraint_raises_djangos_integrity_error_and_can_be_ignored(tenant_a):
    with tenant_scope(tenant_a):
        insert_row(OutboxMessage(tenant=tenant_a, kind="email.smtp", idempotency_key="once", payload={"n": 1}))
        with pytest.raises(IntegrityError), transaction.atomic():
            insert_row(OutboxMessage(tenant=tenant_a, kind="email.smtp", idempotency_key="once", payload={"n": 2}))
        ignored = insert_row(
            OutboxMessage(tenant=tenant_a, kind="email.smtp", idempotency_key="once", payload={"n": 3}),
            ignore_conflicts=True,
        )
        assert ignored.pk is None
        assert list(OutboxMessage.objects.values_list("payload", flat=True)) == [{"n": 1}]


def test_post_save_is_sent_as_save_sends_it(tenant_a):
    seen = []

    def listener(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    signals.post_save.connect(listener, sender=Interaction)
    try:
        with tenant_scope(tenant_a):
            interaction = insert_row(Interaction(tenant=tenant_a, channel="web", direction="in", summary="Hello"))
    finally:
        signals.post_save.disconnect(listener, sender=Interaction)
    assert seen == [(interaction.pk, True)]


def test_run_prepared_returns_the_first_row_and_the_rows_touched(tenant_a):
    with tenant_scope(tenant_a):
        today = timezone.localdate()
        UsageRecord.objects.create(tenant=tenant_a, service="crm.case", day=today, shard=0, quantity=1)
        table = UsageRecord._meta.db_table
        update = f"UPDATE {table} SET quantity = quantity + %s WHERE tenant_id = %s AND shard = %s"  # noqa: S608
        assert run_prepared(update, [2, tenant_a.pk, 0]) == (None, 1)
        assert run_prepared(update, [2, tenant_a.pk, 7]) == (None, 0)
        row, _count = run_prepared(f"SELECT quantity FROM {table} WHERE tenant_id = %s", [tenant_a.pk])  # noqa: S608
        assert row == (3,)


def test_a_row_fetched_by_hand_is_the_row_the_orm_reads(tenant_a):
    # A JSON field, decimals and datetimes come back converted exactly as the ORM converts them (SQLite too).
    with tenant_scope(tenant_a):
        service = make_service(tenant_a)
        case = a_case(tenant_a, service, "NFD-000010")
        case.save()
        sql = f"SELECT {model_columns(Case)} FROM crm_case WHERE crm_case.id = %s"  # noqa: S608
        fetched = fetch_prepared(Case, sql, [case.pk])
        assert fetched is not None and not fetched._state.adding
        assert model_to_dict(fetched) == model_to_dict(Case.objects.get(pk=case.pk))
        assert fetched.answers == {"bin_type": "general", "days": [1, 2]}
        assert fetch_prepared(Case, sql, [case.pk + 1000]) is None


def test_reads_by_hand_are_checked_like_scoped_queries(tenant_a, tenant_b):
    with pytest.raises(ScopeError):
        reads_of_tenant_allowed(tenant_a.pk)
    with tenant_scope(tenant_a):
        assert reads_of_tenant_allowed(tenant_a.pk)
        assert not reads_of_tenant_allowed(tenant_b.pk)


def test_statements_run_by_hand_are_prepared_on_postgresql_and_the_orms_are_not(tenant_a):
    # Django turns prepared statements off unless told (prepare_threshold); psycopg then ignores `prepare=True`.
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with tenant_scope(tenant_a):
        table = UsageRecord._meta.db_table
        count = f"SELECT count(*) FROM {table} WHERE tenant_id = %s"  # noqa: S608
        run_prepared(count, [tenant_a.pk])
        run_prepared(count, [tenant_a.pk])
        for _ in range(6):
            UsageRecord.objects.filter(tenant=tenant_a).count()
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
            prepared = dict(cursor.fetchall())
    assert prepared[count.replace("%s", "$1")] == 2  # prepared once, planned for both runs
    assert not any("COUNT(*)" in statement for statement in prepared)  # the ORM's, bound client-side
