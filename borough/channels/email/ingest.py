"""From a spooled message to its outcome: a new case, more information on the case it replies to, a message
waiting for review, or an automatic message kept and ignored. One transaction per message; the spool file is
removed only after it commits, and a message already ingested is never ingested twice."""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from borough.channels.email.addresses import Recipient, is_own_address, recipient_for
from borough.channels.email.automatic import automatic_reason
from borough.channels.email.parse import Attachment, ParsedEmail, parse_email
from borough.channels.email.quotes import new_text
from borough.channels.email.spool import SpooledMessage, spool_dir, spool_read, spool_remove
from borough.channels.email.threading import case_for_reply, thread_remember
from borough.channels.models import InboundEmail
from borough.core.audit import Actor, acting_as
from borough.core.inserts import insert_row
from borough.core.outbox import outbox_delivered_here
from borough.crm.attachments import MAX_ATTACHMENTS, check_attachment
from borough.crm.models import Case, CaseChannel
from borough.crm.services import MAX_DESCRIPTION, case_add_resident_information, case_create
from borough.crm.transitions import DONE_STATUSES
from borough.people.models import Channel, ContactPoint
from borough.people.services import person_create, person_find
from borough.tenancy.scope import tenant_scope

logger = logging.getLogger(__name__)
SENDER_LIMIT_PER_HOUR = 20
Outcome = InboundEmail.Outcome


def ingest_spooled(name: str) -> InboundEmail | None:
    """Ingest one spooled message (None when it is gone already, or its address no longer reaches a tenant, in
    which case it is moved aside to <spool>/unroutable for the provider to look at)."""
    spooled = spool_read(name)
    if spooled is None:
        return None
    recipient = recipient_for(spooled.recipient)
    if recipient is None:
        _set_aside(name, spooled)
        return None
    # The acknowledgement a new case queues is sent by this worker once the case is committed (ADR 0020).
    with tenant_scope(recipient.tenant), acting_as(Actor.system("Email gateway")), outbox_delivered_here():
        try:
            existing = _ingest(spooled, recipient)
        except IntegrityError:
            # Ingested already (its file outlived the commit), or the sweep and the gateway's task took the same
            # file at once: the spool name is unique, so the whole second attempt rolled back.
            existing = InboundEmail.objects.filter(tenant=recipient.tenant, spool_name=name).first()
            if existing is None:
                raise
    spool_remove(name)
    return existing


def _set_aside(name: str, spooled: SpooledMessage) -> None:
    aside = spool_dir() / "unroutable"
    aside.mkdir(exist_ok=True)
    for suffix in (".eml", ".json"):
        source = spool_dir() / f"{name}{suffix}"
        if source.exists():
            source.replace(aside / source.name)
    logger.warning("Mail for %s reaches no tenant now; kept in %s", spooled.recipient, aside)


@transaction.atomic
def _ingest(spooled: SpooledMessage, recipient: Recipient) -> InboundEmail:
    tenant = recipient.tenant
    raw = spooled.raw()
    email = parse_email(raw)
    record = InboundEmail(
        tenant=tenant,
        spool_name=spooled.name,
        received_at=spooled.received_at,
        envelope_from=spooled.envelope_from[:320],
        recipient=spooled.recipient[:320],
        mailbox=recipient.mailbox,
        from_address=email.from_address[:320],
        from_name=email.from_name[:200],
        subject=email.subject,
        message_id=email.message_id,
        size=len(raw),
    )
    record.raw.save(f"{spooled.name}.eml", ContentFile(raw), save=False)
    outcome, reason, case = _decide(tenant, recipient, spooled, email, record)
    problems = "; ".join(email.problems)
    record.outcome = outcome
    record.reason = (f"{reason}. {problems}" if problems else reason)[:300]
    record.case = case
    insert_row(record)  # ADR 0020
    if case is not None:
        thread_remember(tenant, email.message_id, case)
    return record


def _decide(tenant, recipient: Recipient, spooled, email: ParsedEmail, record: InboundEmail):
    """(outcome, reason, case) for the message; writes the case or its new information."""
    automatic = automatic_reason(
        email, envelope_from=spooled.envelope_from, is_own=lambda address: is_own_address(tenant, address)
    )
    record.body_text = new_text(email.text)
    if automatic:
        return Outcome.IGNORED, automatic, None
    if not email.from_address or "@" not in email.from_address:
        return Outcome.REVIEW, "The sender's address could not be read", None
    record.person = person_find(tenant=tenant, email=email.from_address)
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = InboundEmail.objects.filter(tenant=tenant, from_address=email.from_address, received_at__gte=hour_ago)
    if recent.count() >= SENDER_LIMIT_PER_HOUR:
        return Outcome.REVIEW, f"More than {SENDER_LIMIT_PER_HOUR} messages from this sender in an hour", None
    files, refused = _attachments(email.attachments)
    case = case_for_reply(tenant, email)
    if case is not None:
        return _reply(case, email, record, files, refused)
    if recipient.mailbox is None:
        return Outcome.REVIEW, f"No mailbox called {spooled.recipient.partition('@')[0]}", None
    return _new_case(tenant, recipient, email, record, files, refused)


def _attachments(attachments: tuple[Attachment, ...]) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The attachments a case accepts (type and size, as on every channel), and a note on each one it does not."""
    accepted, refused = [], []
    for attachment in attachments:
        upload = SimpleUploadedFile(attachment.name[:200], attachment.content, attachment.content_type)
        if len(accepted) >= MAX_ATTACHMENTS:
            refused.append(f"{upload.name}: more than {MAX_ATTACHMENTS} files")
            continue
        try:
            check_attachment(upload)
        except ValidationError as error:
            refused.append("; ".join(error.messages))
            continue
        accepted.append(upload)
    return accepted, refused


def _with_refusals(text: str, refused: list[str]) -> str:
    if not refused:
        return text
    note = "Not attached (kept in the original email): " + "; ".join(refused)
    return f"{text}\n\n[{note}]" if text else f"[{note}]"


def _reply(case: Case, email: ParsedEmail, record: InboundEmail, files, refused):
    resident_emails = set()
    if case.requester_id is not None:
        resident_emails = set(
            ContactPoint.objects.filter(
                tenant=case.tenant, person_id=case.requester_id, kind=ContactPoint.Kind.EMAIL
            ).values_list("normalised", flat=True)
        )
    if email.from_address not in resident_emails:
        return Outcome.REVIEW, f"About {case.reference}, but not from the resident's email address", case
    if case.status in DONE_STATUSES:
        return Outcome.REVIEW, f"A reply to {case.reference}, which is {case.get_status_display().lower()}", case
    body = _with_refusals(record.body_text or email.subject, refused)
    try:
        case_add_resident_information(case=case, body=body, attachments=files, channel=Channel.EMAIL)
    except ValidationError as error:
        return Outcome.REVIEW, f"Could not be added to {case.reference}: {' '.join(error.messages)}", case
    return Outcome.ADDED_TO_CASE, f"A reply to {case.reference}", case


def _names(display_name: str) -> tuple[str, str]:
    display_name = " ".join(display_name.replace('"', " ").split())
    if "," in display_name:
        family, _comma, given = display_name.partition(",")
        return given.strip()[:100], family.strip()[:100]
    given, _space, family = display_name.rpartition(" ")
    return (given[:100], family[:100]) if given else ("", family[:100])


def _new_case(tenant, recipient: Recipient, email: ParsedEmail, record: InboundEmail, files, refused):
    body = record.body_text if record.body_text else "(The email had no text.)"
    description = _with_refusals(f"{email.subject}\n\n{body}" if email.subject else body, refused)
    if len(description) > MAX_DESCRIPTION:
        description = description[: MAX_DESCRIPTION - 80] + "\n\n[Shortened here: the whole email is kept.]"
    given, family = _names(email.from_name)
    try:
        with transaction.atomic():
            person = record.person or person_create(  # person_find found nobody with this address just now
                tenant=tenant,
                email=email.from_address,
                given_name=given,
                family_name=family,
                preferred_channel=Channel.EMAIL,
            )
            case = case_create(
                tenant=tenant,
                service=recipient.mailbox.service,
                channel=CaseChannel.EMAIL,
                description=description,
                requester=person,
                attachments=files,
            )
    except ValidationError as error:
        return Outcome.REVIEW, f"A case could not be opened: {' '.join(error.messages)}", None
    record.person = person
    return Outcome.CASE_CREATED, f"New case {case.reference} for {recipient.mailbox.service.name}", case
