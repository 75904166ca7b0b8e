"""The service-level sweep: flag breaches and escalate breaching cases to their team's supervisors.

Run every few minutes per tenant (borough.crm.tasks.crm_sla_sweep). Idempotent: each case is flagged as breached
once and escalated once (a conditional UPDATE decides, so two sweeps at once cannot both write the timeline), and
a sweep that stops half way is simply finished by the next one. Escalated cases are what the "breaching" queue
shows (borough.crm.selectors.case_queue).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from borough.core.audit import audit_record
from borough.crm.calc.sla import BREACHING_SOON, sla_state
from borough.crm.models import Case, CaseEvent, TeamMember
from borough.crm.services import case_event
from borough.crm.settings import crm_calendar, crm_settings
from borough.crm.transitions import WORKING_STATUSES

CHUNK = 1000


@dataclass(frozen=True)
class SweepResult:
    breached: int
    escalated: int

    def as_dict(self) -> dict[str, int]:
        return {"breached": self.breached, "escalated": self.escalated}


def _supervisors(case: Case) -> list[str]:
    if case.team_id is None:
        return []
    members = TeamMember.objects.filter(tenant_id=case.tenant_id, team_id=case.team_id, is_supervisor=True)
    return sorted(members.values_list("user__username", flat=True))


def _local(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B %Y at %H:%M}"


def _flag_breach(case: Case, now: datetime) -> bool:
    with transaction.atomic():
        won = Case.objects.filter(tenant_id=case.tenant_id, pk=case.pk, breached_at__isnull=True).update(
            breached_at=F("due_at"), escalated_at=now
        )
        if not won:
            return False
        supervisors = _supervisors(case)
        case_event(
            case,
            CaseEvent.Kind.SLA,
            body=f"Service level breached: the case was due {_local(case.due_at)}. Escalated to supervisors.",
            data={"state": "breached", "due_at": case.due_at.astimezone(UTC).isoformat(), "supervisors": supervisors},
            at=now,
        )
        audit_record(tenant=case.tenant, action="case.sla_breach", obj=case, detail={"supervisors": supervisors})
    return True


def _escalate(case: Case, now: datetime, percent: int, steps: tuple[str, ...]) -> bool:
    with transaction.atomic():
        won = Case.objects.filter(tenant_id=case.tenant_id, pk=case.pk, escalated_at__isnull=True).update(
            escalated_at=now
        )
        if not won:
            return False
        supervisors = _supervisors(case)
        case_event(
            case,
            CaseEvent.Kind.SLA,
            body=f"Breaching soon: {percent}% of the time to the due time is used. Escalated to supervisors.",
            data={"state": BREACHING_SOON, "used_percent": percent, "steps": list(steps), "supervisors": supervisors},
            at=now,
        )
        audit_record(tenant=case.tenant, action="case.sla_escalate", obj=case, detail={"used_percent": percent})
    return True


def case_sla_sweep(*, tenant, now: datetime | None = None) -> SweepResult:
    """Flag every working case of `tenant` past its due time, and escalate those breaching soon."""
    now = now or timezone.now()
    settings = crm_settings(tenant)
    calendar = crm_calendar(tenant, settings)
    working = Case.objects.filter(tenant=tenant, status__in=WORKING_STATUSES).select_related("tenant")
    # Overdue and running, or paused only after it was already due (a pause does not undo a breach).
    overdue = working.filter(breached_at__isnull=True, due_at__lt=now).filter(
        Q(sla_paused_at__isnull=True) | Q(sla_paused_at__gt=F("due_at"))
    )
    breached = sum(_flag_breach(case, now) for case in overdue.order_by("due_at").iterator(chunk_size=CHUNK))
    escalated = 0
    running = working.filter(
        breached_at__isnull=True, escalated_at__isnull=True, sla_paused_at__isnull=True, due_at__gte=now
    )
    fields = ("id", "tenant", "created_at", "due_at", "sla_paused_at", "team_id", "reference")
    for case in running.only(*fields).order_by("due_at").iterator(chunk_size=CHUNK):
        state = sla_state(now, case.created_at, case.due_at, None, settings.near_breach_percent, calendar)
        if state.state == BREACHING_SOON:
            escalated += _escalate(case, now, state.used_percent, state.steps)
    return SweepResult(breached, escalated)
