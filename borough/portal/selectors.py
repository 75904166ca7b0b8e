"""Reads of the portal: the tenant's services to browse and search, and what a resident may see of a case."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import and_

from django.db.models import Q
from django.utils import timezone

from borough.crm.models import Case, CaseEvent, Service
from borough.crm.settings import crm_settings

MAX_SEARCH_TERMS = 8
OTHER_GROUP = "Other services"


@dataclass(frozen=True)
class ServiceGroup:
    name: str
    services: list[Service]

    @property
    def slug(self) -> str:
        return "group-" + "".join(ch if ch.isalnum() else "-" for ch in self.name.lower())


def active_services(*, tenant):
    return Service.objects.filter(tenant=tenant, is_active=True).order_by("group", "name")


def service_groups(*, tenant) -> list[ServiceGroup]:
    groups: dict[str, list[Service]] = {}
    for service in active_services(tenant=tenant):
        groups.setdefault(service.group or OTHER_GROUP, []).append(service)
    named = sorted((name for name in groups if name != OTHER_GROUP), key=str.lower)
    order = named + ([OTHER_GROUP] if OTHER_GROUP in groups else [])
    return [ServiceGroup(name, groups[name]) for name in order]


def service_search(*, tenant, query: str) -> list[Service]:
    """Active services whose name, description, group or keywords contain every word of the query."""
    terms = [term for term in query.lower().split() if term][:MAX_SEARCH_TERMS]
    if not terms:
        return []
    matches = [
        Q(name__icontains=term)
        | Q(description__icontains=term)
        | Q(keywords__icontains=term)
        | Q(group__icontains=term)
        for term in terms
    ]
    found = list(active_services(tenant=tenant).filter(reduce(and_, matches)))
    # Name matches first: someone searching "bin" wants "Missed bin" before a service that mentions bins.
    return sorted(found, key=lambda s: (not any(term in s.name.lower() for term in terms), s.name.lower()))


def case_for_resident(*, tenant, reference: str) -> Case | None:
    return Case.objects.filter(tenant=tenant, reference=reference).select_related("service").first()


def public_events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(tenant=case.tenant, case=case, is_public=True).order_by("occurred_at", "id"))


def reopen_until(case: Case) -> datetime | None:
    """Until when a resolved case may be reopened by the resident, or None when it may not be."""
    finished = case.resolved_at or case.closed_at
    if case.status not in (Case.Status.RESOLVED, Case.Status.CLOSED) or finished is None:
        return None
    until = finished + timedelta(days=crm_settings(case.tenant).reopen_days)
    return until if timezone.now() < until else None


def may_give_feedback(case: Case) -> bool:
    return case.status in (Case.Status.RESOLVED, Case.Status.CLOSED) and case.feedback_rating is None
