"""The withdrawal letter: a resident who was sent a recovery notice is told, in plain words, when it is withdrawn
(recovery_withdraw): which notice, that it is withdrawn, why, the costs taken off and what they owe now.

No table of its own: the letter is kept on the withdrawn RecoveryAction's `detail` under `withdrawal_letter` (what
it says, and how and when it went), so it is made once per withdrawal, and a withdrawal happens once. It is sent as
notices are (recovery/sending.py): emailed with the PDF in the withdrawal's transaction when the account has
e-billing (outbox key `revenues-recovery-withdrawal-<id>`), otherwise in the next recovery print file
(`revenues.recovery_print`), which also emails an e-billing letter whose email could not be made at once. A notice
withdrawn before it was sent gets no letter: the resident never had it.
"""

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from borough.core.audit import audit_record
from borough.core.calc.money import format_gbp
from borough.core.outbox import outbox_enqueue
from borough.revenues.calc import recovery as calc
from borough.revenues.documents.files import media_path, write_atomically
from borough.revenues.documents.render import render_pdf
from borough.revenues.models import RecoveryAction, RevenuesSettings
from borough.revenues.recovery.notices import long_day

logger = logging.getLogger(__name__)

KEY = "withdrawal_letter"
TEMPLATE = "revenues/recovery/withdrawal_document.html"
EMAIL_TEMPLATE = "revenues/recovery/withdrawal_email.txt"
# What the letter calls the notice withdrawn.
NOUNS = {
    calc.REMINDER: "reminder notice",
    calc.SECOND_REMINDER: "second reminder notice",
    calc.FINAL_NOTICE: "final notice",
    calc.SUMMONS: "summons to the magistrates' court",
    calc.LIABILITY_ORDER: "liability order",
}


def letter_of(action: RecoveryAction) -> dict[str, Any] | None:
    """The withdrawal letter kept on the action, if one was made."""
    return (action.detail or {}).get(KEY)


def letter_lines(
    *,
    stage: str,
    tax_words: str,
    issued_on: date,
    grounds: str,
    hearing: date | None,
    costs_off: Decimal,
    costs_kept: Decimal,
    owed: Decimal,
    financial_year: str,
    phone: str,
) -> list[str]:
    """What the letter says, in plain words (pure, so each case can be read in a test)."""
    notice = NOUNS[stage]
    lines = [f"We have withdrawn the {notice} we sent you on {long_day(issued_on)}. You do not need to act on it."]
    if grounds == RecoveryAction.Grounds.PAID:
        lines.append(
            "You paid the amount and the costs before the hearing, so we have withdrawn our application to the "
            "magistrates' court"
            + (f": the hearing on {long_day(hearing)} will not go ahead for you" if hearing else "")
            + " and no liability order will be made."
        )
    else:
        lines.append("We sent it to you by mistake. We are sorry.")
    if costs_off > 0:
        lines.append(f"We have taken off the costs of {format_gbp(costs_off)} that we added with it.")
    elif costs_kept > 0:
        lines.append(f"The costs of {format_gbp(costs_kept)} stay on your account: you paid them with the amount.")
    if owed > 0:
        lines.append(
            f"You now owe {format_gbp(owed)} of {tax_words} for {financial_year}, costs included. Any instalments your "
            "bill shows still to come are part of this amount."
        )
    else:
        lines.append(f"You owe nothing more of {tax_words} for {financial_year}.")
    lines.append("If you have a question, contact us" + (f" on {phone}." if phone else "."))
    return lines


def letter_make(*, action: RecoveryAction, costs_off: Decimal, owed: Decimal, today: date) -> dict[str, Any] | None:
    """Write the letter onto a notice just withdrawn (in the withdrawal's transaction), if the resident had the
    notice. Returns the letter, or None."""
    if action.sent_at is None:
        return None
    notice = action.detail or {}
    tax_words = "council tax" if action.account.dwelling_id else "business rates"
    settings = RevenuesSettings.objects.filter(tenant_id=action.tenant_id).first()
    letter = {
        "title": f"{tax_words.capitalize()}: your {NOUNS[action.stage]} is withdrawn",
        "notice_title": notice.get("title") or NOUNS[action.stage].capitalize(),
        "authority": notice.get("authority") or action.tenant.name,
        "account_number": action.account.number,
        "names": list(notice.get("names") or []),
        "property": notice.get("property", ""),
        "correspondence_address": action.account.correspondence_address or notice.get("correspondence_address", ""),
        "financial_year": action.financial_year,
        "issued_on": action.issued_on.isoformat(),
        "withdrawn_on": today.isoformat(),
        "grounds": action.withdrawal_grounds,
        "costs_taken_off": str(costs_off),
        "owed": str(owed),
        "lines": letter_lines(
            stage=action.stage,
            tax_words=tax_words,
            issued_on=action.issued_on,
            grounds=action.withdrawal_grounds,
            hearing=action.hearing_date,
            costs_off=costs_off,
            costs_kept=action.costs if action.withdrawal_grounds == RecoveryAction.Grounds.PAID else Decimal(0),
            owed=owed,
            financial_year=action.financial_year,
            phone=settings.enquiries_phone if settings else "",
        ),
        "made_at": timezone.now().isoformat(),
        "delivery": "",
        "sent_at": None,
        "run": None,
    }
    action.detail = {**notice, KEY: letter}
    action.save(update_fields=["detail"])
    return letter


def letter_document_context(action: RecoveryAction) -> dict[str, Any]:
    return {"action": action, "notice": letter_of(action)}


def letter_pdf(action: RecoveryAction) -> bytes:
    return render_pdf(TEMPLATE, letter_document_context(action))


def letter_file_path(action: RecoveryAction) -> str:
    return f"tenants/{action.tenant_id}/revenues/recovery/{action.financial_year}/{action.pk}-withdrawal.pdf"


def letter_outbox_key(action: RecoveryAction) -> str:
    return f"revenues-recovery-withdrawal-{action.pk}"


def letter_waiting(letter: dict[str, Any] | None) -> bool:
    return bool(letter) and not letter.get("sent_at")


def letter_mark_sent(action: RecoveryAction, delivery: str, *, run_id: int | None = None, **extra: Any) -> None:
    letter = dict(letter_of(action) or {})
    letter.update(delivery=delivery, sent_at=timezone.now().isoformat(), run=run_id, **extra)
    action.detail = {**action.detail, KEY: letter}
    action.save(update_fields=["detail"])


@transaction.atomic
def letter_email(*, action: RecoveryAction, run_id: int | None = None) -> bool:
    """Email the letter with its PDF if the account has e-billing and it has not gone. True if it was emailed."""
    action = (
        RecoveryAction.objects.select_for_update(of=("self",)).select_related("account", "tenant").get(pk=action.pk)
    )
    letter = letter_of(action)
    if not letter_waiting(letter) or not action.account.ebilling_email:
        return False
    relative = letter_file_path(action)
    write_atomically(media_path(relative), letter_pdf(action))
    settings = RevenuesSettings.objects.filter(tenant_id=action.tenant_id).first()
    body = render_to_string(
        EMAIL_TEMPLATE,
        {"letter": letter, "council": letter["authority"], "phone": settings.enquiries_phone if settings else ""},
    )
    filename = f"withdrawn-{action.stage.replace('_', '-')}-{action.account.number}-{letter['withdrawn_on']}.pdf"
    message = outbox_enqueue(
        tenant=action.tenant,
        kind="email.smtp",
        payload={
            "to": [action.account.ebilling_email],
            "subject": f"{letter['title']} (account {action.account.number})",
            "body": body,
            "attachments": [{"path": relative, "filename": filename, "content_type": "application/pdf"}],
        },
        idempotency_key=letter_outbox_key(action),
    )
    letter_mark_sent(action, RecoveryAction.Delivery.EMAIL, run_id=run_id, outbox_message=message.pk)
    audit_record(
        tenant=action.tenant,
        action="revenues.recovery_withdrawal_letter_send",
        obj=action.account,
        after={"delivery": RecoveryAction.Delivery.EMAIL},
        detail={"recovery_action_id": action.pk, "outbox_message": message.pk},
    )
    return True


def letter_send_now(action: RecoveryAction) -> None:
    """At withdrawal: email an e-billing letter at once. If the email cannot be made (the PDF fails), the
    withdrawal still stands and the letter waits for the print file, which tries again and reports the error."""
    try:
        with transaction.atomic():
            letter_email(action=action)
    except Exception:
        logger.exception("Withdrawal letter for recovery action %s: left for the print file", action.pk)


def letters_for_print_run(*, tenant_id: int, day: date, started: datetime, run_id: int) -> list[int]:
    """The withdrawals whose letter a print run of `day` sends: made on or before that day and before the run
    started, and not sent before it started (or sent by this run). The same list every time for a run."""
    rows = (
        RecoveryAction.objects.filter(
            tenant_id=tenant_id, status=RecoveryAction.Status.WITHDRAWN, withdrawn_on__lte=day, detail__has_key=KEY
        )
        .order_by("pk")
        .values_list("pk", f"detail__{KEY}")
    )
    chosen = []
    for pk, letter in rows:
        if not isinstance(letter, dict) or datetime.fromisoformat(letter["made_at"]) >= started:
            continue
        sent = letter.get("sent_at")
        if not sent or letter.get("run") == run_id or datetime.fromisoformat(sent) >= started:
            chosen.append(pk)
    return chosen
