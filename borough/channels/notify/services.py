"""Writes and small reads about a tenant's GOV.UK Notify account."""

import os
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction

from borough.channels.notify.models import NotifyAccount
from borough.core.audit import audit_record
from borough.core.models import OutboxMessage
from borough.crm.models import Interaction
from borough.people.models import Channel
from borough.people.normalise import normalise_phone
from borough.tenancy.scope import scope_memo, scope_memo_forget


class NotifyNotConfigured(Exception):
    """The tenant cannot send through Notify yet; str() says what is missing, in plain words."""


def notify_account(tenant) -> NotifyAccount | None:
    """The tenant's active Notify account, or None (read once per tenant scope: a batch of messages shares it)."""
    return scope_memo(_memo_key(tenant), lambda: NotifyAccount.objects.filter(tenant=tenant, is_active=True).first())


def _memo_key(tenant) -> tuple[str, int]:
    return ("notify_account", tenant.pk)


def outbound_interaction(message: OutboxMessage, *, lock: bool = False) -> Interaction | None:
    """The outbound Interaction queued with an outbox message (`data.outbox_key`), if any. It is written in the
    same transaction as the message, so the time window lets the (tenant, direction, time, channel) index work."""
    channel = Channel.SMS if message.kind.startswith("sms.") else Channel.EMAIL
    interactions = Interaction.objects.select_for_update() if lock else Interaction.objects
    return (
        interactions.filter(
            tenant_id=message.tenant_id,
            direction=Interaction.Direction.OUTBOUND,
            occurred_at__gte=message.created_at - timedelta(hours=1),
            channel=channel,
            data__outbox_key=message.idempotency_key,
        )
        .order_by("pk")
        .first()
    )


def email_outbox_kind(tenant) -> str:
    """The outbox kind for the tenant's email: "email.notify" when it sends email through Notify, else "email.smtp".
    Both take the same payload (to, subject, body; Notify ignores html)."""
    account = notify_account(tenant)
    if account is not None and account.email_via_notify and account.email_template_id:
        return "email.notify"
    return "email.smtp"


def api_key_env_name(tenant) -> str:
    return f"BOROUGH_NOTIFY_KEY_{tenant.slug.upper().replace('-', '_')}"


def api_key_for(tenant) -> str:
    """The tenant's Notify API key from the workers' environment (never from the database)."""
    name = api_key_env_name(tenant)
    key = os.environ.get(name, "").strip()
    if not key:
        raise NotifyNotConfigured(f"The Notify API key is not set: the environment variable {name} is empty")
    if len(key) < 74 or key[-37] != "-" or key[-74] != "-":
        raise NotifyNotConfigured(f"{name} does not look like a Notify API key (name-<service id>-<secret>)")
    return key


EDITABLE = (
    "base_url",
    "sms_sender_id",
    "sms_template_id",
    "email_template_id",
    "email_reply_to_id",
    "email_via_notify",
    "inbound_number",
    "is_active",
)
NOTIFY_IDS = ("sms_sender_id", "sms_template_id", "email_template_id", "email_reply_to_id")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _check_fields(fields: dict, errors: dict[str, str]) -> dict:
    cleaned = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            errors[name] = "This cannot be set here"
        elif name in NOTIFY_IDS:
            value = str(value or "").strip().lower()
            try:
                value = str(uuid.UUID(value)) if value else ""
            except ValueError:
                errors[name] = "Paste the id from Notify: 36 characters like 0f9e8d7c-6b5a-4321-9876-543210fedcba"
        elif name == "inbound_number":
            try:
                value = normalise_phone(value) if str(value or "").strip() else ""
            except ValueError as error:
                errors[name] = str(error)
        elif name == "base_url":
            parts = urlsplit(str(value or ""))
            loopback = parts.hostname in LOOPBACK_HOSTS
            if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
                errors[name] = "Use an https:// address (http:// only for a stand-in on this machine)"
        elif name in ("email_via_notify", "is_active") and not isinstance(value, bool):
            errors[name] = "Say yes (true) or no (false)"
        cleaned[name] = value
    return cleaned


@transaction.atomic
def notify_account_configure(*, tenant, callback_token: str = "", **fields) -> NotifyAccount:
    """Create or change the tenant's Notify account (the fields in EDITABLE). `callback_token`, when given,
    replaces the bearer token Notify must send with its callbacks (only its hash is kept). ValidationError names
    each bad field, and nothing is written."""
    errors: dict[str, str] = {}
    cleaned = _check_fields(fields, errors)
    callback_token = (callback_token or "").strip()
    if callback_token and not 10 <= len(callback_token) <= 200:
        errors["callback_token"] = "Use a bearer token of 10 to 200 characters (Notify needs at least 10)"
    account = NotifyAccount.objects.select_for_update().filter(tenant=tenant).first()
    created = account is None
    account = account or NotifyAccount(tenant=tenant)
    before = None if created else {name: getattr(account, name) for name in EDITABLE}
    for name, value in cleaned.items():
        if name not in errors:
            setattr(account, name, value)
    if not account.sms_template_id and "sms_template_id" not in errors:
        errors["sms_template_id"] = "Enter the id of the Notify text message template whose content is ((body))"
    if account.email_via_notify and not account.email_template_id and "email_template_id" not in errors:
        errors["email_template_id"] = "Enter the id of the Notify email template, to send email through Notify"
    if created and not callback_token and "callback_token" not in errors:
        errors["callback_token"] = "Choose the bearer token Notify will send with its callbacks"
    if errors:
        raise ValidationError(errors)
    if callback_token:
        account.set_callback_token(callback_token)
    account.save()
    scope_memo_forget(_memo_key(tenant))
    audit_record(
        tenant=tenant,
        action="notify.account_configure",
        obj=account,
        before=before,
        after={name: getattr(account, name) for name in EDITABLE},
        detail={"callback_token_changed": bool(callback_token)},
    )
    return account
