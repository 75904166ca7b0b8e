"""Objects the direct debit, refund and mandate report pages point at, for the isolation sweep
(borough.tenancy.sweep; imported by borough/revenues/tests/sweep_factories.py)."""

import hashlib

import pytest

from borough.core.audit import Actor, acting_as
from borough.revenues.models import BacsReport, BacsReportItem
from borough.revenues.tests.factories import make_account
from borough.tenancy.scope import tenant_scope
from borough.tenancy.sweep import SWEEP_FACTORIES, sweep_factory


@sweep_factory("revenues:direct_debit_new", "revenues:direct_debit_cancel", "revenues:refund")
def an_account_for_direct_debit(tenant):
    with acting_as(Actor.system("sweep")):
        return {"number": make_account(tenant).number}


def _report(tenant) -> BacsReport:
    sha = hashlib.sha256(f"sweep-report-{tenant.pk}".encode()).hexdigest()
    report, _created = BacsReport.objects.get_or_create(
        tenant=tenant, sha256=sha, defaults={"kind": BacsReport.Kind.ADDACS, "name": "sweep.xml"}
    )
    return report


@sweep_factory("revenues_payments:report")
def a_bacs_report(tenant):
    return {"pk": _report(tenant).pk}


@sweep_factory("revenues_payments:report_item_resolve")
def a_bacs_report_item(tenant):
    report = _report(tenant)
    item = BacsReportItem.objects.create(
        tenant=tenant,
        report=report,
        position=report.items.count() + 1,
        raw="<MessagingAdvice />",
        status=BacsReportItem.Status.REVIEW,
        outcome="The advice has no reference, so it names no direct debit",
    )
    return {"pk": item.pk}


@pytest.mark.django_db
def test_the_factories_make_their_objects(tenant_a):
    with tenant_scope(tenant_a):
        for name in ("revenues:refund", "revenues_payments:report", "revenues_payments:report_item_resolve"):
            assert SWEEP_FACTORIES[name](tenant_a)
        assert BacsReportItem.objects.get().report == BacsReport.objects.get()
