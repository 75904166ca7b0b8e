"""Bills: what an account was charged for a financial year and how it is to be paid.

An account has at most one current bill per year; a mid-year change issues a new bill that supersedes it. The
instalment plan is kept on the bill as JSON (`[["2026-04-01", "150.00"], ...]`): written with the bill in one row,
which is what lets a council be billed in seconds, and read whole whenever it is used. Payments are allocated to
the instalments of the current bills oldest first (borough.revenues.payments.balances).

`detail` is what the bill prints (amounts as decimal strings), written by borough.revenues.billing.compute:
    {"property": {"address", "band" | "rateable_value", "parish", "voa_reference"},
     "liable": [names], "correspondence_address": str,
     "pieces": [{"start", "end", "days", "band" | "rateable_value", "authorities": [{"authority", "band_d", "amount"}],
                 "annual", "charge", "notes": [...], "reliefs": [{"name", "amount"}]}],
     "authorities": [{"authority", "kind", "band_d", "band_amount"}]}
"""

from django.db import models
from django.db.models import Q

from borough.tenancy.models import TenantOwnedModel


class Bill(TenantOwnedModel):
    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual bill"
        AMENDED = "amended", "Amended bill"  # a mid-year change: band, liability, discount, ...

    class Delivery(models.TextChoices):
        EMAIL = "email", "By email (e-billing)"
        PRINT = "print", "By post (print file)"

    account = models.ForeignKey("revenues.Account", on_delete=models.PROTECT, related_name="bills")
    financial_year = models.CharField(max_length=7)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # "2026-27/NFD-000123" (annual), "2026-27/NFD-000123/2" (amended): printed and quoted by the taxpayer.
    number = models.CharField(max_length=40)
    issued_on = models.DateField()
    # The batch run that issued it (annual billing), if any: one bill per account per run.
    run = models.ForeignKey("core.Run", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The charge for the year's liability, after discounts, premiums and reductions.
    charge = models.DecimalField(max_digits=14, decimal_places=2)
    # Paid or credited against the year before this bill (an amended bill's plan is for the rest).
    credited = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # charge − credited: what the plan collects; negative is a credit due back to the taxpayer.
    balance = models.DecimalField(max_digits=14, decimal_places=2)
    instalments = models.JSONField(default=list, help_text='[["YYYY-MM-DD", "amount"], ...]')
    scheme = models.PositiveSmallIntegerField(default=10)
    # What the bill prints: each period's band and authorities' amounts, reductions, and the engine's steps.
    detail = models.JSONField(default=dict)
    steps = models.JSONField(default=list)
    delivery = models.CharField(max_length=5, choices=Delivery.choices, default=Delivery.PRINT)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Set first when a new bill replaces this one (so at most one bill of a year is current), then superseded_by.
    superseded_on = models.DateField(null=True, blank=True)
    # Set when it went out: emailed (through the outbox) or written to a print file.
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["financial_year", "issued_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="bill_unique_number"),
            # A resumed run never bills an account twice.
            models.UniqueConstraint(
                fields=["tenant", "run", "account"], condition=Q(run__isnull=False), name="bill_once_per_run"
            ),
            models.UniqueConstraint(
                fields=["tenant", "account", "financial_year"],
                condition=Q(superseded_on__isnull=True),
                name="bill_one_current_per_year",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "account", "financial_year"], name="bill_tenant_account_year"),
            models.Index(fields=["tenant", "run"], name="bill_tenant_run"),
        ]

    def __str__(self) -> str:
        return f"Bill {self.number}"

    @property
    def is_current(self) -> bool:
        return self.superseded_on is None
