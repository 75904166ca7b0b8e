"""GOV.UK Notify for a tenant: its account (sender, templates, callback token) and every text message received."""

import hashlib
import hmac

from django.db import models
from django.utils import timezone

from borough.crm.models import Case
from borough.people.models import Person
from borough.tenancy.models import TenantOwnedModel

NOTIFY_API_URL = "https://api.notifications.service.gov.uk"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class NotifyAccount(TenantOwnedModel):
    """How a tenant reaches GOV.UK Notify (one per tenant). Borough renders the words itself and sends them through
    one SMS template whose content is `((body))` and one email template with subject `((subject))` and content
    `((body))` (ADR 0016).

    The API key is not stored here: the workers read it from the environment variable `BOROUGH_NOTIFY_KEY_<SLUG>`
    (ADR 0014's rule for secrets). The bearer token Notify sends with its callbacks is kept only as a hash."""

    base_url = models.URLField(default=NOTIFY_API_URL, help_text="Notify's API; a stand-in's address in tests.")
    sms_sender_id = models.CharField(max_length=36, blank=True, help_text="Notify's id of the text message sender.")
    sms_template_id = models.CharField(max_length=36, help_text="The SMS template whose content is ((body)).")
    email_template_id = models.CharField(
        max_length=36, blank=True, help_text="The email template with subject ((subject)) and content ((body))."
    )
    email_reply_to_id = models.CharField(max_length=36, blank=True, help_text="Notify's id of the reply-to address.")
    email_via_notify = models.BooleanField(default=False, help_text="Send the tenant's email by Notify, not SMTP.")
    inbound_number = models.CharField(
        max_length=20, blank=True, help_text="The number residents text (E.164); texts to any other are refused."
    )
    callback_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="notifyaccount_one_per_tenant")]

    def __str__(self) -> str:
        return f"Notify account of {self.tenant_id}"

    def set_callback_token(self, token: str) -> None:
        self.callback_token_hash = _token_hash(token)

    def callback_token_matches(self, token: str) -> bool:
        if not self.callback_token_hash or not token:
            return False
        return hmac.compare_digest(_token_hash(token), self.callback_token_hash)


class InboundSms(TenantOwnedModel):
    """One text message as Notify's inbound callback delivered it (kept as received), and what became of it."""

    class Outcome(models.TextChoices):
        CASE_CREATED = "case_created", "New case"
        ADDED_TO_CASE = "added_to_case", "Added to its case"
        STOPPED = "stopped", "Text messages stopped (STOP)"
        STARTED = "started", "Text messages started again (START)"
        REVIEW = "review", "Waiting for review"
        DISMISSED = "dismissed", "Dismissed after review"

    notify_id = models.CharField(max_length=64, help_text="Notify's id of the received message.")
    source_number = models.CharField(max_length=40, help_text="As Notify gave it.")
    phone = models.CharField(max_length=20, blank=True, help_text="The sender's number in E.164, if it is one.")
    destination_number = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    date_received = models.DateTimeField(null=True, blank=True, help_text="When Notify received it.")
    received_at = models.DateTimeField(default=timezone.now, help_text="When Borough received the callback.")
    characters = models.PositiveIntegerField(default=0)
    segments = models.PositiveSmallIntegerField(default=0)
    raw = models.JSONField(default=dict, help_text="The callback's body as received.")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True, help_text="Why, in plain words.")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "notify_id"], name="inboundsms_unique_notify_id")]
        indexes = [
            models.Index(fields=["tenant", "outcome", "received_at"], name="inboundsms_tenant_outcome"),
            models.Index(fields=["tenant", "phone", "received_at"], name="inboundsms_tenant_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.source_number}: {self.message[:40]}"
