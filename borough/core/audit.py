"""Recording audit events. Services call `audit_record` inside their transaction; entry points set the actor.

The actor (a user, an API key or the system) is set once per request, task or command with `acting_as`, so a
service never has to be told who is calling it.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models

from borough.core.inserts import insert_later
from borough.core.models import AuditEvent
from borough.core.request_id import current_request_id


@dataclass(frozen=True)
class Actor:
    type: str
    label: str
    user: Any = None
    api_key: Any = None

    @classmethod
    def for_user(cls, user) -> "Actor":
        return cls(AuditEvent.ActorType.USER, user.get_username(), user=user)

    @classmethod
    def for_api_key(cls, api_key) -> "Actor":
        return cls(AuditEvent.ActorType.API_KEY, f"API key {api_key.name}", api_key=api_key)

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(AuditEvent.ActorType.SYSTEM, label)


# The fields of an audit event shown outside Borough (the API and the CSV export), in this order.
AUDIT_EVENT_PUBLIC_FIELDS = (
    "id",
    "occurred_at",
    "actor_type",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "detail",
    "request_id",
)

current_actor: ContextVar[Actor | None] = ContextVar("current_actor", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = current_actor.set(actor)
    try:
        yield actor
    finally:
        current_actor.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of an object, as JSON-ready values (foreign keys as ids)."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = _plain(getattr(obj, field.attname))
    return values


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    before, after = before or {}, after or {}
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def audit_record(
    *,
    tenant,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    actor = current_actor.get() or Actor.system()
    return insert_later(  # written with the request's other rows when it writes them together
        AuditEvent(
            tenant=tenant,
            actor_type=actor.type,
            actor_user=actor.user,
            actor_api_key=actor.api_key,
            actor_label=actor.label[:200],
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            changes=changed_fields(before, after),
            detail=_plain(detail or {}),
            request_id=current_request_id.get(),
        )
    )


def audit_history(obj: models.Model):
    """An object's audit events, newest first (in the current tenant scope)."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
        "actor_user", "actor_api_key"
    )


REDACTED = "[erased]"
# Detail values kept when an event is redacted: ids (keys ending _id or _ids) and these, which say how, not who.
KEPT_DETAIL_KEYS = ("channel", "purpose", "primary", "kind")


def redacted_values(changes: dict[str, Any], detail: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An event's changes and detail with the personal values replaced (the same rule as the database function
    borough_audit_redact of core migration 0006)."""
    kept = set(KEPT_DETAIL_KEYS)
    return (
        {name: [REDACTED, REDACTED] for name in changes},
        {key: value if key in kept or key.endswith(("_id", "_ids")) else REDACTED for key, value in detail.items()},
    )


def audit_redact(*, tenant, events) -> int:
    """Replace the personal values of `events` (a queryset of the tenant's audit events) when their person is
    erased (docs/adr/0017): the object's name, every before and after value, and the detail except ids. Who did
    what to which object, and when, is kept. The only change the append-only log allows."""
    ids = list(events.filter(tenant=tenant).values_list("pk", flat=True))
    if not ids:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT borough_audit_redact(%s, %s, %s)", [tenant.pk, ids, list(KEPT_DETAIL_KEYS)])
            return cursor.fetchone()[0]
    for event in AuditEvent.objects.filter(tenant=tenant, pk__in=ids).only("pk", "changes", "detail"):
        changes, detail = redacted_values(event.changes, event.detail)
        AuditEvent.objects.filter(pk=event.pk).update(object_repr=REDACTED, changes=changes, detail=detail)
    return len(ids)
