"""A posted service request update (FixMyStreet's extension) applied through the case services.

- A status asking for the case to be open (OPEN, REOPEN, INVESTIGATING, ...) reopens a resolved or closed case,
  with the words as the reason; past the tenant's reopen period that is refused with the service's reason.
- Words and photos on a working case become information from the resident.
- Words on a finished case that is not reopened (a "thank you" on a fixed report) are kept as an internal note.
- A status saying it is finished (FIXED, CLOSED, ...) resolves a working case, as the transition rules allow.

FixMyStreet sends its own `update_id` and posts again when an answer times out. The event that answered an update
keeps that id (unique per tenant), so the same update posted again gets the first answer and changes nothing; the
same id with different fields is refused.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from borough.core.audit import audit_record
from borough.crm.models import Case, CaseEvent
from borough.crm.open311.errors import bad_request
from borough.crm.open311.statuses import ASKS_CLOSED, ASKS_OPEN
from borough.crm.services import case_add_note, case_add_resident_information, case_reopen, case_transition
from borough.crm.services.common import lock_case
from borough.crm.transitions import can_transition

MAX_UPDATE_ID = CaseEvent._meta.get_field("open311_update_id").max_length
FINGERPRINT = "open311_fingerprint"  # the key of the event's data that says what the update sent


def allowed_statuses() -> str:
    return ", ".join(sorted(ASKS_OPEN | ASKS_CLOSED))


def check_status(status: str) -> None:
    if status and status not in ASKS_OPEN | ASKS_CLOSED:
        raise bad_request(f"Unknown status {status!r}: use one of {allowed_statuses()}.")


def apply_update(*, case: Case, status: str, body: str, author: str, files) -> CaseEvent:
    """Call inside a transaction. Returns the newest event of the case, whose id is the update's id."""
    last_event_id = CaseEvent.objects.filter(case=case).order_by("-id").values_list("id", flat=True).first()
    reopened = False
    if status in ASKS_OPEN and not case.is_open:
        try:
            case = case_reopen(case=case, reason=body or f"Reported as {status} through Open311.")
        except ValidationError as error:
            raise bad_request(*error.messages) from error
        reopened = True
    if case.is_open and (files or (body and not reopened)):
        case_add_resident_information(case=case, body="" if reopened else body, attachments=files)
    elif not case.is_open and files:
        raise bad_request("media: this request is finished, so photos cannot be added; reopen it with status OPEN.")
    elif not case.is_open and body:
        by = f" from {author}" if author else ""
        case_add_note(case=case, body=f"Comment{by} through Open311 after the request was finished:\n\n{body}")
    if status in ASKS_CLOSED and case.is_open and can_transition(case.status, Case.Status.RESOLVED):
        case = case_transition(case=case, to_status=Case.Status.RESOLVED, note=f"Reported as {status} through Open311.")
    event = CaseEvent.objects.filter(case=case).order_by("-id").first()
    if event is None or event.pk == last_event_id:
        raise bad_request("Nothing to record: send a description, a photo, or a status that changes the request.")
    return event


def client_update_id(fields) -> str:
    """The client's own id of the update it posts (FixMyStreet's `update_id`), or "" when it sends none."""
    update_id = fields.get("update_id")
    if len(update_id) > MAX_UPDATE_ID:
        raise bad_request(f"update_id may have at most {MAX_UPDATE_ID} characters.")
    return update_id


def _fingerprint(*, case: Case, status: str, body: str, author: str, files) -> str:
    """What makes a retry the same update: the request it is for, its status, words, author and photos (not the
    time it was sent, which a client may set afresh when it tries again)."""
    digest = hashlib.sha256()
    for part in (case.reference, status, body, author):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for uploaded_file in files:
        uploaded_file.seek(0)
        for chunk in uploaded_file.chunks():
            digest.update(chunk)
        uploaded_file.seek(0)
        digest.update(b"\0")
    return digest.hexdigest()


def _recorded_update(*, tenant, update_id: str, fingerprint: str) -> CaseEvent | None:
    """The event that answered this update_id before, or None; a 400 when the id came with different fields."""
    event = CaseEvent.objects.filter(tenant=tenant, open311_update_id=update_id).first()
    if event is not None and event.data.get(FINGERPRINT) != fingerprint:
        raise bad_request(
            f"update_id {update_id!r} has already been used for a different update. Give each new update its own "
            "update_id; a retry must send the same fields as the first attempt."
        )
    return event


def _record_update(*, case: Case, update_id: str, fingerprint: str, **update) -> tuple[CaseEvent, bool]:
    """Inside a transaction. The case is locked first, so a retry arriving while the first attempt is still at work
    waits for it, then finds its answer."""
    case = lock_case(case)
    earlier = _recorded_update(tenant=case.tenant, update_id=update_id, fingerprint=fingerprint)
    if earlier is not None:
        return earlier, False
    event = apply_update(case=case, **update)
    event.open311_update_id = update_id
    event.data = {**event.data, FINGERPRINT: fingerprint}
    event.save(update_fields=["open311_update_id", "data"])  # the database refuses a second use of the id
    audit_record(
        tenant=case.tenant, action="case.open311_update", obj=case, detail={"update_id": update_id, "event": event.pk}
    )
    return event, True


def update_once(*, case: Case, update_id: str, status: str, body: str, author: str, files) -> tuple[CaseEvent, bool]:
    """Apply a posted update once per `update_id` (none given: every post is a new update). Returns the event that
    answers it and whether it is new; an update_id answered before gives its first event and writes nothing."""
    update = {"status": status, "body": body, "author": author, "files": files}
    if not update_id:
        with transaction.atomic():
            return apply_update(case=case, **update), True
    fingerprint = _fingerprint(case=case, **update)
    try:
        with transaction.atomic():
            return _record_update(case=case, update_id=update_id, fingerprint=fingerprint, **update)
    except IntegrityError:
        # Recorded meanwhile by a post about another case (the case lock orders those about the same one).
        earlier = _recorded_update(tenant=case.tenant, update_id=update_id, fingerprint=fingerprint)
        if earlier is None:
            raise
        return earlier, False
