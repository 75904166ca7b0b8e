"""Links between cases of a tenant, and referrals to another organisation on the platform."""

from django.db import transaction

from borough.core.audit import audit_record, snapshot
from borough.crm.models import Case, CaseChannel, CaseEvent, CaseLink, Service
from borough.crm.services.common import Errors, case_event, lock_case, primary_email, primary_phone
from borough.crm.services.create import insert_case
from borough.people.models import Channel, Consent, Person
from borough.people.services import person_consents_in_force, person_create, person_find_or_create
from borough.tenancy.scope import tenant_scope

REFERRAL_SERVICE_CODE = "referral"


@transaction.atomic
def case_link(*, case: Case, other_case: Case, kind: str) -> CaseLink:
    """Link two cases of this tenant: `case` is a duplicate of, or related to, `other_case`."""
    errors = Errors()
    kinds = {CaseLink.Kind.DUPLICATE_OF, CaseLink.Kind.RELATED}
    if kind not in kinds:
        errors.add("kind", f"Choose a kind of link: {', '.join(sorted(kinds))}")
    if not isinstance(other_case, Case) or other_case.tenant_id != case.tenant_id:
        errors.add("other_case", "Choose a case of this council")
    elif other_case.pk == case.pk:
        errors.add("other_case", "A case cannot be linked to itself")
    elif CaseLink.objects.filter(tenant_id=case.tenant_id, case=case, other_case=other_case, kind=kind).exists():
        errors.add("other_case", f"This case is already linked to {other_case.reference}")
    errors.raise_any()
    link = CaseLink.objects.create(tenant_id=case.tenant_id, case=case, kind=kind, other_case=other_case)
    if kind == CaseLink.Kind.RELATED:  # related works both ways, so each case lists the other
        CaseLink.objects.get_or_create(tenant_id=case.tenant_id, case=other_case, kind=kind, other_case=case)
    label = CaseLink.Kind(kind).label.lower()
    case_event(
        case,
        CaseEvent.Kind.LINK,
        body=f"Marked as {label} {other_case.reference}.",
        data={"other": other_case.pk, "kind": kind},
    )
    other_body = (
        f"{case.reference} was marked as a duplicate of this case."
        if kind == CaseLink.Kind.DUPLICATE_OF
        else f"Marked as related to {case.reference}."
    )
    case_event(other_case, CaseEvent.Kind.LINK, body=other_body, data={"other": case.pk, "kind": kind})
    audit_record(
        tenant=case.tenant, action="case.link", obj=case, after={"kind": kind, "other_case": other_case.reference}
    )
    return link


def _referral_service(tenant) -> Service:
    """The service a referral lands on when the other tenant has no service with the same code."""
    service, created = Service.objects.get_or_create(
        tenant=tenant,
        code=REFERRAL_SERVICE_CODE,
        defaults={
            "name": "Referral from a partner organisation",
            "description": "Requests another organisation on the platform passed to us.",
            "is_active": False,  # not offered to residents; referrals reach it directly
            "sla_amount": 5,
            "sla_unit": Service.SlaUnit.WORKING_DAYS,
        },
    )
    if created:
        audit_record(tenant=tenant, action="service.create", obj=service, after=snapshot(service, ["code", "name"]))
    return service


def _check_referral(case: Case, to_tenant, share_contact: bool, errors: Errors) -> None:
    from borough.tenancy.models import Tenant

    if not isinstance(to_tenant, Tenant) or to_tenant.pk == case.tenant_id:
        errors.add("to_tenant", "Choose another organisation to refer the case to")
        return
    if not to_tenant.is_active or not to_tenant.has_module("crm"):
        errors.add("to_tenant", f"{to_tenant.name} is not taking referrals")
    elif CaseLink.objects.filter(
        tenant_id=case.tenant_id, case=case, kind=CaseLink.Kind.REFERRED_TO, other_tenant=to_tenant
    ).exists():
        errors.add("to_tenant", f"This case has already been referred to {to_tenant.name}")
    if share_contact:
        if case.requester is None or not case.requester.is_active:
            errors.add("share_contact", "This case has no resident whose contact details could be shared")
        elif not person_consents_in_force(person=case.requester).get(Consent.Purpose.SHARE_WITH_PARTNERS, False):
            errors.add(
                "share_contact",
                "The resident has not agreed to their details being shared with other organisations: "
                "record their consent first, or refer the case without them",
            )


def _referred_requester(to_tenant, contact: dict[str, str]) -> Person | None:
    """The resident in the other tenant: found by email or phone there, else created with what was shared."""
    if contact["email"] or contact["phone"]:
        return person_find_or_create(tenant=to_tenant, **contact, channel=Channel.WEB)
    if contact["given_name"] or contact["family_name"]:
        return person_create(tenant=to_tenant, given_name=contact["given_name"], family_name=contact["family_name"])
    return None


@transaction.atomic
def case_refer(*, case: Case, to_tenant, share_description: bool, share_contact: bool) -> CaseLink:
    """Refer a case to another organisation on the platform as a linked case there, carrying only what the
    resident agreed to share: the description and location (`share_description`) and their name and contact
    details (`share_contact`, which needs their recorded consent to sharing with partners)."""
    errors = Errors()
    _check_referral(case, to_tenant, bool(share_contact), errors)
    errors.raise_any()
    case = lock_case(case)
    source = case.tenant
    contact = None
    if share_contact:
        person = case.requester
        contact = {
            "email": primary_email(person),
            "phone": primary_phone(person),
            "given_name": person.given_name,
            "family_name": person.family_name,
        }
    shared = (
        ["service"]
        + (["description", "location"] if share_description else [])
        + (["contact"] if share_contact else [])
    )
    # An entry point into the other tenant (DESIGN.md rule 1): the referral writes there on the sender's behalf,
    # with only the fields copied above, and hands back nothing but the new reference.
    with tenant_scope(to_tenant):
        other = _receive_referral(case, source, to_tenant, bool(share_description), contact, shared)
    link = CaseLink.objects.create(
        tenant=source,
        case=case,
        kind=CaseLink.Kind.REFERRED_TO,
        other_tenant=to_tenant,
        other_reference=other.reference,
    )
    case_event(
        case,
        CaseEvent.Kind.REFERRAL,
        body=f"Referred to {to_tenant.name}, who will deal with it under their reference {other.reference}.",
        public=True,
        data={"to_tenant": to_tenant.slug, "reference": other.reference, "shared": shared},
    )
    audit_record(
        tenant=source,
        action="case.refer",
        obj=case,
        after={"to_tenant": to_tenant.slug, "reference": other.reference, "shared": shared},
    )
    return link


def _receive_referral(case: Case, source, to_tenant, share_description: bool, contact, shared: list[str]) -> Case:
    service = Service.objects.filter(tenant=to_tenant, code=case.service.code, is_active=True).first()
    service = service or _referral_service(to_tenant)
    if share_description:
        description = case.description
        location = {f: getattr(case, f) for f in ("latitude", "longitude", "address", "postcode", "uprn")}
    else:
        description = (
            f"{case.service.name}: referred by {source.name}. The resident did not agree to share the details."
        )
        location = {"latitude": None, "longitude": None, "address": "", "postcode": "", "uprn": ""}
    requester = _referred_requester(to_tenant, contact) if contact else None
    note = f"Referred by {source.name} (their reference {case.reference})."
    other = insert_case(
        tenant=to_tenant,
        service=service,
        channel=CaseChannel.STAFF,
        description=description,
        answers={},
        requester=requester,
        location=location,
        priority=case.priority,
        created_note=note,
    )
    CaseLink.objects.create(
        tenant=to_tenant,
        case=other,
        kind=CaseLink.Kind.REFERRED_FROM,
        other_tenant=source,
        other_reference=case.reference,
    )
    case_event(
        other,
        CaseEvent.Kind.REFERRAL,
        body=note,
        data={"from_tenant": source.slug, "reference": case.reference, "shared": shared},
    )
    audit_record(
        tenant=to_tenant,
        action="case.referral_received",
        obj=other,
        after={"from_tenant": source.slug, "shared": shared},
    )
    return other
