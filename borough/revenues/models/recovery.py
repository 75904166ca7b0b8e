"""Recovery of unpaid council tax and business rates: each notice or court stage issued, officers' holds, and
arrangements to pay. The stages and their timings follow the Council Tax (Administration and Enforcement)
Regulations 1992 Part VI and the Non-Domestic Rating (Collection and Enforcement) (Local Lists) Regulations 1989.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from borough.tenancy.models import TenantOwnedModel


class RecoveryAction(TenantOwnedModel):
    """One stage issued for one account and year: a reminder, a final notice, a summons, a liability order."""

    class Stage(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        SECOND_REMINDER = "second_reminder", "Second reminder"
        FINAL_NOTICE = "final_notice", "Final notice"
        SUMMONS = "summons", "Summons"
        LIABILITY_ORDER = "liability_order", "Liability order"

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued"
        PAID = "paid", "Paid: no further action"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Delivery(models.TextChoices):
        EMAIL = "email", "By email (e-billing)"
        PRINT = "print", "By post (print file)"
        COURT = "court", "Served by the court (summons list)"

    class Grounds(models.TextChoices):
        ERROR = "error", "Issued in error"
        PAID = "paid", "Paid before the hearing"

    account = models.ForeignKey("revenues.Account", on_delete=models.PROTECT, related_name="recovery_actions")
    financial_year = models.CharField(max_length=7)
    stage = models.CharField(max_length=20, choices=Stage.choices)
    issued_on = models.DateField()
    # Arrears when issued, and the day by which to pay before the next stage.
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    pay_by = models.DateField(null=True, blank=True)
    costs = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Summons: the hearing; liability order: the day the court made it.
    hearing_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    run = models.ForeignKey("core.Run", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The notice as sent: what the document says (rendered to PDF on demand).
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # How and when the notice went out (recovery/sending.py); empty until sent.
    delivery = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Withdrawn by an officer (recovery_withdraw): when, on what grounds and why.
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_grounds = models.CharField(max_length=10, choices=Grounds.choices, blank=True)
    withdrawal_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["financial_year", "issued_on", "pk"]
        constraints = [
            # A resumed daily run issues each stage once per account, year and day.
            models.UniqueConstraint(
                fields=["tenant", "account", "financial_year", "stage", "issued_on"], name="recovery_once_per_day"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "account", "financial_year"], name="recovery_tenant_account_year"),
            models.Index(fields=["tenant", "stage", "issued_on"], name="recovery_tenant_stage_issued"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.financial_year} on {self.issued_on.isoformat()}"


class RecoveryHold(TenantOwnedModel):
    """An officer's hold: no recovery stage is issued on the account until it is released or runs out."""

    account = models.ForeignKey("revenues.Account", on_delete=models.CASCADE, related_name="recovery_holds")
    reason = models.CharField(max_length=300)
    until = models.DateField(null=True, blank=True, help_text="Empty: until released.")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["tenant", "account"], name="recoveryhold_tenant_account")]


class Arrangement(TenantOwnedModel):
    """An agreement to pay arrears by instalments; while kept, recovery waits. A missed payment breaks it."""

    class Status(models.TextChoices):
        LIVE = "live", "Live"
        KEPT = "kept", "Completed"
        BROKEN = "broken", "Broken"
        CANCELLED = "cancelled", "Cancelled"

    account = models.ForeignKey("revenues.Account", on_delete=models.PROTECT, related_name="arrangements")
    financial_year = models.CharField(max_length=7)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    instalments = models.JSONField(default=list, help_text='[["YYYY-MM-DD", "amount"], ...]')
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LIVE)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    made_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-made_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "account", "financial_year"],
                condition=Q(status="live"),
                name="arrangement_one_live_per_year",
            )
        ]
