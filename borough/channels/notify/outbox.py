"""Outbox kinds that send through GOV.UK Notify: `sms.notify` ({"to": "+447700900123", "body": "..."}) and
`email.notify` (the payload of `email.smtp`: to, subject, body; html is ignored, Notify formats the email).

Each notification carries the outbox idempotency key as its Notify `reference`, so a message whose earlier attempt
may have reached Notify (the worker died, or the answer was lost) is looked up by reference before it is sent
again (the outbox's `recover` hook): a recipient who already has it is never sent it twice."""

import logging
import threading
from typing import Any

from django.core.exceptions import ValidationError
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from borough.channels.notify.models import NotifyAccount
from borough.channels.notify.segments import sms_length
from borough.channels.notify.services import NotifyNotConfigured, api_key_for, outbound_interaction
from borough.core.metering import meter_record
from borough.core.models import OutboxMessage
from borough.core.outbox import OutboxRefused, email_sender, outbox_handler, validate_email_payload
from borough.crm.models import Interaction
from borough.people.normalise import normalise_phone

logger = logging.getLogger(__name__)
MAX_SMS_CHARACTERS = 918  # Notify refuses longer text messages
TIMEOUT_SECONDS = 10
# A client per worker thread and key keeps its HTTP connection open (the client is not thread-safe).
_clients = threading.local()


class NotifyRefused(Exception):
    """Notify answered with an error; str() has its status and message."""


def notify_client(api_key: str, base_url: str) -> NotificationsAPIClient:
    cache = _clients.__dict__.setdefault("by_key", {})
    client = cache.get((api_key, base_url))
    if client is None:
        client = cache[(api_key, base_url)] = NotificationsAPIClient(
            api_key, base_url=base_url, timeout=TIMEOUT_SECONDS
        )
    return client


def validate_sms_payload(payload: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    try:
        normalise_phone(str(payload.get("to") or ""))
    except ValueError as error:
        errors["to"] = str(error)
    body = payload.get("body")
    if not isinstance(body, str) or not body.strip():
        errors["body"] = "Give the text message a body (text)."
    elif len(body) > MAX_SMS_CHARACTERS:
        errors["body"] = f"A text message can have at most {MAX_SMS_CHARACTERS} characters; this has {len(body)}."
    if errors:
        raise ValidationError(errors)


def _account_and_client(message: OutboxMessage):
    account = NotifyAccount.objects.select_related("tenant").filter(tenant_id=message.tenant_id, is_active=True).first()
    if account is None:
        raise NotifyNotConfigured(f"{message.tenant.name} has no active GOV.UK Notify account")
    return account, notify_client(api_key_for(account.tenant), account.base_url)


class NotifyRejected(NotifyRefused, OutboxRefused):
    """Notify found the message itself wrong (400: an invalid number or address, a bad template): never retried."""


def _call(what: str, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except APIError as error:  # the client's errors carry Notify's message; say which call it was
        refused = NotifyRejected if error.status_code == 400 else NotifyRefused
        raise refused(f"Notify refused to {what}: {error.status_code} {error.message}") from error


def _already_sent(client: NotificationsAPIClient, message: OutboxMessage) -> list[dict[str, Any]]:
    found = _call("list notifications", client.get_all_notifications, reference=message.idempotency_key)
    return [n for n in found.get("notifications", []) if n.get("reference") == message.idempotency_key]


def _recipient(notification: dict[str, Any]) -> str:
    return (notification.get("phone_number") or notification.get("email_address") or "").lower()


def _recipients(message: OutboxMessage) -> list[str]:
    if message.kind == "sms.notify":
        return [normalise_phone(message.payload["to"])]
    to = message.payload["to"]
    return [address.lower() for address in ([to] if isinstance(to, str) else to)]


def _same_number(a: str, b: str) -> bool:
    try:
        return normalise_phone(a) == normalise_phone(b)
    except ValueError:
        return a == b


def _sent_to(recipient: str, notifications: list[dict[str, Any]]) -> dict[str, Any] | None:
    for notification in notifications:
        held = _recipient(notification)
        if held == recipient or ("@" not in recipient and _same_number(held, recipient)):
            return notification
    return None


def _result(message: OutboxMessage, sent: dict[str, dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {"reference": message.idempotency_key, "notifications": {}}
    for recipient, notification in sent.items():
        result["notifications"][recipient] = notification["id"]
    result["notification_id"] = next(iter(result["notifications"].values()), "")
    if message.kind == "sms.notify":
        result["sms"] = sms_length(message.payload["body"]).as_dict()
    _note_on_interaction(message, result)
    return result


def _note_on_interaction(message: OutboxMessage, result: dict[str, Any]) -> None:
    """The outbound Interaction queued with this message (if any) learns its Notify id and, for a text, its length."""
    found = outbound_interaction(message)
    if found is not None:
        data = {**found.data, "notify_id": result["notification_id"]}
        if "sms" in result:
            data["sms"] = result["sms"]
        Interaction.objects.filter(pk=found.pk).update(data=data)


def notify_recover(message: OutboxMessage) -> dict[str, Any] | None:
    """Before a message whose earlier attempt never finished is delivered again: its result if Notify already has
    it for every recipient, else None (and delivery sends only to the recipients who do not have it)."""
    _account, client = _account_and_client(message)
    notifications = _already_sent(client, message)
    sent = {recipient: _sent_to(recipient, notifications) for recipient in _recipients(message)}
    if not notifications or any(found is None for found in sent.values()):
        return None
    return _result(message, sent)


def _send(message: OutboxMessage, send_one) -> dict[str, Any]:
    account, client = _account_and_client(message)
    recipients = _recipients(message)
    # On a retry the outbox asked notify_recover first; with several recipients some may have it already.
    previous = _already_sent(client, message) if message.attempts > 1 and len(recipients) > 1 else []
    sent: dict[str, dict[str, Any]] = {}
    for recipient in recipients:
        sent[recipient] = _sent_to(recipient, previous) or send_one(account, client, recipient)
    return _result(message, sent)


def deliver_sms(message: OutboxMessage) -> dict[str, Any]:
    segments = max(sms_length(message.payload["body"]).segments, 1)

    def send_one(account, client, phone):
        if not account.sms_template_id:
            raise NotifyNotConfigured("The Notify account has no SMS template id")
        sent = _call(
            "send a text message",
            client.send_sms_notification,
            phone_number=phone,
            template_id=account.sms_template_id,
            personalisation={"body": message.payload["body"]},
            reference=message.idempotency_key,
            sms_sender_id=account.sms_sender_id or None,
        )
        # Metered when Notify accepts it; a text found already sent on a retry is not counted again.
        meter_record(tenant=account.tenant, service="channels.sms_segment", quantity=segments)
        return sent

    return _send(message, send_one)


def deliver_email(message: OutboxMessage) -> dict[str, Any]:
    def send_one(account, client, address):
        if not account.email_template_id:
            raise NotifyNotConfigured("The Notify account has no email template id")
        return _call(
            "send an email",
            client.send_email_notification,
            email_address=address,
            template_id=account.email_template_id,
            personalisation={"subject": message.payload["subject"], "body": message.payload["body"]},
            reference=message.idempotency_key,
            email_reply_to_id=account.email_reply_to_id or None,
        )

    return _send(message, send_one)


outbox_handler("sms.notify", validate=validate_sms_payload, recover=notify_recover)(deliver_sms)
outbox_handler("email.notify", validate=validate_email_payload, prepare=email_sender, recover=notify_recover)(
    deliver_email
)
