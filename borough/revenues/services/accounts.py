"""Writes to accounts: opening, liable parties and their CRM people, liability periods, moving out."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from borough.core.audit import audit_record, snapshot
from borough.core.references import reference_next
from borough.people.models import Person
from borough.revenues.models import (
    Account,
    AccountParty,
    Dwelling,
    Hereditament,
    LiabilityPeriod,
)
from borough.revenues.services.common import (
    ACCOUNT_SEQUENCE,
    Errors,
    check_date,
    text_value,
)
from borough.revenues.services.search import account_search_keys_refresh
from borough.tenancy.models import Tenant


def _check_liability(
    account: Account, start: date | None, end: date | None, errors: Errors, exclude: LiabilityPeriod | None = None
) -> None:
    """Periods of one account may not overlap, and must fall inside the property's life."""
    if start is None:
        return
    if end is not None and end < start:
        errors.add("end", f"The end ({end.isoformat()}) is before the start ({start.isoformat()})")
        return
    prop = account.property
    if prop.exists_from and start < prop.exists_from:
        errors.add("start", f"The property exists only from {prop.exists_from.isoformat()}")
    if prop.deleted_from and (end is None or end >= prop.deleted_from):
        field = "start" if start >= prop.deleted_from else "end"
        errors.add(
            field, f"The property no longer exists from {prop.deleted_from.isoformat()}: liability must end before"
        )
    if account.pk is None:
        return  # a new account has no periods yet
    overlapping = LiabilityPeriod.objects.filter(account=account).filter(Q(end__isnull=True) | Q(end__gte=start))
    if end is not None:
        overlapping = overlapping.filter(start__lte=end)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    clash = overlapping.first()
    if clash is not None:
        errors.add("start", f"This overlaps the account's liability period {clash}")


def _check_parties(tenant: Tenant, parties: list[dict[str, Any]], errors: Errors) -> list[dict[str, Any]]:
    cleaned = []
    if not parties:
        errors.add("parties", "Name at least one liable party")
    for index, party in enumerate(parties):
        person = party.get("person")
        name = party.get("name") or (person.display_name if person is not None else "")
        party_errors = Errors()
        name = text_value(AccountParty, "name", name, party_errors, required=True)
        if person is not None and (not isinstance(person, Person) or person.tenant_id != tenant.pk):
            party_errors.add("person", "Choose a person of this council")
        for message in [m for ms in party_errors.messages.values() for m in ms]:
            errors.add(f"parties[{index}]", message)
        cleaned.append({"name": name, "person": person})
    return cleaned


@transaction.atomic
def account_open(
    *,
    tenant: Tenant,
    parties: list[dict[str, Any]],
    start: date,
    dwelling: Dwelling | None = None,
    hereditament: Hereditament | None = None,
    start_reason: str = LiabilityPeriod.StartReason.MOVE_IN,
) -> Account:
    """Open an account for one property with its liable parties (`{"name", "person"}`) and first liability period."""
    errors = Errors()
    if (dwelling is None) == (hereditament is None):
        errors.add("property", "Choose one dwelling or one business property")
    prop = dwelling or hereditament
    if prop is not None and prop.tenant_id != tenant.pk:
        errors.add("property", "Choose a property of this council")
    cleaned_parties = _check_parties(tenant, parties, errors)
    check_date("start", start, errors)
    if start_reason not in LiabilityPeriod.StartReason.values:
        errors.add("start_reason", f"Use one of {', '.join(LiabilityPeriod.StartReason.values)}")
    errors.raise_any()

    # The property as stored now, locked, so its life cannot change while liability is checked against it.
    prop = type(prop).objects.select_for_update().get(pk=prop.pk)
    account = Account(tenant=tenant, dwelling=prop if dwelling else None, hereditament=prop if hereditament else None)
    _check_liability(account, start, None, errors)  # a new account has no periods: only the property's life
    errors.raise_any()
    account.number = reference_next(tenant=tenant, sequence=ACCOUNT_SEQUENCE)
    account.save()
    for party in cleaned_parties:
        AccountParty.objects.create(tenant=tenant, account=account, **party)
    account_search_keys_refresh(tenant=tenant, account_ids=[account.pk])
    period = LiabilityPeriod.objects.create(tenant=tenant, account=account, start=start, start_reason=start_reason)
    audit_record(
        tenant=tenant,
        action="revenues.account_open",
        obj=account,
        after={
            "number": account.number,
            "property": str(prop),
            "parties": [p["name"] for p in cleaned_parties],
            "start": period.start.isoformat(),
            "start_reason": start_reason,
        },
    )
    return account


@transaction.atomic
def account_move_out(
    *, account: Account, end: date, end_reason: str = LiabilityPeriod.EndReason.MOVE_OUT
) -> LiabilityPeriod:
    """End the account's open liability period on `end` (the last day liable) and close the account."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    errors = Errors()
    check_date("end", end, errors)
    if end_reason not in LiabilityPeriod.EndReason.values:
        errors.add("end_reason", f"Use one of {', '.join(LiabilityPeriod.EndReason.values)}")
    period = LiabilityPeriod.objects.filter(account=account, end__isnull=True).first()
    if period is None:
        errors.add("end", "The account has no open liability period")
    errors.raise_any()
    _check_liability(account, period.start, end, errors, exclude=period)
    errors.raise_any()
    period.end, period.end_reason = end, end_reason
    period.save(update_fields=["end", "end_reason"])
    account.status = Account.Status.CLOSED
    account.save(update_fields=["status"])
    audit_record(
        tenant=account.tenant,
        action="revenues.account_move_out",
        obj=account,
        before={"end": None, "status": Account.Status.OPEN},
        after={"end": end.isoformat(), "end_reason": end_reason, "status": account.status},
    )
    return period


@transaction.atomic
def liability_period_add(
    *, account: Account, start: date, end: date | None = None, start_reason: str = LiabilityPeriod.StartReason.MOVE_IN
) -> LiabilityPeriod:
    """Add a liability period to an account (a backdated one, or moving back in); periods may not overlap."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    errors = Errors()
    check_date("start", start, errors)
    check_date("end", end, errors, required=False)
    if start_reason not in LiabilityPeriod.StartReason.values:
        errors.add("start_reason", f"Use one of {', '.join(LiabilityPeriod.StartReason.values)}")
    errors.raise_any()
    _check_liability(account, start, end, errors)
    errors.raise_any()
    period = LiabilityPeriod.objects.create(
        tenant=account.tenant, account=account, start=start, end=end, start_reason=start_reason
    )
    if end is None and account.status != Account.Status.OPEN:
        account.status = Account.Status.OPEN
        account.save(update_fields=["status"])
    audit_record(
        tenant=account.tenant,
        action="revenues.liability_add",
        obj=account,
        after={"start": start.isoformat(), "end": end.isoformat() if end else None, "start_reason": start_reason},
    )
    return period


@transaction.atomic
def account_party_add(*, account: Account, name: str = "", person: Person | None = None) -> AccountParty:
    """Add a jointly and severally liable party to an account (a name, a CRM person, or both)."""
    errors = Errors()
    if person is not None and (not isinstance(person, Person) or person.tenant_id != account.tenant_id):
        errors.add("person", "Choose a person of this council")
        person = None
    name = text_value(AccountParty, "name", name or (person.display_name if person else ""), errors, required=True)
    errors.raise_any()
    cleaned = {"name": name, "person": person}
    party = AccountParty.objects.create(tenant=account.tenant, account=account, **cleaned)
    account_search_keys_refresh(tenant=account.tenant, account_ids=[account.pk])
    audit_record(
        tenant=account.tenant,
        action="revenues.account_party_add",
        obj=account,
        after={"party": party.name, "person": person.pk if person else None},
    )
    return party


@transaction.atomic
def account_party_link_person(*, party: AccountParty, person: Person | None) -> AccountParty:
    """Link a liable party to the CRM's person record (or unlink it with None)."""
    party = AccountParty.objects.select_for_update().get(pk=party.pk)
    if person is not None and (not isinstance(person, Person) or person.tenant_id != party.tenant_id):
        raise ValidationError({"person": "Choose a person of this council"})
    before = snapshot(party, ["person"])
    party.person = person
    party.save(update_fields=["person"])
    audit_record(
        tenant=party.tenant,
        action="revenues.account_party_link_person",
        obj=party.account,
        before=before,
        after=snapshot(party, ["person"]),
        detail={"party_id": party.pk},
    )
    return party
