"""What the case services share: gathering field errors, timeline entries, locking, text checks. Telling the
resident goes through borough.channels.notifications.services.notify_resident."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.core.audit import current_actor, snapshot
from borough.core.inserts import insert_later
from borough.crm.models import Case, CaseChannel, CaseEvent
from borough.people.models import Channel, ContactPoint, Person

Status = Case.Status
CASE_AUDIT_FIELDS = (
    "reference",
    "service",
    "requester",
    "channel",
    "priority",
    "status",
    "team",
    "assigned_to",
    "due_at",
    "sla_paused_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
)
MAX_DESCRIPTION = 10_000
MAX_BODY = 10_000
CRM_ROLES = {"crm.agent", "crm.supervisor"}
# The contact channel of an Interaction for each channel a case can arrive by.
INTERACTION_CHANNEL = {
    CaseChannel.WEB: Channel.WEB,
    CaseChannel.EMAIL: Channel.EMAIL,
    CaseChannel.PHONE: Channel.PHONE,
    CaseChannel.SMS: Channel.SMS,
    CaseChannel.OPEN311: Channel.WEB,
    CaseChannel.STAFF: Channel.PHONE,  # an agent logging a case took the contact, usually by telephone
}


class Errors:
    """Field messages gathered while validating, raised together."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.messages.setdefault(field, []).append(message)

    def absorb(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add(field, message)

    def raise_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


# Small helpers


def _actor() -> tuple[str, Any]:
    actor = current_actor.get()
    if actor is None:
        return "system", None
    return actor.label[:200], actor.user


def case_event(case: Case, kind: str, *, body: str = "", public: bool = False, data=None, at=None) -> CaseEvent:
    label, user = _actor()
    return insert_later(
        CaseEvent(
            tenant_id=case.tenant_id,
            case=case,
            kind=kind,
            is_public=public,
            body=body,
            data=data or {},
            actor_label=label,
            actor_user=user,
            occurred_at=at or timezone.now(),
        )
    )


def case_snapshot(case: Case) -> dict[str, Any]:
    return snapshot(case, CASE_AUDIT_FIELDS)


def lock_case(case: Case) -> Case:
    # Only the case row: locking its service and tenant too would queue every case write of the tenant.
    cases = Case.objects.select_for_update(of=("self",)).select_related("service", "tenant")
    return cases.get(tenant=case.tenant, pk=case.pk)


def clean_text(value: Any, field: str, errors: Errors, *, required: str = "", limit: int = MAX_BODY) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, "Enter text")
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, required)
    elif len(value) > limit:
        errors.add(field, f"Use {limit:,} characters or fewer (this has {len(value):,})")
    return value


def day_text(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B %Y}"


def primary_email(person: Person | None) -> str:
    """The person's primary email address (else any), or ""."""
    if person is None or not person.is_active:
        return ""
    points = ContactPoint.objects.filter(tenant_id=person.tenant_id, person=person, kind=ContactPoint.Kind.EMAIL)
    point = points.order_by("-is_primary", "id").first()
    return point.normalised if point else ""


def primary_phone(person: Person) -> str:
    points = ContactPoint.objects.filter(tenant_id=person.tenant_id, person=person, kind=ContactPoint.Kind.PHONE)
    point = points.order_by("-is_primary", "id").first()
    return point.normalised if point else ""


# Creating a case
