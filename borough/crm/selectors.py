"""Reads of cases that are more than one line: the desk's search and its queues.

Search stays fast at a million cases per tenant because every kind of query is an exact or prefix lookup on an
index that leads with the tenant: the reference (unique), a contact point's normalised email or phone number, a
postcode (on the case and on people's addresses), and the start of a person's search name or family name. No
query starts with a wildcard.
"""

import re
from itertools import chain

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from borough.crm.models import Case, Service, Team, TeamMember
from borough.crm.transitions import WORKING_STATUSES
from borough.people.models import Address, ContactPoint, Person
from borough.people.normalise import normalise_email, normalise_phone, normalise_postcode, search_name
from borough.tenancy.scope import scope_memo

REFERENCE = re.compile(r"^([A-Za-z]{2,5})\s*-?\s*(\d{1,12})$")
LOOKS_LIKE_PHONE = re.compile(r"^\+?[\d\s\-().]{7,}$")
MAX_PEOPLE = 500
# A name can match many people; their newest cases are shown, so the first hundred people is plenty to choose from.
MAX_PEOPLE_BY_NAME = 100
QUEUES = ("mine", "team:<code>", "breaching", "triage", "unassigned")


def service_by_code(tenant, code: str) -> Service | None:
    """A service of the tenant with its team and questions (active or not), kept for the next requests (ADR 0020):
    every case created reads it."""
    return scope_memo(
        ("service", tenant.pk, code),
        lambda: (
            Service.objects.select_related("team")
            .prefetch_related("questions")
            .filter(tenant=tenant, code=code)
            .first()
        ),
    )


def _listed(queryset: QuerySet) -> QuerySet:
    # The small related tables are fetched apart: joined, row-level security's filter on each of them makes
    # PostgreSQL misjudge their size and pick a slow plan for a million cases.
    return queryset.select_related("requester").prefetch_related("service", "team", "assigned_to")


def _starts_with(field: str, prefix: str) -> Q:
    """A prefix match the database can answer from an index under row-level security.

    `LIKE` is not leak-proof, so PostgreSQL may not use it as an index condition on a table with RLS; the range
    comparison is, and `LIKE` then only checks the few rows in the range (the range alone is exact under the
    C/C.UTF-8 collation the database is created with: docs/adr/0009)."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff", f"{field}__startswith": prefix})


def search_reference(tenant, query: str) -> str | None:
    """The reference a query names ("nfd-123", "NFD 000123" -> "NFD-000123"), if it has the tenant's prefix."""
    match = REFERENCE.match(query.strip())
    if match is None or match.group(1).upper() != tenant.reference_prefix:
        return None
    return f"{tenant.reference_prefix}-{int(match.group(2)):06d}"


def _normalised(normalise, value: str) -> str:
    try:
        return normalise(value)
    except ValueError:
        return ""


def _by_requesters(tenant, people: QuerySet, limit: int, max_people: int = MAX_PEOPLE) -> list[Case]:
    person_ids = list(people.order_by().values_list("pk", flat=True)[:max_people])
    if not person_ids:
        return []
    return list(
        _listed(Case.objects.filter(tenant=tenant, requester_id__in=person_ids)).order_by("-created_at")[:limit]
    )


def _newest(cases, limit: int) -> list[Case]:
    unique = {case.pk: case for case in cases}
    return sorted(unique.values(), key=lambda case: (case.created_at, case.pk), reverse=True)[:limit]


def search_kind(tenant, query: str) -> tuple[str, str]:
    """What a query is taken to be ("reference", "email", "phone", "postcode", "name" or "") and its normal form."""
    query = (query or "").strip()
    if not query:
        return "", ""
    reference = search_reference(tenant, query)
    if reference:
        return "reference", reference
    if "@" in query:
        return "email", _normalised(normalise_email, query)
    if LOOKS_LIKE_PHONE.match(query):
        phone = _normalised(normalise_phone, query)
        if phone:
            return "phone", phone
    postcode = _normalised(normalise_postcode, query) if len(query) <= 9 else ""
    if postcode:
        return "postcode", postcode
    return "name", search_name(query)


def case_search(*, tenant, query: str, limit: int = 50) -> list[Case]:
    """Cases by reference, requester's email or phone, postcode (of the case or the requester), or requester name
    (the start of their name, "jane sm", or of their family name, "smith"); newest first."""
    kind, value = search_kind(tenant, query)
    if not value:
        return []
    if kind == "reference":
        return list(_listed(Case.objects.filter(tenant=tenant, reference=value))[:1])
    if kind in ("email", "phone"):
        points = ContactPoint.objects.filter(tenant=tenant, kind=kind, normalised=value)
        return _by_requesters(tenant, Person.objects.filter(tenant=tenant, pk__in=points.values("person_id")), limit)
    if kind == "postcode":
        at_postcode = _listed(Case.objects.filter(tenant=tenant, postcode=value)).order_by("-created_at")[:limit]
        residents = Person.objects.filter(
            tenant=tenant, pk__in=Address.objects.filter(tenant=tenant, postcode=value).values("person_id")
        )
        return _newest(chain(at_postcode, _by_requesters(tenant, residents, limit)), limit)
    family = (query or "").strip()
    names = _starts_with("search_name", value)
    if " " not in family:
        # Family names are stored as typed: try the usual capitalisations ("smith" -> "Smith", "o'neill" -> "O'Neill").
        for variant in {family, family[:1].upper() + family[1:], family.title()}:
            names |= _starts_with("family_name", variant)
    return _by_requesters(tenant, Person.objects.filter(names, tenant=tenant), limit, MAX_PEOPLE_BY_NAME)


def _supervised_teams(tenant, user) -> list[int]:
    return list(
        TeamMember.objects.filter(tenant=tenant, user=user, is_supervisor=True).values_list("team_id", flat=True)
    )


def case_queue(*, tenant, queue: str, user=None) -> QuerySet:
    """The working cases of a queue, most urgent (soonest due) first:

    - "mine": assigned to `user`;
    - "team:<code>": the team's;
    - "breaching": breached or escalated as breaching soon (by the SLA sweep); for a supervisor, of the teams
      they supervise, else all;
    - "triage": with the triage team, or no team;
    - "unassigned": with no officer.
    """
    cases = Case.objects.filter(tenant=tenant, status__in=WORKING_STATUSES)
    if queue == "mine":
        if user is None or not user.is_authenticated:
            raise ValidationError({"queue": "The “mine” queue needs a signed-in user"})
        cases = cases.filter(assigned_to=user)
    elif queue.startswith("team:"):
        team = Team.objects.filter(tenant=tenant, code=queue.removeprefix("team:")).first()
        if team is None:
            raise ValidationError({"queue": f"There is no team “{queue.removeprefix('team:')}”"})
        cases = cases.filter(team=team)
    elif queue == "breaching":
        cases = cases.filter(Q(breached_at__isnull=False) | Q(escalated_at__isnull=False))
        teams = _supervised_teams(tenant, user) if user is not None and user.is_authenticated else []
        if teams:
            cases = cases.filter(team_id__in=teams)
    elif queue == "triage":
        cases = cases.filter(Q(team__isnull=True) | Q(team__is_triage=True))
    elif queue == "unassigned":
        cases = cases.filter(assigned_to__isnull=True)
    else:
        raise ValidationError({"queue": f"Unknown queue “{queue}”: use one of {', '.join(QUEUES)}"})
    return _listed(cases).order_by("due_at", "id")
