"""A posted service request update (FixMyStreet's extension) applied through the case services.

- A status asking for the case to be open (OPEN, REOPEN, INVESTIGATING, ...) reopens a resolved or closed case,
  with the words as the reason; past the tenant's reopen period that is refused with the service's reason.
- Words and photos on a working case become information from the resident.
- Words on a finished case that is not reopened (a "thank you" on a fixed report) are kept as an internal note.
- A status saying it is finished (FIXED, CLOSED, ...) resolves a working case, as the transition rules allow.
"""

from django.core.exceptions import ValidationError

from borough.crm.models import Case, CaseEvent
from borough.crm.open311.errors import bad_request
from borough.crm.open311.statuses import ASKS_CLOSED, ASKS_OPEN
from borough.crm.services import case_add_note, case_add_resident_information, case_reopen, case_transition
from borough.crm.transitions import can_transition


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
