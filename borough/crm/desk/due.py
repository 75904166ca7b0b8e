"""A case's service level as the desk shows it: a tag (on track, breaching soon, breached, paused, met, missed),
the due time, and the steps that explain both, from the CRM's service-level rules (borough.crm.calc.sla)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from borough.core.calc.working_days import WorkingCalendar
from borough.crm.calc.sla import due_time, sla_state
from borough.crm.models import Case
from borough.crm.settings import crm_calendar, crm_settings
from borough.crm.transitions import service_target

TAGS = {
    "on_track": ("On track", "govuk-tag--green"),
    "breaching_soon": ("Breaching soon", "govuk-tag--orange"),
    "breached": ("Breached", "govuk-tag--red"),
    "paused": ("Paused: waiting on the resident", "govuk-tag--grey"),
    "met": ("Met", "govuk-tag--green"),
    "missed": ("Missed", "govuk-tag--red"),
}


@dataclass(frozen=True)
class Clock:
    """What judging a service level needs, read once per page: the settings, the calendar, the time."""

    near_breach_percent: int
    calendar: WorkingCalendar
    now: datetime


def clock_for(tenant) -> Clock:
    settings = crm_settings(tenant)
    return Clock(settings.near_breach_percent, crm_calendar(tenant, settings), timezone.now())


@dataclass(frozen=True)
class DueState:
    due_at: datetime
    state: str
    steps: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return TAGS[self.state][0]

    @property
    def tag_class(self) -> str:
        return TAGS[self.state][1]

    @property
    def is_warning(self) -> bool:
        return self.state in {"breaching_soon", "breached", "missed"}


def due_state(case: Case, clock: Clock, *, explain: bool = False) -> DueState:
    """The case's service-level state; with `explain`, the steps behind the due time and the state too."""
    finished = case.resolved_at or case.closed_at
    if finished is not None:
        met = finished <= case.due_at
        when = timezone.localtime(finished)
        steps = (
            f"{'Resolved' if case.resolved_at else 'Closed'} {when:%-d %B %Y at %H:%M}: "
            f"{'within' if met else 'after'} the due time.",
        )
        return DueState(case.due_at, "met" if met else "missed", _due_steps(case, clock) + steps if explain else ())
    state = sla_state(
        clock.now, case.created_at, case.due_at, case.sla_paused_at, clock.near_breach_percent, clock.calendar
    )
    return DueState(case.due_at, state.state, _due_steps(case, clock) + state.steps if explain else ())


def _due_steps(case: Case, clock: Clock) -> tuple[str, ...]:
    """How the due time was worked out from the service's target; said so when it has moved since."""
    first = due_time(case.created_at, service_target(case), clock.calendar)
    if first.due_at == case.due_at:
        return first.steps
    moved = timezone.localtime(case.due_at)
    return (
        *first.steps,
        f"The due time has since moved to {moved:%A %-d %B %Y at %H:%M} "
        "(a pause while waiting on the resident, or a reopening: see the timeline).",
    )
