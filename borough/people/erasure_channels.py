"""Erasure of what the contact channels kept about a person (part of `person_erase`, borough/people/erasure.py): the
emails they sent (raw message, sender, subject, text), their calls (number, notes, the events as the telephone
platform sent them) and call-backs. Found by the person, by their cases, and by their addresses and numbers, which
also catches messages held for review that no person was linked to. Each keeps its outcome and times for statistics.
"""

from django.db import transaction
from django.db.models import Q

from borough.channels.models import InboundEmail
from borough.channels.telephony.models import Call, CallBack, CallEvent

ERASED = "[erased]"


def erase_inbound_email(tenant, records, cases, emails: set[str]) -> int:
    found = InboundEmail.objects.filter(tenant=tenant).filter(
        Q(person__in=records) | Q(case__in=cases) | Q(from_address__in=emails) | Q(envelope_from__in=emails)
    )
    count = 0
    for email in found.only("pk", "raw"):
        name, storage = email.raw.name, email.raw.storage
        if name:  # after the commit: a rolled back erasure must not have lost the message
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        count += 1
    found.update(
        envelope_from="", from_address="", from_name="", subject=ERASED, message_id="", body_text=ERASED, raw=""
    )
    return count


def erase_calls(tenant, records, cases, phones: set[str]) -> int:
    calls = Call.objects.filter(tenant=tenant).filter(
        Q(person__in=records) | Q(caller_normalised__in=phones) | Q(case_links__case__in=cases)
    )
    ids = list(calls.values_list("pk", flat=True).distinct())
    Call.objects.filter(tenant=tenant, pk__in=ids).update(caller="", caller_normalised="")
    Call.objects.filter(tenant=tenant, pk__in=ids).exclude(notes="").update(notes=ERASED)
    CallEvent.objects.filter(tenant=tenant, call_id__in=ids).update(payload={})
    callbacks = CallBack.objects.filter(tenant=tenant).filter(
        Q(person__in=records) | Q(phone__in=phones) | Q(call_id__in=ids) | Q(case__in=cases)
    )
    callback_ids = list(callbacks.values_list("pk", flat=True))
    CallBack.objects.filter(tenant=tenant, pk__in=callback_ids).update(phone="")
    CallBack.objects.filter(tenant=tenant, pk__in=callback_ids).exclude(notes="").update(notes=ERASED)
    CallBack.objects.filter(tenant=tenant, pk__in=callback_ids).exclude(done_note="").update(done_note=ERASED)
    return len(ids) + len(callback_ids)
