"""The service-level sweep: breaches flagged once, breaching-soon cases escalated once, paused and finished cases
left alone; the "breaching" queue shows what was escalated; the periodic task covers every active CRM tenant."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.crm.models import Case, CaseEvent
from borough.crm.selectors import case_queue
from borough.crm.sla import case_sla_sweep
from borough.crm.tasks import crm_sla_sweep, crm_sla_sweep_due
from borough.crm.tests.case_factories import add_member, make_service, new_case
from borough.tenancy.scope import tenant_scope
from borough.tenancy.services import tenant_suspend

pytestmark = pytest.mark.django_db


def shaped(case: Case, **fields) -> Case:
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(catalogue):
    """Cases in every service-level situation, made relative to now (whatever day and hour the test runs)."""
    tenant = catalogue["tenant"]
    now = timezone.now()
    with tenant_scope(tenant):

        def case(service="missed_bin", **fields):
            made = new_case(tenant, catalogue[service], answers={"bin_type": "general"}, postcode="NF1 2AB")
            return shaped(made, **fields)

        made = {
            "overdue": case(created_at=now - timedelta(days=30), due_at=now - timedelta(days=2)),
            "nearly": case(created_at=now - timedelta(days=365), due_at=now + timedelta(days=1)),
            "fresh": case(due_at=now + timedelta(days=60)),
            "paused_in_time": case(
                created_at=now - timedelta(days=30),
                due_at=now - timedelta(days=2),
                status="waiting_on_resident",
                sla_paused_at=now - timedelta(days=20),
            ),
            "paused_too_late": case(
                created_at=now - timedelta(days=30),
                due_at=now - timedelta(days=10),
                status="waiting_on_resident",
                sla_paused_at=now - timedelta(days=5),
            ),
            "resolved_late": case(due_at=now - timedelta(days=2), status="resolved", resolved_at=now),
            "highways_overdue": case(
                service="pothole", created_at=now - timedelta(days=30), due_at=now - timedelta(days=1)
            ),
        }
        yield {**catalogue, **made, "now": now}


def test_the_sweep_flags_and_escalates_once(cases):
    tenant = cases["tenant"]
    with tenant_scope(tenant), acting_as(Actor.system("sweep")):
        result = case_sla_sweep(tenant=tenant)
        assert result.as_dict() == {"breached": 3, "escalated": 1}
        overdue = Case.objects.get(pk=cases["overdue"].pk)
        assert overdue.breached_at == overdue.due_at and overdue.escalated_at is not None
        nearly = Case.objects.get(pk=cases["nearly"].pk)
        assert nearly.breached_at is None and nearly.escalated_at is not None
        for untouched in ("fresh", "paused_in_time", "resolved_late"):
            case = Case.objects.get(pk=cases[untouched].pk)
            assert (case.breached_at, case.escalated_at) == (None, None), untouched
        assert Case.objects.get(pk=cases["paused_too_late"].pk).breached_at is not None

        again = case_sla_sweep(tenant=tenant)
        assert again.as_dict() == {"breached": 0, "escalated": 0}
        sla_events = CaseEvent.objects.filter(kind="sla")
        assert sla_events.count() == 4
        assert sla_events.get(case=cases["overdue"]).body.startswith("Service level breached: the case was due ")
        soon = sla_events.get(case=cases["nearly"])
        assert soon.body.startswith("Breaching soon: ") and soon.data["used_percent"] >= 80
        assert AuditEvent.objects.filter(action="case.sla_breach").count() == 3
        assert AuditEvent.objects.filter(action="case.sla_escalate").count() == 1


def test_a_nearly_due_case_that_breaches_later_is_flagged_then_too(cases):
    tenant = cases["tenant"]
    with tenant_scope(tenant):
        case_sla_sweep(tenant=tenant)
        shaped(cases["nearly"], due_at=timezone.now() - timedelta(minutes=1))
        assert case_sla_sweep(tenant=tenant).as_dict() == {"breached": 1, "escalated": 0}
        assert CaseEvent.objects.filter(case=cases["nearly"], kind="sla").count() == 2


def test_the_breaching_queue_shows_escalated_cases_to_their_supervisors(cases, make_staff):
    tenant = cases["tenant"]
    supervisor = make_staff(tenant, roles=("crm.agent", "crm.supervisor"), username="waste-supervisor")
    agent = make_staff(tenant, roles=("crm.agent",), username="agent")
    with tenant_scope(tenant):
        add_member(cases["waste"], supervisor, supervisor=True)
        add_member(cases["waste"], agent)
        case_sla_sweep(tenant=tenant)
        everyone = {c.pk for c in case_queue(tenant=tenant, queue="breaching")}
        assert everyone == {cases[k].pk for k in ("overdue", "nearly", "paused_too_late", "highways_overdue")}
        mine = [c.pk for c in case_queue(tenant=tenant, queue="breaching", user=supervisor)]
        assert set(mine) == everyone - {cases["highways_overdue"].pk}
        assert mine[0] == cases["paused_too_late"].pk  # the most overdue first
        assert {c.pk for c in case_queue(tenant=tenant, queue="breaching", user=agent)} == everyone


def test_the_task_runs_in_its_tenants_scope_and_the_beat_dispatches_every_crm_tenant(cases, tenant_b, make_tenant):
    tenant = cases["tenant"]
    assert crm_sla_sweep.delay(tenant_id=tenant.pk).get() == {"breached": 3, "escalated": 1}
    with tenant_scope(tenant_b):
        late = new_case(tenant_b, make_service(tenant_b, "graffiti"), description="Graffiti on the bridge")
        shaped(late, due_at=timezone.now() - timedelta(hours=1))
    make_tenant("bakery", kind="business")  # no CRM
    suspended = make_tenant("eastmoor")
    with acting_as(Actor.system("test")):
        tenant_suspend(tenant=suspended, reason="Unpaid invoices")
    assert crm_sla_sweep_due.delay().get() == 2
    with tenant_scope(tenant_b):
        assert Case.objects.get(pk=late.pk).breached_at is not None
    assert settings.CELERY_BEAT_SCHEDULE["crm-sla-sweep"] == {
        "task": "borough.crm.tasks.crm_sla_sweep_due",
        "schedule": 300.0,
    }
    assert crm_sla_sweep_due.name == "borough.crm.tasks.crm_sla_sweep_due"
