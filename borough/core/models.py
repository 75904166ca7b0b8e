"""The shared kernel's records: audit events, reference counters, batch runs, the outbox and usage metering."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from borough.tenancy.models import TenantOwnedModel


class AuditEvent(TenantOwnedModel):
    """Append-only: nothing updates or deletes a row (on PostgreSQL a trigger refuses it)."""

    class ActorType(models.TextChoices):
        USER = "user", "User"
        API_KEY = "api_key", "API key"
        SYSTEM = "system", "System"

    occurred_at = models.DateTimeField(default=timezone.now)
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        "identity.ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Who acted, as shown to people, kept even if renamed.")
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, help_text="app_label.model")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, help_text="{field: [before, after]} of the fields that changed.")
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "object_type", "object_id", "occurred_at"], name="audit_tenant_object"),
            models.Index(fields=["tenant", "occurred_at"], name="audit_tenant_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class ReferenceCounter(TenantOwnedModel):
    """The last number issued in one reference sequence of a tenant (e.g. cases: NFD-000123)."""

    sequence = models.CharField(max_length=40)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "sequence"], name="referencecounter_unique_sequence")]


class Run(TenantOwnedModel):
    """A batch run: what it is, its parameters, its progress and its outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=60)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_items = models.PositiveIntegerField(default=0)
    processed_items = models.PositiveIntegerField(default=0)
    succeeded_items = models.PositiveIntegerField(default=0)
    failed_items = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "kind", "created_at"], name="run_tenant_kind_created")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent_done(self) -> int:
        if not self.total_items:
            return 100 if self.status == self.Status.SUCCEEDED else 0
        return min(100, int(self.processed_items * 100 / self.total_items))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED}


class RunChunk(TenantOwnedModel):
    """One chunk of a run, done at most once: a run restarted after a crash skips the chunks already done."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    succeeded_items = models.PositiveIntegerField(default=0)
    failed_items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "run", "index"], name="runchunk_unique_index")]


class OutboxMessage(TenantOwnedModel):
    """A side effect to deliver to a remote system, written in the same transaction as the change that causes it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (will retry)"
        DEAD = "dead", "Gave up"

    kind = models.CharField(max_length=60, help_text="The handler that delivers it, e.g. email.smtp")
    idempotency_key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "idempotency_key"], name="outbox_unique_idempotency_key")
        ]
        indexes = [models.Index(fields=["tenant", "status", "next_attempt_at"], name="outbox_tenant_due")]


class UsageRecord(TenantOwnedModel):
    """How much of one chargeable service a tenant used on one day (a case handled, an SMS segment, a payslip).

    A day's usage is split over a few rows (`shard`), so that busy concurrent transactions do not all queue on one
    row until they commit; totals are the sum over the shards."""

    service = models.CharField(max_length=60)
    day = models.DateField()
    shard = models.PositiveSmallIntegerField(default=0)
    quantity = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "service", "day", "shard"], name="usage_unique_tenant_service_day_shard"
            )
        ]
        ordering = ["-day", "service", "shard"]
