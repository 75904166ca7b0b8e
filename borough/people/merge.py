"""Merging two records of the same person, and undoing a merge from its audit event.

A merge moves the duplicate's rows to the survivor and records exactly which rows moved in the audit event's
detail; an unmerge reads that detail and moves the same rows back, but only while each of them still belongs to the
survivor (a row that has moved or gone since makes the merge irreversible, and the unmerge says which).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.channels.models import InboundEmail
from borough.channels.telephony.models import Call, CallBack
from borough.core.audit import audit_record
from borough.core.models import AuditEvent
from borough.crm.models import Case, Interaction
from borough.people.models import Address, Consent, ContactPoint, Person
from borough.people.services import Errors
from borough.revenues.models import AccountParty

MERGE_ACTION = "person.merge"
UNMERGE_ACTION = "person.unmerge"
# The rows a merge moves, by the name its audit detail records them under.
MOVED_MODELS = {
    "contact_points": ContactPoint,
    "addresses": Address,
    "consents": Consent,
    "cases": Case,
    "interactions": Interaction,
    "emails": InboundEmail,
    "calls": Call,
    "call_backs": CallBack,
    "account_parties": AccountParty,
}
# The field of each model that names its person.
PERSON_FIELD = {"cases": "requester"}


def _person_field(name: str) -> str:
    return PERSON_FIELD.get(name, "person")


def _rows_of(name: str, person: Person):
    model = MOVED_MODELS[name]
    return model.objects.filter(tenant=person.tenant, **{_person_field(name): person})


def merge_check(survivor: Person, duplicate: Person) -> None:
    errors = Errors()
    if survivor.tenant_id != duplicate.tenant_id:
        errors.add("duplicate", "Records of different organisations cannot be merged")
    elif survivor.pk == duplicate.pk:
        errors.add("duplicate", "A record cannot be merged into itself")
    for field, person, role in (("survivor", survivor, "kept"), ("duplicate", duplicate, "merged")):
        if person.merged_into_id is not None:
            errors.add(field, f"The record to be {role} was already merged into another record")
        elif person.anonymised_at is not None:
            errors.add(field, f"The record to be {role} has been anonymised")
    errors.raise_any()


def _locked(person: Person) -> Person:
    return Person.objects.select_for_update().get(tenant=person.tenant, pk=person.pk)


@transaction.atomic
def person_merge(*, survivor: Person, duplicate: Person) -> AuditEvent:
    """Move everything of `duplicate` to `survivor` and mark it merged. Returns the merge's audit event."""
    merge_check(survivor, duplicate)
    survivor, duplicate = _locked(survivor), _locked(duplicate)
    merge_check(survivor, duplicate)  # again, now that nobody else can change them
    tenant = survivor.tenant

    held = set(_rows_of("contact_points", survivor).values_list("kind", "normalised"))
    primary_kinds = set(_rows_of("contact_points", survivor).filter(is_primary=True).values_list("kind", flat=True))
    moved: dict[str, list[int]] = {}
    kept_on_duplicate: list[int] = []
    demoted: list[int] = []
    points = list(_rows_of("contact_points", duplicate).order_by("id"))
    for point in points:
        if (point.kind, point.normalised) in held:
            kept_on_duplicate.append(point.pk)  # an exact duplicate: the survivor already has it
        elif point.is_primary and point.kind in primary_kinds:
            demoted.append(point.pk)
    moved["contact_points"] = [p.pk for p in points if p.pk not in kept_on_duplicate]
    has_primary_address = _rows_of("addresses", survivor).filter(is_primary=True).exists()
    if has_primary_address:
        demoted_addresses = list(_rows_of("addresses", duplicate).filter(is_primary=True).values_list("pk", flat=True))
    else:
        demoted_addresses = []
    for name in MOVED_MODELS.keys() - {"contact_points"}:
        moved[name] = list(_rows_of(name, duplicate).order_by("pk").values_list("pk", flat=True))

    for name, ids in moved.items():
        MOVED_MODELS[name].objects.filter(tenant=tenant, pk__in=ids).update(**{_person_field(name): survivor})
    ContactPoint.objects.filter(tenant=tenant, pk__in=demoted).update(is_primary=False)
    Address.objects.filter(tenant=tenant, pk__in=demoted_addresses).update(is_primary=False)

    # A legal hold on either record holds the merged one: a merge must not be a way round a hold.
    inherited_hold = ""
    if duplicate.legal_hold_reason and not survivor.legal_hold_reason:
        inherited_hold = duplicate.legal_hold_reason
        survivor.legal_hold_reason = inherited_hold
        survivor.save(update_fields=["legal_hold_reason", "updated_at"])

    now = timezone.now()
    duplicate.merged_into, duplicate.merged_at = survivor, now
    duplicate.save(update_fields=["merged_into", "merged_at", "updated_at"])

    detail = {
        "survivor_id": survivor.pk,
        "duplicate_id": duplicate.pk,
        "moved": moved,
        "contact_points_kept_on_duplicate": kept_on_duplicate,
        "contact_points_no_longer_primary": demoted,
        "addresses_no_longer_primary": demoted_addresses,
        "inherited_legal_hold": inherited_hold,
    }
    event = audit_record(
        tenant=tenant,
        action=MERGE_ACTION,
        obj=survivor,
        before={"merged_from": None},
        after={"merged_from": duplicate.pk},
        detail=detail,
    )
    audit_record(
        tenant=tenant,
        action="person.merged_into",
        obj=duplicate,
        before={"merged_into": None},
        after={"merged_into": survivor.pk},
        detail={"merge_event_id": event.pk, "survivor_id": survivor.pk},
    )
    return event


def merge_undone(event: AuditEvent) -> bool:
    return AuditEvent.objects.filter(
        tenant=event.tenant_id, action=UNMERGE_ACTION, object_type=event.object_type, detail__merge_event_id=event.pk
    ).exists()


def _unmerge_problems(event: AuditEvent, survivor: Person, duplicate: Person | None) -> list[str]:
    if duplicate is None:
        return ["The merged record no longer exists"]
    if merge_undone(event):
        return ["This merge has already been undone"]
    if duplicate.merged_into_id != survivor.pk:
        return ["The merged record is no longer merged into this one"]
    if survivor.anonymised_at is not None:
        return ["This record has been anonymised since the merge, so the merge cannot be undone"]
    problems = []
    for name, ids in event.detail["moved"].items():
        still_here = set(_rows_of(name, survivor).filter(pk__in=ids).values_list("pk", flat=True))
        gone = [pk for pk in ids if pk not in still_here]
        if gone:
            label = name.replace("_", " ")
            problems.append(f"{len(gone)} of the {label} moved by the merge have changed since (ids {gone})")
    return problems


def _one_main_of_each_kind(person: Person, repaired: dict[str, list[str]]) -> None:
    """Leave `person` one main contact point of each kind and one main address, if they have any.

    A main one changed or removed between the merge and the unmerge would otherwise leave a record with none, or
    two: the oldest main one is kept (the one the record had before the merge), else the oldest becomes main."""
    groups = [(ContactPoint, {"kind": kind}) for kind in ContactPoint.Kind.values] + [(Address, {})]
    for model, same_kind in groups:
        rows = model.objects.filter(tenant=person.tenant, person=person, **same_kind).order_by("created_at", "pk")
        mains = [row.pk for row in rows if row.is_primary]
        label = model._meta.model_name
        if len(mains) > 1:
            model.objects.filter(tenant=person.tenant, pk__in=mains[1:]).update(is_primary=False)
            repaired["unset"] += [f"{label} {pk}" for pk in mains[1:]]
        elif not mains and rows:
            model.objects.filter(tenant=person.tenant, pk=rows[0].pk).update(is_primary=True)
            repaired["set"].append(f"{label} {rows[0].pk}")


@transaction.atomic
def person_unmerge(*, audit_event: AuditEvent) -> AuditEvent:
    """Undo the merge recorded by `audit_event`: move the recorded rows back and reactivate the duplicate."""
    if audit_event.action != MERGE_ACTION or not isinstance(audit_event.detail, dict):
        raise ValidationError({"audit_event": "This audit event does not record a merge"})
    tenant = audit_event.tenant
    detail = audit_event.detail
    survivor = Person.objects.select_for_update().get(tenant=tenant, pk=detail["survivor_id"])
    duplicate = Person.objects.select_for_update().filter(tenant=tenant, pk=detail["duplicate_id"]).first()
    problems = _unmerge_problems(audit_event, survivor, duplicate)
    if problems:
        raise ValidationError({"audit_event": problems})

    for name, ids in detail["moved"].items():
        MOVED_MODELS[name].objects.filter(tenant=tenant, pk__in=ids).update(**{_person_field(name): duplicate})
    ContactPoint.objects.filter(tenant=tenant, pk__in=detail["contact_points_no_longer_primary"]).update(
        is_primary=True
    )
    Address.objects.filter(tenant=tenant, pk__in=detail["addresses_no_longer_primary"]).update(is_primary=True)
    restored_hold = False
    inherited = detail.get("inherited_legal_hold") or ""
    if inherited and survivor.legal_hold_reason == inherited:
        survivor.legal_hold_reason = ""
        survivor.save(update_fields=["legal_hold_reason", "updated_at"])
        restored_hold = True

    duplicate.merged_into, duplicate.merged_at = None, None
    duplicate.save(update_fields=["merged_into", "merged_at", "updated_at"])
    main_marks = {"set": [], "unset": []}
    for person in (survivor, duplicate):
        _one_main_of_each_kind(person, main_marks)
    undo_detail = {
        "merge_event_id": audit_event.pk,
        "moved_back": detail["moved"],
        "legal_hold_cleared": restored_hold,
        "main_marks_repaired": main_marks,
    }
    event = audit_record(
        tenant=tenant,
        action=UNMERGE_ACTION,
        obj=survivor,
        before={"merged_from": duplicate.pk},
        after={"merged_from": None},
        detail={**undo_detail, "survivor_id": survivor.pk, "duplicate_id": duplicate.pk},
    )
    audit_record(
        tenant=tenant,
        action="person.unmerged",
        obj=duplicate,
        before={"merged_into": survivor.pk},
        after={"merged_into": None},
        detail={"merge_event_id": audit_event.pk, "unmerge_event_id": event.pk},
    )
    return event
