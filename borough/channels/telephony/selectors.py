"""Reads of the call desk: which calls pop for which agent, the caller's record and open cases, call-backs due."""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from borough.channels.telephony.models import Call, CallBack, CallCase, CallState
from borough.crm.models import Case, TeamMember
from borough.people.models import Address, ContactPoint, Person

# A ringing call whose `ended` never came stops ringing for everyone after this long.
RING_WINDOW = timedelta(minutes=30)
# Ended calls still to be wrapped up are listed for this long.
WRAP_UP_WINDOW = timedelta(days=7)
MAX_SHOWN = 10
OPEN_CASES_SHOWN = 10
CLOSED_STATUSES = (Case.Status.RESOLVED, Case.Status.CLOSED)


@dataclass
class CallerRecord:
    """What pops for a call: the caller's record and their open cases (or nothing, for an unknown number)."""

    person: Person | None
    contact_points: list[ContactPoint] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    open_cases: list[Case] = field(default_factory=list)


@dataclass
class PoppedCall:
    call: Call
    caller: CallerRecord
    is_mine: bool


@dataclass
class DeskCalls:
    mine: list[PoppedCall]
    offered: list[PoppedCall]
    to_wrap_up: list[Call]

    @property
    def version(self) -> str:
        """Changes whenever what the panel shows changes, so a poll that finds nothing new swaps nothing."""
        parts = [
            f"{p.call.pk}:{p.call.updated_at.isoformat()}:{[c.pk for c in p.caller.open_cases]}"
            for p in [*self.mine, *self.offered]
        ]
        parts += [f"w{call.pk}:{call.updated_at.isoformat()}" for call in self.to_wrap_up]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def caller_record(person: Person | None) -> CallerRecord:
    if person is None:
        return CallerRecord(None)
    points = ContactPoint.objects.filter(tenant_id=person.tenant_id, person=person).order_by("-is_primary", "kind")
    addresses = Address.objects.filter(tenant_id=person.tenant_id, person=person).order_by("-is_primary", "id")
    cases = (
        Case.objects.filter(tenant_id=person.tenant_id, requester=person)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("service")
        .order_by("-created_at")
    )
    return CallerRecord(person, list(points), list(addresses[:1]), list(cases[:OPEN_CASES_SHOWN]))


def _calls(tenant):
    return Call.objects.filter(tenant=tenant).select_related("person", "agent", "wrap_up_code")


def desk_calls(*, tenant, user, now=None) -> DeskCalls:
    """The agent's own live calls; calls ringing that nobody has taken (every agent sees them); and ended calls
    still to wrap up: the agent's own, and missed calls nobody took."""
    now = now or timezone.now()
    live = [CallState.RINGING, CallState.ANSWERED]
    mine = _calls(tenant).filter(agent=user, state__in=live, created_at__gte=now - RING_WINDOW * 4)
    offered = _calls(tenant).filter(agent__isnull=True, state=CallState.RINGING, created_at__gte=now - RING_WINDOW)
    recent_ended = _calls(tenant).filter(
        state=CallState.ENDED, wrapped_up_at__isnull=True, created_at__gte=now - WRAP_UP_WINDOW
    )
    to_wrap_up = recent_ended.filter(agent=user) | recent_ended.filter(agent__isnull=True, answered_at__isnull=True)
    return DeskCalls(
        mine=[PoppedCall(c, caller_record(c.person), True) for c in mine.order_by("-created_at")[:MAX_SHOWN]],
        offered=[PoppedCall(c, caller_record(c.person), False) for c in offered.order_by("created_at")[:MAX_SHOWN]],
        to_wrap_up=list(to_wrap_up.order_by("-created_at")[:MAX_SHOWN]),
    )


def call_cases(call: Call) -> list[Case]:
    links = CallCase.objects.filter(tenant_id=call.tenant_id, call=call).select_related("case__service")
    return [link.case for link in links.order_by("created_at", "id")]


@dataclass
class DeskCallBacks:
    mine: list[CallBack]
    team: list[CallBack]
    anyone: list[CallBack]


def desk_callbacks(*, tenant, user) -> DeskCallBacks:
    """Open call-backs: the agent's own, their teams' not given to anyone, and those for anyone on the desk."""
    open_ones = (
        CallBack.objects.filter(tenant=tenant, done_at__isnull=True)
        .select_related("person", "team", "assigned_to", "case")
        .order_by("due_at", "id")
    )
    teams = TeamMember.objects.filter(tenant=tenant, user=user).values("team_id")
    return DeskCallBacks(
        mine=list(open_ones.filter(assigned_to=user)[:50]),
        team=list(open_ones.filter(assigned_to__isnull=True, team__in=teams)[:50]),
        anyone=list(open_ones.filter(assigned_to__isnull=True, team__isnull=True)[:50]),
    )


def callbacks_due_count(*, tenant, user, now=None) -> int:
    """Open call-backs due by now that are the agent's to make: their own, their teams' unassigned, or anyone's."""
    teams = TeamMember.objects.filter(tenant=tenant, user=user).values("team_id")
    due = CallBack.objects.filter(tenant=tenant, done_at__isnull=True, due_at__lte=now or timezone.now())
    mine = Q(assigned_to=user) | Q(assigned_to__isnull=True, team__in=teams) | Q(assigned_to__isnull=True, team=None)
    return due.filter(mine).count()
