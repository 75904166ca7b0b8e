"""Notify's delivery receipts: the status of a notification we sent, recorded on its outbox message (by the
reference, which is the outbox idempotency key) and on the outbound Interaction queued with it.

Receipts may come twice or out of order: a repeat changes nothing, and a status never replaces a later one (a
final status, delivered or a failure, is replaced only by another final status that completed later)."""

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from borough.channels.notify.services import outbound_interaction
from borough.core.models import OutboxMessage

logger = logging.getLogger(__name__)
STAGE = {"created": 0, "sending": 1, "pending": 2, "sent": 3}  # "sent": handed to an international network
FINAL = frozenset({"delivered", "permanent-failure", "temporary-failure", "technical-failure"})
TYPES = frozenset({"sms", "email", "letter"})
FIELDS = ("id", "reference", "to", "status", "created_at", "completed_at", "sent_at", "notification_type")


@dataclass(frozen=True)
class DeliveryOutcome:
    outcome: str  # "recorded", "unchanged", "older" or "unknown"
    reason: str


def _stage(status: str) -> int:
    return 4 if status in FINAL else STAGE.get(status, -1)


def delivery_receipt(payload: Any) -> dict[str, Any]:
    """The documented receipt, checked; ValidationError names each bad field."""
    if not isinstance(payload, dict):
        raise ValidationError({"body": "Send a JSON object"})
    errors: dict[str, str] = {}
    for name in ("id", "status", "notification_type"):
        if not isinstance(payload.get(name), str) or not payload[name].strip():
            errors[name] = f"Give {name} as text (it is required)"
    for name in ("reference", "to", "created_at", "completed_at", "sent_at"):
        value = payload.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = f"Give {name} as text or null"
        elif isinstance(value, str) and len(value) > 320:
            errors[name] = f"{name} is longer than 320 characters"
    if "status" not in errors and _stage(payload["status"]) < 0:
        errors["status"] = f"{payload['status'][:40]!r} is not a Notify status: {', '.join([*STAGE, *sorted(FINAL)])}"
    if "notification_type" not in errors and payload["notification_type"] not in TYPES:
        errors["notification_type"] = f"Give one of {', '.join(sorted(TYPES))}"
    if "id" not in errors and len(payload["id"]) > 64:
        errors["id"] = "id is longer than 64 characters"
    if errors:
        raise ValidationError(errors)
    return {name: payload.get(name) for name in FIELDS}


def _newer(new: dict[str, Any], old: dict[str, Any] | None) -> bool:
    if not old:
        return True
    new_stage, old_stage = _stage(new["status"]), _stage(old.get("status", ""))
    if new_stage != old_stage:
        return new_stage > old_stage
    if new_stage == 4 and new["status"] != old.get("status"):  # two final statuses: the later one stands
        return (new.get("completed_at") or "") > (old.get("completed_at") or "")
    return False


@transaction.atomic
def delivery_status_record(*, tenant, payload: Any) -> DeliveryOutcome:
    receipt = delivery_receipt(payload)
    reference = receipt["reference"] or ""
    message = (
        OutboxMessage.objects.select_for_update().filter(tenant=tenant, idempotency_key=reference).first()
        if reference
        else None
    )
    if message is None:
        logger.warning("Notify delivery receipt for no message of tenant %s: %s", tenant.pk, receipt)
        return DeliveryOutcome("unknown", "No message was sent with this reference; the receipt is logged")
    deliveries = dict(message.result.get("deliveries") or {})
    if receipt == deliveries.get(receipt["id"]):
        return DeliveryOutcome("unchanged", "This receipt was recorded already")
    if not _newer(receipt, deliveries.get(receipt["id"])):
        return DeliveryOutcome("older", f"Kept the later status {deliveries[receipt['id']]['status']!r}")
    deliveries[receipt["id"]] = receipt
    message.result = {**message.result, "deliveries": deliveries, "delivery_status": receipt["status"]}
    message.save(update_fields=["result"])
    _note_on_interaction(message, receipt)
    return DeliveryOutcome("recorded", f"Status {receipt['status']!r} recorded")


def _note_on_interaction(message: OutboxMessage, receipt: dict[str, Any]) -> None:
    interaction = outbound_interaction(message, lock=True)
    if interaction is None or not _newer(receipt, interaction.data.get("delivery")):
        return
    times = {name: receipt[name] for name in ("created_at", "sent_at", "completed_at")}
    interaction.data = {
        **interaction.data,
        "delivery": {"status": receipt["status"], "notify_id": receipt["id"], **times},
    }
    interaction.save(update_fields=["data"])
