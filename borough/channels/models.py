"""Inbound email: the tenant's mailboxes, every message received (kept raw), and the message ids that thread a
reply to its case."""

from django.db import models
from django.utils import timezone

from borough.crm.models import Case, Service
from borough.people.models import Person
from borough.tenancy.models import TenantOwnedModel


class Mailbox(TenantOwnedModel):
    """An address residents write to, e.g. contact@northfield.example: `local_part` at any of the tenant's domains.
    A new message to it opens a case of its service."""

    local_part = models.CharField(max_length=64, help_text="The part before the @, e.g. contact or bins.")
    name = models.CharField(max_length=120)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["local_part"]
        constraints = [models.UniqueConstraint(fields=["tenant", "local_part"], name="mailbox_unique_local_part")]

    def __str__(self) -> str:
        return self.local_part


class InboundEmail(TenantOwnedModel):
    """One message as received on one of the tenant's addresses, and what became of it."""

    class Outcome(models.TextChoices):
        CASE_CREATED = "case_created", "New case"
        ADDED_TO_CASE = "added_to_case", "Added to its case"
        REVIEW = "review", "Waiting for review"
        IGNORED = "ignored", "Ignored (automatic message)"
        DISMISSED = "dismissed", "Dismissed after review"

    spool_name = models.CharField(max_length=64, help_text="The file the gateway stored it in first.")
    received_at = models.DateTimeField(default=timezone.now)
    envelope_from = models.CharField(max_length=320, blank=True)
    recipient = models.CharField(max_length=320)
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_address = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=500, blank=True)
    body_text = models.TextField(blank=True, help_text="The new text of the message, quoted history removed.")
    raw = models.FileField(upload_to="channels/email/%Y/%m/")
    size = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True, help_text="Why, in plain words.")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "spool_name"], name="inboundemail_unique_spool")]
        indexes = [
            models.Index(fields=["tenant", "outcome", "received_at"], name="inboundemail_tenant_outcome"),
            models.Index(fields=["tenant", "from_address", "received_at"], name="inboundemail_tenant_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"


class EmailThread(TenantOwnedModel):
    """A Message-ID known to belong to a case (ours, sent about it, or the resident's, received on it), so that a
    reply's In-Reply-To or References header finds the case."""

    message_id = models.CharField(max_length=500)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "message_id"], name="emailthread_unique_message_id")]
