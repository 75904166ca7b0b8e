"""Case statuses: which changes are allowed, and what each change does to the case's dates and service-level
clock. The one place for these rules; services, the desk, the portal and the API all ask here.

- A working case (new, open, in progress, waiting on the resident or a third party) may move to any other
  working status, or be resolved or closed.
- A resolved case may be closed, or reopened to open.
- A closed case is reopened only through `case_reopen` (with a reason, within the tenant's reopen period).

Entering "waiting on resident" pauses the service-level clock; leaving it, for any status, resumes it with the
working time that was left (borough.crm.calc.sla.resume_due). Reopening starts a fresh service level.
"""

from datetime import datetime

from borough.core.calc.working_days import WorkingCalendar
from borough.crm.calc.sla import SlaTarget, due_time, resume_due
from borough.crm.models import Case

Status = Case.Status

WORKING_STATUSES = frozenset(
    {Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_RESIDENT, Status.WAITING_ON_THIRD_PARTY}
)
DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})
REOPENABLE = DONE_STATUSES

_WORK = frozenset(WORKING_STATUSES - {Status.NEW}) | DONE_STATUSES
ALLOWED: dict[str, frozenset[str]] = {
    Status.NEW: _WORK,
    Status.OPEN: _WORK - {Status.OPEN},
    Status.IN_PROGRESS: _WORK - {Status.IN_PROGRESS},
    Status.WAITING_ON_RESIDENT: _WORK - {Status.WAITING_ON_RESIDENT},
    Status.WAITING_ON_THIRD_PARTY: _WORK - {Status.WAITING_ON_THIRD_PARTY},
    Status.RESOLVED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.CLOSED: frozenset(),  # reopened only through case_reopen
}


def can_transition(from_status: str, to_status: str) -> bool:
    """Whether `case_transition` may move a case from one status to the other."""
    return to_status in ALLOWED.get(from_status, frozenset())


def refusal(from_status: str, to_status: str) -> str:
    """Why a change is not allowed, in words for the person who asked for it."""
    labels = dict(Status.choices)
    if to_status not in labels:
        return f"{to_status!r} is not a status: use one of {', '.join(Status.values)}"
    if from_status == to_status:
        return f"The case is already {labels[to_status].lower()}."
    if from_status == Status.CLOSED:
        return "A closed case cannot change status: reopen it, giving a reason."
    allowed = sorted(labels[s].lower() for s in ALLOWED.get(from_status, ()))
    return (
        f"A case that is {labels[from_status].lower()} cannot become {labels[to_status].lower()}; "
        f"it can become: {', '.join(allowed)}."
    )


def service_target(case: Case) -> SlaTarget:
    return SlaTarget(case.service.sla_amount, case.service.sla_unit)


def apply_transition(case: Case, to_status: str, *, now: datetime, calendar: WorkingCalendar) -> tuple[str, ...]:
    """Change `case` (not saved) to `to_status` with its dates and clock; return the service-level steps, if any.

    The caller has checked the change: with `can_transition`, or (case_reopen) that the case is in REOPENABLE.
    """
    steps: tuple[str, ...] = ()
    from_status = case.status
    if from_status == Status.WAITING_ON_RESIDENT and case.sla_paused_at is not None:
        resumed = resume_due(case.due_at, case.sla_paused_at, now, calendar)
        case.due_at, case.sla_paused_at, steps = resumed.due_at, None, resumed.steps
    if to_status == Status.WAITING_ON_RESIDENT:
        case.sla_paused_at = now
        steps = ("The service-level clock is paused while the case waits on the resident.",)
    if to_status == Status.RESOLVED:
        case.resolved_at, case.closed_at = now, None
    elif to_status == Status.CLOSED:
        case.resolved_at, case.closed_at = case.resolved_at or now, now
    elif from_status in DONE_STATUSES:
        # Reopened: the case is worked again against a fresh service level.
        due = due_time(now, service_target(case), calendar)
        case.resolved_at = case.closed_at = case.breached_at = case.escalated_at = None
        case.due_at, steps = due.due_at, ("Reopened, so the service level starts again.", *due.steps)
        case.reopen_count += 1
    case.status = to_status
    return steps
