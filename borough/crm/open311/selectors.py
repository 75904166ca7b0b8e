"""What Open311's GET resources may show: the cases of services that need a location, and their public timeline."""

from bisect import bisect_right
from collections import defaultdict

from django.db.models import Prefetch, Q

from borough.crm.models import Case, CaseAttachment, CaseEvent, CaseLink

MAX_RESULTS = 1000
# The photos a media_url may show (never a PDF, never anything a browser would run).
PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif")


def published_cases(*, tenant):
    """Street-scene reports (services that need a location). Enquiries about a resident's own affairs are
    never published, whatever the filters."""
    return Case.objects.filter(tenant=tenant, service__needs_location=True)


def with_public_details(cases):
    """Everything a <request> shows, in four queries for up to MAX_RESULTS cases."""
    return cases.select_related("service", "team").prefetch_related(
        Prefetch(
            "events",
            queryset=CaseEvent.objects.filter(kind=CaseEvent.Kind.UPDATE, is_public=True).order_by(
                "-occurred_at", "-id"
            ),
            to_attr="public_updates",
        ),
        Prefetch(
            "attachments",
            queryset=CaseAttachment.objects.filter(is_public=True, content_type__in=PHOTO_TYPES).order_by(
                "uploaded_at", "id"
            ),
            to_attr="public_photos",
        ),
        Prefetch("links", queryset=CaseLink.objects.filter(kind=CaseLink.Kind.DUPLICATE_OF), to_attr="duplicate_links"),
    )


def public_photo(*, tenant, reference: str, attachment_id: int):
    return (
        CaseAttachment.objects.filter(
            tenant=tenant,
            pk=attachment_id,
            case__reference=reference,
            case__service__needs_location=True,
            is_public=True,
            content_type__in=PHOTO_TYPES,
        )
        .only("file", "content_type", "original_name")
        .first()
    )


def updatable_case(*, tenant, reference: str):
    """A case an Open311 client may add to: a published one, or one it created."""
    return (
        Case.objects.filter(tenant=tenant, reference=reference)
        .filter(Q(service__needs_location=True) | Q(channel="open311"))
        .first()
    )


def published_case(*, tenant, reference: str):
    return with_public_details(published_cases(tenant=tenant)).filter(reference=reference).first()


def published_requests(*, tenant, references=(), service_codes=(), statuses=(), start=None, end=None):
    """The spec's GET requests: `references` (service_request_id) override every other filter."""
    cases = published_cases(tenant=tenant)
    if references:
        cases = cases.filter(reference__in=references)
    else:
        if service_codes:
            cases = cases.filter(service__code__in=service_codes)
        if statuses:
            cases = cases.filter(status__in=statuses)
        if start is not None:
            cases = cases.filter(created_at__gte=start)
        if end is not None:
            cases = cases.filter(created_at__lte=end)
    return list(with_public_details(cases).order_by("-created_at", "-id")[:MAX_RESULTS])


def status_change(data: dict) -> tuple[str, str]:
    """(from, to) of a status event's data."""
    return data.get("from", "") or "", data.get("to", "") or ""


def published_updates(*, tenant, start, end) -> list[tuple[CaseEvent, str, bool]]:
    """FixMyStreet's service request updates: public updates and status changes, oldest first, each with the
    case's status after it and whether the case is a duplicate."""
    events = list(
        CaseEvent.objects.filter(
            Q(kind=CaseEvent.Kind.UPDATE, is_public=True) | Q(kind=CaseEvent.Kind.STATUS),
            tenant=tenant,
            case__service__needs_location=True,
            occurred_at__gte=start,
            occurred_at__lte=end,
        )
        .select_related("case")
        .order_by("occurred_at", "id")[:MAX_RESULTS]
    )
    case_ids = {event.case_id for event in events}
    changes = defaultdict(list)  # case id -> [((occurred_at, id), from, to)], in time order
    for case_id, occurred_at, pk, data in (
        CaseEvent.objects.filter(tenant=tenant, case_id__in=case_ids, kind=CaseEvent.Kind.STATUS)
        .order_by("occurred_at", "id")
        .values_list("case_id", "occurred_at", "id", "data")
    ):
        changes[case_id].append(((occurred_at, pk), *status_change(data)))
    duplicates = set(
        CaseLink.objects.filter(tenant=tenant, case_id__in=case_ids, kind=CaseLink.Kind.DUPLICATE_OF).values_list(
            "case_id", flat=True
        )
    )
    return [(event, _status_after(event, changes[event.case_id]), event.case_id in duplicates) for event in events]


def _status_after(event: CaseEvent, changes: list) -> str:
    keys = [key for key, _from, _to in changes]
    position = bisect_right(keys, (event.occurred_at, event.pk))
    if position:
        return changes[position - 1][2] or event.case.status
    if changes:  # before the first change: the status it changed from
        return changes[0][1] or event.case.status
    return event.case.status
