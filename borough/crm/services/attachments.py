"""Files staff and integrations add to a case after it was made (residents' files come with the case, or as
information from the resident): checked as at creation, with a timeline entry and an audit event."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record
from borough.crm.attachments import check_attachment
from borough.crm.models import Case, CaseAttachment, CaseEvent
from borough.crm.services.common import Errors, case_event, lock_case
from borough.crm.services.create import save_attachments


def case_add_attachment(*, case: Case, file, is_public: bool = False) -> CaseAttachment:
    """Attach one file (a photo or a PDF, 10 MB at most; the type is read from its first bytes). Staff only see it
    unless `is_public`, when the resident sees it with their case too.

    ValidationError names the bad field (`file`, `is_public`), and nothing is written.
    """
    errors = Errors()
    if not isinstance(is_public, bool):
        errors.add("is_public", "Say whether the resident may see the file: true or false")
    content_type = ""
    if file is None:
        errors.add("file", "Choose a file to attach: a photo or a PDF")
    else:
        try:
            content_type = check_attachment(file)
        except ValidationError as error:
            for message in error.message_dict["attachments"]:
                errors.add("file", message)
    errors.raise_any()
    with transaction.atomic():
        case = lock_case(case)
        now = timezone.now()
        [attachment_id] = save_attachments(case, [(file, content_type)], now, public=is_public)
        attachment = CaseAttachment.objects.get(tenant=case.tenant, pk=attachment_id)
        event = case_event(
            case,
            CaseEvent.Kind.ATTACHMENT,
            body=f"Added {attachment.original_name}.",
            public=is_public,
            at=now,
            data={"attachments": [attachment.pk]},
        )
        audit_record(
            tenant=case.tenant,
            action="case.attachment",
            obj=case,
            detail={
                "event": event.pk,
                "attachment": attachment.pk,
                "original_name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "is_public": is_public,
            },
        )
    return attachment
