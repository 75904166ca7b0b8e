"""The transactional outbox (DESIGN.md rule 4): a side effect is written as a message in the same transaction
as the change that causes it, and delivered after the commit by a worker, with retries. Nothing reaches a
remote system for a change that was rolled back, and nothing is lost when the remote system is down.

    outbox_enqueue(tenant=tenant, kind="email.smtp", idempotency_key=f"case-{case.pk}-ack",
                   payload={"to": ["a@example.org"], "subject": "...", "body": "..."})

A worker that dies after the remote system accepted a message but before recording it leaves the message
claimed; when its lease (`locked_until`) runs out another worker takes it. Before any retry (of an abandoned
attempt, or of one that failed, perhaps by a timeout after the remote system accepted it) the worker asks the
kind's `recover` hook whether the remote system already has the message (GOV.UK Notify can be asked by
reference): if so it is recorded as sent, not sent twice. A kind without that hook (SMTP) delivers it again,
with the same idempotency key (for email, its Message-ID) so the receiver can recognise the repeat. Two workers
never deliver the same message at the same time: a worker claims it under a row lock that other workers skip.
"""

import hashlib
import logging
import smtplib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from email.utils import parseaddr
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from borough.core.inserts import insert_row
from borough.core.models import OutboxMessage
from borough.core.outbox_handoff import outbox_handoff

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH_SIZE = 50  # messages a worker claims and delivers in one task, for bulk producers
LOOP_HEADER = "X-Borough-Loop"
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)

Handler = Callable[[OutboxMessage], dict[str, Any] | None]
Validator = Callable[[dict[str, Any]], None]
Preparer = Callable[[Any, dict[str, Any]], dict[str, Any]]
Recoverer = Callable[[OutboxMessage], dict[str, Any] | None]


class OutboxRefused(Exception):
    """Raised by a delivery the remote system refused for good (an invalid number, say): retrying cannot help, so
    the message is given up at once, with the reason, instead of after the last attempt."""


class OutboxKind:
    def __init__(
        self,
        deliver: Handler,
        validate: Validator | None,
        prepare: Preparer | None = None,
        recover: Recoverer | None = None,
    ):
        self.deliver = deliver
        self.validate = validate
        self.prepare = prepare
        self.recover = recover


OUTBOX_HANDLERS: dict[str, OutboxKind] = {}


def outbox_handler(
    kind: str,
    *,
    validate: Validator | None = None,
    prepare: Preparer | None = None,
    recover: Recoverer | None = None,
):
    """Register the function that delivers messages of `kind`; it raises to have the message retried.
    `prepare(tenant, payload)` completes a payload when it is queued (e.g. the tenant's sender address).
    `recover(message)` is asked before every retry: it returns the delivery's result if the remote system already
    has the message (then it is not sent again), else None."""

    def register(deliver: Handler) -> Handler:
        OUTBOX_HANDLERS[kind] = OutboxKind(deliver, validate, prepare, recover)
        return deliver

    return register


# Set inside `outbox_delivered_here`: the ids of messages committed there, for this process to deliver.
_delivered_here: ContextVar[list[int] | None] = ContextVar("outbox_delivered_here", default=None)


@contextmanager
def outbox_delivered_here() -> Iterator[None]:
    """Messages queued by `outbox_enqueue` inside this block, and committed before it ends, are delivered by this
    process as the block ends (still in the caller's tenant scope) instead of each going to a worker through the
    broker. For a worker task whose own work queues a message (an email's acknowledgement): one task fewer a
    message. A delivery that fails is retried like any other; a process that dies first leaves its messages pending,
    and `outbox_deliver_due` (every 30 s) hands them to a worker."""
    token = _delivered_here.set([])
    try:
        yield
        ids = _delivered_here.get() or []
    finally:
        _delivered_here.reset(token)
    if ids:
        outbox_deliver_many(ids=ids)


def _dispatch(message: OutboxMessage) -> None:
    from borough.core.tasks import outbox_deliver_task  # the tasks module imports this one

    here = _delivered_here.get()
    if here is not None:
        here.append(message.pk)
        return
    handoff = outbox_handoff()
    if handoff is not None:  # with the messages of the next few requests, in one task (ADR 0023)
        handoff.add(message.tenant_id, message.pk)
        return
    outbox_deliver_task.delay(tenant_id=message.tenant_id, message_id=message.pk)


def _dispatch_batches(tenant_id: int, ids: list[int]) -> None:
    from borough.core.tasks import outbox_deliver_batch_task  # the tasks module imports this one

    for start in range(0, len(ids), BATCH_SIZE):
        outbox_deliver_batch_task.delay(tenant_id=tenant_id, message_ids=ids[start : start + BATCH_SIZE])


def _insert(*, tenant, kind: str, payload: dict[str, Any], idempotency_key: str) -> tuple[OutboxMessage, bool]:
    handler = OUTBOX_HANDLERS.get(kind)
    if handler is None:
        raise ValidationError({"kind": f"No outbox handler for {kind!r}. Known: {', '.join(sorted(OUTBOX_HANDLERS))}"})
    key_length = OutboxMessage._meta.get_field("idempotency_key").max_length
    if not idempotency_key or len(idempotency_key) > key_length:
        raise ValidationError({"idempotency_key": f"Give an idempotency key of 1 to {key_length} characters."})
    if handler.prepare is not None:
        payload = handler.prepare(tenant, payload)
    if handler.validate is not None:
        handler.validate(payload)
    # Insert first: a new key is the common case. A key taken (an earlier message, or a race with another
    # transaction) writes nothing and leaves the caller's transaction usable.
    message = insert_row(
        OutboxMessage(tenant=tenant, idempotency_key=idempotency_key, kind=kind, payload=payload),
        ignore_conflicts=True,
    )
    if message.pk is None:
        message = OutboxMessage.objects.get(tenant=tenant, idempotency_key=idempotency_key)
        if message.kind != kind or message.payload != payload:
            logger.warning("Outbox key %r reused with a different message; the first one stands", idempotency_key)
        return message, False
    return message, True


def outbox_enqueue(*, tenant, kind: str, payload: dict[str, Any], idempotency_key: str) -> OutboxMessage:
    """Queue a side effect inside the caller's transaction. The same key twice is one message."""
    message, created = _insert(tenant=tenant, kind=kind, payload=payload, idempotency_key=idempotency_key)
    if created:
        transaction.on_commit(partial(_dispatch, message))
    return message


def outbox_enqueue_many(*, tenant, messages: Iterable[dict[str, Any]]) -> list[OutboxMessage]:
    """Queue many side effects inside the caller's transaction (a run's notifications, say): each a dict of
    `kind`, `payload` and `idempotency_key`, exactly as `outbox_enqueue`, but handed to the workers after the commit
    in batches of BATCH_SIZE, which a worker claims and settles together."""
    queued, new = [], []
    for spec in messages:
        message, created = _insert(tenant=tenant, **spec)
        queued.append(message)
        if created:
            new.append(message.pk)
    if new:
        transaction.on_commit(partial(_dispatch_batches, tenant.pk, new))
    return queued


def due_messages(now=None) -> Q:
    """Messages a worker may claim now: due ones, and ones whose worker's lease ran out mid-delivery."""
    now = now or timezone.now()
    waiting = Q(status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED], next_attempt_at__lte=now)
    abandoned = Q(status=OutboxMessage.Status.SENDING, locked_until__lt=now)
    return waiting | abandoned


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8, ... minutes after the first, second, third ... failure, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def _claim_many(ids: list[int]) -> list[tuple[OutboxMessage, bool]]:
    """The messages of `ids` that are due and no other worker has, claimed for this worker in one transaction, each
    with whether an earlier attempt may have reached the remote system (one that failed may have timed out after it
    was accepted; one that was abandoned stopped at an unknown point)."""
    now = timezone.now()
    claimed: list[tuple[OutboxMessage, bool]] = []
    with transaction.atomic():
        due = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("tenant")
            .filter(due_messages(now), pk__in=ids)
            .order_by("pk")
        )
        for message in due:
            abandoned = message.status == OutboxMessage.Status.SENDING
            if abandoned and message.attempts >= MAX_ATTEMPTS and not _recoverable(message):
                message.status, message.locked_until = OutboxMessage.Status.DEAD, None
                message.last_error = (message.last_error + "\nThe last attempt did not finish.").strip()
                message.save(update_fields=["status", "locked_until", "last_error"])
                continue
            claimed.append((message, message.attempts > 0))
        if claimed:
            OutboxMessage.objects.filter(pk__in=[m.pk for m, _ in claimed]).update(
                status=OutboxMessage.Status.SENDING, attempts=F("attempts") + 1, locked_until=now + LEASE
            )
    for message, _tried_before in claimed:
        message.status, message.attempts, message.locked_until = (
            OutboxMessage.Status.SENDING,
            message.attempts + 1,
            now + LEASE,
        )
    return claimed


def _recoverable(message: OutboxMessage) -> bool:
    handler = OUTBOX_HANDLERS.get(message.kind)
    return handler is not None and handler.recover is not None


def _settle(message: OutboxMessage, **changes) -> None:
    # Only if our claim still stands: a lease that ran out may have passed the message to another worker.
    settled = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.SENDING, attempts=message.attempts
    ).update(locked_until=None, **changes)
    if settled:
        for name, value in {"locked_until": None, **changes}.items():
            setattr(message, name, value)
    else:
        message.refresh_from_db()


def _deliver_claimed(claimed: OutboxMessage, tried_before: bool) -> None:
    handler = OUTBOX_HANDLERS.get(claimed.kind)
    try:
        if handler is None:
            raise LookupError(f"No outbox handler for {claimed.kind!r}")
        result = None
        if tried_before and handler.recover is not None:
            recovered = handler.recover(claimed)
            result = None if recovered is None else {**recovered, "recovered": True}
        if result is None:
            if claimed.attempts > MAX_ATTEMPTS:  # only a recovery was left to try
                raise RuntimeError("The last attempt did not finish and the remote system does not have the message.")
            result = handler.deliver(claimed) or {}
    except Exception as error:
        logger.warning(
            "Outbox message %s (%s) attempt %s failed: %s", claimed.pk, claimed.kind, claimed.attempts, error
        )
        error_text = f"{type(error).__name__}: {error}"[:2000]
        if claimed.attempts >= MAX_ATTEMPTS or isinstance(error, OutboxRefused):
            _settle(claimed, status=OutboxMessage.Status.DEAD, last_error=error_text)
        else:
            _settle(
                claimed,
                status=OutboxMessage.Status.FAILED,
                last_error=error_text,
                next_attempt_at=timezone.now() + retry_delay(claimed.attempts),
            )
    else:
        _settle(claimed, status=OutboxMessage.Status.SENT, sent_at=timezone.now(), result=result, last_error="")


def outbox_deliver(*, message: OutboxMessage) -> OutboxMessage:
    """Deliver a message if it is due and no other worker has it; record the outcome and the next attempt."""
    claimed = _claim_many([message.pk])
    if not claimed:
        message.refresh_from_db()
        return message
    _deliver_claimed(*claimed[0])
    return claimed[0][0]


def outbox_deliver_many(*, ids: list[int]) -> int:
    """Deliver the due messages among `ids` (a batch a bulk producer queued), claimed together; each is settled as it
    goes, so a worker that dies mid-batch leaves the rest to the lease and to `recover`. The number delivered."""
    claimed = _claim_many(ids)
    for message, tried_before in claimed:
        _deliver_claimed(message, tried_before)
    return sum(1 for message, _ in claimed if message.status == OutboxMessage.Status.SENT)


def _addresses(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def validate_email_payload(payload: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    to = _addresses(payload.get("to"))
    if not to:
        errors["to"] = "Give at least one address to send to."
    for address in to:
        try:
            validate_email(address)
        except ValidationError:
            errors["to"] = f"{address!r} is not an email address."
    if not str(payload.get("subject") or "").strip():
        errors["subject"] = "Give the email a subject."
    if not isinstance(payload.get("body"), str):
        errors["body"] = "Give the email a body (text)."
    if "html" in payload and not isinstance(payload["html"], str):
        errors["html"] = "Give the HTML part as text, or leave it out."
    for field in ("from", "reply_to"):
        if payload.get(field):
            try:
                validate_email(parseaddr(payload[field])[1])
            except ValidationError:
                errors[field] = f"{payload[field]!r} is not an email address."
    if "attachments" in payload:
        errors["attachments"] = "This kind of message cannot carry attachments: send it as email.smtp."
    if errors:
        raise ValidationError(errors)


MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def attachment_path(tenant_id: int, relative: str) -> Path:
    """Where an attachment is kept: a file under MEDIA_ROOT/tenants/<tenant>/, never outside it."""
    root = (Path(settings.MEDIA_ROOT) / "tenants" / str(tenant_id)).resolve()
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if not path.is_relative_to(root):
        raise OutboxRefused(f"The attachment {relative!r} is not one of this tenant's files.")
    return path


def validate_smtp_email_payload(payload: dict[str, Any]) -> None:
    """An email payload, which may name files to attach: `attachments` [{"path" (relative to MEDIA_ROOT),
    "filename", "content_type"}]. The files are read when the email is sent, so the payload stays small."""
    attachments = payload.get("attachments")
    validate_email_payload({key: value for key, value in payload.items() if key != "attachments"})
    if attachments is None:
        return
    if not isinstance(attachments, list) or len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": f"Give a list of at most {MAX_ATTACHMENTS} attachments."})
    for attachment in attachments:
        path = attachment.get("path") if isinstance(attachment, dict) else None
        filename = attachment.get("filename") if isinstance(attachment, dict) else None
        if (
            not isinstance(path, str)
            or not path.startswith("tenants/")
            or ".." in Path(path).parts
            or not isinstance(filename, str)
            or not filename.strip()
            or "/" in filename
            or not isinstance(attachment.get("content_type"), str)
        ):
            raise ValidationError(
                {"attachments": "Give each attachment a path under tenants/, a file name and a content type."}
            )


def email_message_id(tenant_id: int, idempotency_key: str, from_email: str | None = None) -> str:
    """The Message-ID an email queued under `idempotency_key` is sent with: known when it is queued (so a reply's
    In-Reply-To can be traced to it) and the same for every attempt (so a receiver can tell a repeat)."""
    digest = hashlib.sha256(f"{tenant_id}:{idempotency_key}".encode()).hexdigest()[:40]
    domain = parseaddr(from_email or settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or settings.BOROUGH_BASE_DOMAIN
    return f"<outbox.{digest}@{domain}>"


def message_id_for(message: OutboxMessage, from_email: str) -> str:
    return email_message_id(message.tenant_id, message.idempotency_key, from_email)


def email_sender(tenant, payload: dict[str, Any]) -> dict[str, Any]:
    """The tenant's own From and Reply-To (from BOROUGH_EMAIL_IDENTITY, a function of the tenant), where the
    payload does not set them, so that a resident's reply comes back to the tenant's mailbox."""
    if payload.get("from") or not getattr(settings, "BOROUGH_EMAIL_IDENTITY", ""):
        return payload
    identity = import_string(settings.BOROUGH_EMAIL_IDENTITY)(tenant)
    return {**identity, **payload}


@outbox_handler("email.smtp", validate=validate_smtp_email_payload, prepare=email_sender)
def send_email(message: OutboxMessage) -> dict[str, Any]:
    payload = message.payload
    from_email = payload.get("from") or settings.DEFAULT_FROM_EMAIL
    message_id = message_id_for(message, from_email)
    email = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=from_email,
        to=_addresses(payload["to"]),
        reply_to=[payload["reply_to"]] if payload.get("reply_to") else None,
        headers={
            "Message-ID": message_id,
            # RFC 3834: an automatic message, which well-behaved auto-responders do not answer; and our own mark, so
            # that if it comes back to one of our mailboxes the gateway recognises a loop.
            "Auto-Submitted": "auto-generated",
            LOOP_HEADER: str(message.tenant_id),
        },
    )
    if payload.get("html"):
        email.attach_alternative(payload["html"], "text/html")  # the text part stays first, for every mail reader
    for attachment in payload.get("attachments") or []:
        path = attachment_path(message.tenant_id, attachment["path"])  # a missing file raises: retried, then dead
        if path.stat().st_size > MAX_ATTACHMENT_BYTES:
            raise OutboxRefused(f"The attachment {attachment['filename']} is larger than 10 MB.")
        email.attach(attachment["filename"], path.read_bytes(), attachment["content_type"])
    _send_on_kept_connection(email)
    return {"message_id": message_id}


_kept = threading.local()
KEEP_IDLE_CONNECTION = 30  # seconds; relays drop idle sessions after a minute or more (RFC 5321 4.5.3.2.7: 5 min)


def _send_on_kept_connection(email: EmailMultiAlternatives) -> None:
    """Send through one connection kept open per worker thread: a new SMTP session per message (connect, EHLO,
    QUIT) cost as much as the message itself. A session the relay dropped meanwhile is opened again, once."""
    configuration = repr(settings.MAILERS.get("default"))
    kept = getattr(_kept, "mailer", None)
    if kept is not None and (kept[0] != configuration or time.monotonic() - kept[2] > KEEP_IDLE_CONNECTION):
        kept[1].close()
        kept = None
    if kept is None:
        kept = (configuration, mailers.default, 0.0)
    mailer = kept[1]
    _kept.mailer = None  # until this send is known to have left the session usable
    mailer.open()
    try:
        mailer.send_messages([email])
    except smtplib.SMTPServerDisconnected:
        mailer.close()
        mailer.open()
        mailer.send_messages([email])
    except Exception:
        mailer.close()
        raise
    _kept.mailer = (configuration, mailer, time.monotonic())
