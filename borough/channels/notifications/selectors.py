"""Reads: a tenant's settings and the template that applies to an event, channel and language."""

from dataclasses import dataclass

from borough.channels.notifications.events import Event, Language, NotifyChannel, default_text
from borough.channels.notifications.models import NotificationSettings, NotificationTemplate
from borough.core.models import OutboxMessage
from borough.tenancy.scope import scope_memo


def settings_memo_key(tenant) -> tuple:
    return ("notification_settings", tenant.pk)


def template_memo_key(tenant, event: str, channel: str, language: str) -> tuple:
    return ("notification_template", tenant.pk, event, channel, language)


def notification_settings(tenant) -> NotificationSettings:
    """The tenant's saved settings, or the defaults (not saved) when it has none; read once per scope."""
    return scope_memo(
        settings_memo_key(tenant),
        lambda: NotificationSettings.objects.filter(tenant=tenant).first() or NotificationSettings(tenant=tenant),
    )


@dataclass(frozen=True)
class Template:
    event: str
    channel: str
    language: str
    subject: str
    body: str
    is_default: bool  # Borough's wording: the tenant has not written its own

    @property
    def channel_label(self) -> str:
        return NotifyChannel(self.channel).label

    @property
    def language_label(self) -> str:
        return Language(self.language).label


def template_for(tenant, event: str, channel: str, language: str) -> Template:
    """The tenant's own template, else Borough's default; read once per scope."""
    return scope_memo(
        template_memo_key(tenant, event, channel, language), lambda: _template(tenant, event, channel, language)
    )


def _template(tenant, event: str, channel: str, language: str) -> Template:
    own = NotificationTemplate.objects.filter(tenant=tenant, event=event, channel=channel, language=language).first()
    if own is not None:
        return Template(event, channel, language, own.subject, own.body, is_default=False)
    text = default_text(event, channel, language)
    return Template(event, channel, language, text["subject"], text["body"], is_default=True)


def template_grid(tenant, languages: list[str]) -> list[tuple[str, str, list[Template]]]:
    """(event, its label, its templates by channel and language) for the templates page, in one query."""
    own = {(t.event, t.channel, t.language): t for t in NotificationTemplate.objects.filter(tenant=tenant)}
    rows = []
    for event, label in Event.choices:
        templates = []
        for channel in NotifyChannel.values:
            for language in languages:
                saved = own.get((event, channel, language))
                if saved is not None:
                    templates.append(Template(event, channel, language, saved.subject, saved.body, False))
                else:
                    text = default_text(event, channel, language)
                    templates.append(Template(event, channel, language, text["subject"], text["body"], True))
        rows.append((event, label, templates))
    return rows


def tenant_languages(settings: NotificationSettings) -> list[str]:
    return [Language.WELSH, Language.ENGLISH] if settings.bilingual else [Language.ENGLISH]


# The status of a notification on the case timeline: the outbox's, then the provider's receipt when it has one.
OUTBOX_STATUS = {
    OutboxMessage.Status.PENDING: "queued",
    OutboxMessage.Status.SENDING: "queued",
    OutboxMessage.Status.FAILED: "failed",  # and retried with back-off
    OutboxMessage.Status.SENT: "sent",
    OutboxMessage.Status.DEAD: "permanently failed",
}
DELIVERY_STATUS = {  # GOV.UK Notify's statuses
    "delivered": "delivered",
    "permanent-failure": "permanently failed",
    "temporary-failure": "failed",
    "technical-failure": "failed",
    "sending": "sent",
    "sent": "sent",
    "created": "queued",
}


def notification_status(outbox_status: str | None, delivery_status: str | None) -> str:
    """queued, sent, delivered, failed or permanently failed."""
    if delivery_status and delivery_status in DELIVERY_STATUS and outbox_status != OutboxMessage.Status.DEAD:
        return DELIVERY_STATUS[delivery_status]
    return OUTBOX_STATUS.get(outbox_status, "queued")


def outbox_statuses(tenant, keys: list[str]) -> dict[str, tuple[str, str]]:
    """Outbox key -> (the message's status, the provider's delivery status recorded on it or ""), in one query."""
    if not keys:
        return {}
    messages = OutboxMessage.objects.filter(tenant=tenant, idempotency_key__in=keys)
    rows = messages.values_list("idempotency_key", "status", "result__delivery_status")
    return {key: (status, delivery if isinstance(delivery, str) else "") for key, status, delivery in rows}


def delivery_status_of(contact_data: dict) -> str:
    """The provider's receipt noted on an outbound Interaction (by the GOV.UK Notify channel), or ""."""
    delivery = contact_data.get("delivery")
    nested = delivery.get("status") if isinstance(delivery, dict) else ""
    return contact_data.get("delivery_status") or nested or ""
