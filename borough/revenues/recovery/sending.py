"""Sending a recovery notice to the resident, as bills are sent (borough.revenues.documents.delivery): by email with
the notice as a PDF attachment through the outbox (`email.smtp`) when the account chose e-billing, otherwise in the
day's print file (run kind `revenues.recovery_print`). A summons is not posted by us: the court serves it from the
summons list, so it is marked sent to the court when the daily run writes the list.

Each notice is sent once: `sent_at` is set in the same transaction as the email is queued (the outbox key is per
notice as a backstop), and a notice withdrawn or already paid before it goes is not sent.
"""

import re

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from borough.core.audit import audit_record, snapshot
from borough.core.outbox import outbox_enqueue
from borough.revenues.documents.files import media_path, write_atomically
from borough.revenues.models import RecoveryAction, RevenuesSettings
from borough.revenues.recovery.notices import notice_pdf

EMAIL_TEMPLATE = "revenues/recovery/notice_email.txt"
DELIVERY_FIELDS = ["delivery", "sent_at"]
ADDRESS_LINES = 5
POSTCODE_LINE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
# What the court serves (summons) or records (liability order made at a hearing, posted with the print file).
NOT_POSTED = (RecoveryAction.Stage.SUMMONS,)


def notice_file_path(action: RecoveryAction) -> str:
    """The stored PDF's path relative to MEDIA_ROOT (under the tenant's folder, which the outbox may attach)."""
    return f"tenants/{action.tenant_id}/revenues/recovery/{action.financial_year}/{action.pk}.pdf"


def notice_file_name(action: RecoveryAction) -> str:
    return f"{action.stage.replace('_', '-')}-{action.account.number}-{action.issued_on.isoformat()}.pdf"


def outbox_key(action: RecoveryAction) -> str:
    return f"revenues-recovery-{action.pk}"


def waiting(queryset=None):
    """Notices still to go out: issued, not sent, and not a summons."""
    queryset = RecoveryAction.objects.all() if queryset is None else queryset
    return queryset.filter(sent_at__isnull=True, status=RecoveryAction.Status.ISSUED).exclude(stage__in=NOT_POSTED)


def notice_recipient(action: RecoveryAction) -> dict:
    """Who the notice is addressed to and the postal address lines (the correspondence address if the account has
    one, else the property), with the postcode on its own for the mailing house."""
    notice = action.detail or {}
    names = list(notice.get("names") or []) or [party.name for party in action.account.parties.all()]
    correspondence = str(notice.get("correspondence_address") or action.account.correspondence_address or "")
    if correspondence.strip():
        lines = [line.strip() for line in correspondence.replace(",", "\n").splitlines() if line.strip()]
        postcode = lines[-1].upper() if POSTCODE_LINE.match(lines[-1].strip().upper()) else ""
    else:
        prop = action.account.property
        lines = [prop.address_line_1, prop.address_line_2, prop.address_line_3, prop.town, prop.postcode]
        lines = [line for line in lines if line]
        postcode = prop.postcode
    return {"names": names, "lines": lines, "postcode": postcode}


def _email(action: RecoveryAction, pdf: bytes) -> dict:
    relative = notice_file_path(action)
    write_atomically(media_path(relative), pdf)
    notice = action.detail or {}
    settings = RevenuesSettings.objects.filter(tenant_id=action.tenant_id).first()
    body = render_to_string(
        EMAIL_TEMPLATE,
        {
            "action": action,
            "notice": notice,
            "council": notice.get("authority") or action.tenant.name,
            "phone": settings.enquiries_phone if settings else "",
        },
    )
    return {
        "to": [action.account.ebilling_email],
        "subject": f"{notice.get('title') or action.get_stage_display()} (account {action.account.number})",
        "body": body,
        "attachments": [{"path": relative, "filename": notice_file_name(action), "content_type": "application/pdf"}],
    }


@transaction.atomic
def recovery_notice_send(*, action: RecoveryAction) -> RecoveryAction:
    """Email the notice if its account has e-billing; otherwise leave it for the print file. A notice already sent,
    withdrawn or paid, or a summons (the court serves it), is left as it is."""
    action = (
        RecoveryAction.objects.select_for_update(of=("self",)).select_related("account", "tenant").get(pk=action.pk)
    )
    if action.sent_at is not None or action.status != RecoveryAction.Status.ISSUED or action.stage in NOT_POSTED:
        return action
    if not action.account.ebilling_email:
        return action
    before = snapshot(action, DELIVERY_FIELDS)
    payload = _email(action, notice_pdf(action))
    message = outbox_enqueue(
        tenant=action.tenant, kind="email.smtp", payload=payload, idempotency_key=outbox_key(action)
    )
    action.delivery, action.sent_at = RecoveryAction.Delivery.EMAIL, timezone.now()
    action.save(update_fields=DELIVERY_FIELDS)
    audit_record(
        tenant=action.tenant,
        action="revenues.recovery_send",
        obj=action.account,
        before=before,
        after=snapshot(action, DELIVERY_FIELDS),
        detail={"recovery_action_id": action.pk, "stage": action.stage, "outbox_message": message.pk},
    )
    return action
