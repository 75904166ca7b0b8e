import threading
import time
from datetime import date, datetime

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from borough.core.metering import (
    CHARGEABLE_SERVICES,
    USAGE_SHARDS,
    DailyUsage,
    meter_record,
    usage_by_tenant,
    usage_for_tenant,
)
from borough.core.models import UsageRecord
from borough.core.tests.test_references import run_together
from borough.tenancy.models import TenantMismatch
from borough.tenancy.scope import all_tenants_scope, tenant_scope

MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


def meter(tenant, service="crm.case", quantity=1, on=MON):
    with tenant_scope(tenant):
        meter_record(tenant=tenant, service=service, quantity=quantity, on=on)


def rows(tenant):
    """(service, day, total over the day's shards)."""
    with tenant_scope(tenant):
        totals = UsageRecord.objects.values("service", "day").annotate(total=Sum("quantity"))
        return sorted((row["service"], row["day"], row["total"]) for row in totals)


def test_metering_adds_up_per_tenant_service_and_day(tenant_a):
    meter(tenant_a)
    meter(tenant_a, quantity=3)
    meter(tenant_a, on=TUE)
    meter(tenant_a, "channels.sms_segment", quantity=2)
    assert rows(tenant_a) == [("channels.sms_segment", MON, 2), ("crm.case", MON, 4), ("crm.case", TUE, 1)]


def test_a_busy_day_stays_a_few_rows(tenant_a):
    for _ in range(200):
        meter(tenant_a)
    with tenant_scope(tenant_a):
        day_rows = list(UsageRecord.objects.filter(service="crm.case", day=MON).values_list("shard", "quantity"))
    assert len(day_rows) <= USAGE_SHARDS
    assert all(0 <= shard < USAGE_SHARDS for shard, _ in day_rows)
    assert sum(quantity for _, quantity in day_rows) == 200


def test_metering_defaults_to_today(tenant_a):
    with tenant_scope(tenant_a):
        meter_record(tenant=tenant_a, service="payroll.payslip")
    assert rows(tenant_a) == [("payroll.payslip", timezone.localdate(), 1)]


def test_metering_is_part_of_the_callers_transaction(tenant_a):
    meter(tenant_a)
    with pytest.raises(RuntimeError), tenant_scope(tenant_a), transaction.atomic():
        meter_record(tenant=tenant_a, service="crm.case", on=MON)
        meter_record(tenant=tenant_a, service="revenues.bill", on=MON)
        raise RuntimeError("the bill run failed")
    assert rows(tenant_a) == [("crm.case", MON, 1)]


def test_an_unknown_service_is_refused(tenant_a):
    with (
        tenant_scope(tenant_a),
        pytest.raises(ValueError, match="Unknown chargeable service 'crm.cases': use one of"),
    ):
        meter_record(tenant=tenant_a, service="crm.cases")
    assert rows(tenant_a) == []


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True, "2", None])
def test_a_bad_quantity_is_refused(tenant_a, quantity):
    with (
        tenant_scope(tenant_a),
        pytest.raises(ValueError, match="quantity must be a whole number, at least 1"),
    ):
        meter_record(tenant=tenant_a, service="crm.case", quantity=quantity)


@pytest.mark.parametrize("on", ["2026-11-23", datetime(2026, 11, 23, 12)])
def test_a_day_that_is_not_a_date_is_refused(tenant_a, on):
    with tenant_scope(tenant_a), pytest.raises(TypeError, match="on must be a date"):
        meter_record(tenant=tenant_a, service="crm.case", on=on)


def test_metering_for_another_tenant_is_refused(tenant_a, tenant_b):
    with tenant_scope(tenant_b), pytest.raises(TenantMismatch, match="meter_record for northfield"):
        meter_record(tenant=tenant_a, service="crm.case")
    with pytest.raises(TenantMismatch):
        meter_record(tenant=tenant_a, service="crm.case")
    assert rows(tenant_a) == rows(tenant_b) == []


def test_every_chargeable_service_has_a_name_and_a_unit():
    for code, service in CHARGEABLE_SERVICES.items():
        module, _, thing = code.partition(".")
        assert module and thing, code
        assert service.name and service.unit, code
        assert len(code) <= UsageRecord._meta.get_field("service").max_length


def test_usage_by_tenant_totals_each_service_over_the_period(tenant_a, tenant_b):
    meter(tenant_a, quantity=2, on=MON)
    meter(tenant_a, quantity=3, on=WED)
    meter(tenant_a, "channels.email", quantity=7, on=TUE)
    meter(tenant_b, quantity=5, on=TUE)
    meter(tenant_b, quantity=100, on=date(2026, 11, 26))  # after the period
    with all_tenants_scope():
        assert usage_by_tenant(since=MON, until=WED) == {
            tenant_a.pk: {"channels.email": 7, "crm.case": 5},
            tenant_b.pk: {"crm.case": 5},
        }
        assert usage_by_tenant(since=TUE, until=TUE) == {
            tenant_a.pk: {"channels.email": 7},
            tenant_b.pk: {"crm.case": 5},
        }


def test_usage_by_tenant_runs_only_across_tenants(tenant_a):
    meter(tenant_a)
    with pytest.raises(PermissionError, match="inside all_tenants_scope"):
        usage_by_tenant(since=MON, until=WED)
    with tenant_scope(tenant_a), pytest.raises(PermissionError, match="inside all_tenants_scope"):
        usage_by_tenant(since=MON, until=WED)


def test_usage_for_tenant_gives_daily_rows_in_its_scope_only(tenant_a, tenant_b):
    meter(tenant_a, quantity=2, on=TUE)
    meter(tenant_a, "channels.sms_segment", quantity=4, on=MON)
    meter(tenant_a, on=MON)
    meter(tenant_b, quantity=9, on=MON)
    expected = [
        DailyUsage(MON, "channels.sms_segment", 4),
        DailyUsage(MON, "crm.case", 1),
        DailyUsage(TUE, "crm.case", 2),
    ]
    with tenant_scope(tenant_a):
        assert usage_for_tenant(tenant=tenant_a, since=MON, until=WED) == expected
        assert usage_for_tenant(tenant=tenant_a, since=TUE, until=TUE) == expected[2:]
        assert expected[0].service_name == "SMS segments sent"
    with all_tenants_scope():
        assert usage_for_tenant(tenant=tenant_a, since=MON, until=WED) == expected
    with tenant_scope(tenant_b), pytest.raises(PermissionError, match="inside tenant_scope.northfield"):
        usage_for_tenant(tenant=tenant_a, since=MON, until=WED)
    with pytest.raises(PermissionError):
        usage_for_tenant(tenant=tenant_a, since=MON, until=WED)


def test_a_period_that_ends_before_it_starts_is_refused(tenant_a):
    with (
        all_tenants_scope(),
        pytest.raises(ValueError, match="starts .2026-11-25. after it ends .2026-11-23."),
    ):
        usage_by_tenant(since=WED, until=MON)
    with tenant_scope(tenant_a), pytest.raises(ValueError, match="after it ends"):
        usage_for_tenant(tenant=tenant_a, since=WED, until=MON)


@pytest.mark.django_db(transaction=True)
def test_concurrent_metering_loses_nothing(on_postgres, tenant_a):
    def work():
        with tenant_scope(tenant_a):  # a thread starts with no scope of its own
            for _ in range(25):
                meter_record(tenant=tenant_a, service="channels.sms_segment", quantity=2, on=MON)

    assert run_together(*[work] * 4) == []
    assert rows(tenant_a) == [("channels.sms_segment", MON, 200)]


@pytest.mark.django_db(transaction=True)
def test_losing_the_race_to_insert_keeps_the_callers_transaction_usable(on_postgres, tenant_a):
    """B meters while A has inserted the day's row but not committed: B's insert fails, it adds instead."""
    a_inserted = threading.Event()

    def thread_a():
        with tenant_scope(tenant_a), transaction.atomic():
            meter_record(tenant=tenant_a, service="crm.case", quantity=1, on=MON)
            a_inserted.set()
            time.sleep(0.5)  # B finds no row to update, tries to insert and waits for this transaction

    def thread_b():
        assert a_inserted.wait(10)
        with tenant_scope(tenant_a), transaction.atomic():
            meter_record(tenant=tenant_a, service="crm.case", quantity=10, on=MON)
            meter_record(tenant=tenant_a, service="revenues.bill", quantity=1, on=MON)  # still usable

    assert run_together(thread_a, thread_b) == []
    assert rows(tenant_a) == [("crm.case", MON, 11), ("revenues.bill", MON, 1)]
