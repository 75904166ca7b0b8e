"""A tenant's notification settings and its own templates (Borough's defaults apply where it has none)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from borough.channels.notifications.events import DEFAULT_EVENTS, Event, Language, NotifyChannel
from borough.tenancy.models import TenantOwnedModel


def default_events() -> list[str]:
    return list(DEFAULT_EVENTS)


class NotificationSettings(TenantOwnedModel):
    """One row per tenant (until it saves one, `notification_settings(tenant)` gives the defaults)."""

    bilingual = models.BooleanField(
        default=False, help_text="Write to residents in English and Welsh (each in the language they prefer)."
    )
    both_languages_in_email = models.BooleanField(
        default=True,
        help_text="Email residents who have not chosen Welsh in both languages, Welsh first.",
    )
    events = models.JSONField(default=default_events, blank=True, help_text="The events residents are told about.")
    survey_url = models.CharField(
        max_length=500,
        blank=True,
        help_text="A survey of your own; ((reference)) in it is replaced. Empty: the portal's feedback page.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="notificationsettings_one_per_tenant")]
        verbose_name_plural = "notification settings"

    def is_on(self, event: str) -> bool:
        return event in (self.events or [])


class NotificationTemplate(TenantOwnedModel):
    """A tenant's own wording for one event, channel and language, in Notify's ((placeholder)) syntax."""

    event = models.CharField(max_length=12, choices=Event.choices)
    channel = models.CharField(max_length=5, choices=NotifyChannel.choices)
    language = models.CharField(max_length=2, choices=Language.choices)
    subject = models.CharField(max_length=200, blank=True, help_text="Emails only.")
    body = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "event", "channel", "language"], name="notificationtemplate_unique_per_tenant"
            )
        ]
