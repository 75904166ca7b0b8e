"""Money in and out of an account: payments, refunds, direct debit returns, costs and write-offs; payment files
and their rows; direct debit mandates and the BACS files that lodge and collect them.

An account's balance for a year is its current bill's charge plus the entries of that year (payments negative).
"""

from django.db import models
from django.db.models import Q

from borough.tenancy.models import TenantOwnedModel


class LedgerEntry(TenantOwnedModel):
    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"  # negative: reduces what is owed
        REFUND = "refund", "Refund"  # positive: money paid back out
        REVERSAL = "reversal", "Payment returned"  # positive: a direct debit returned unpaid, a bounced payment
        COSTS = "costs", "Costs"  # positive: summons or liability order costs
        WRITE_OFF = "write_off", "Written off"  # negative

    class Method(models.TextChoices):
        BANK = "bank", "Bank transfer"
        POST_OFFICE = "post_office", "Post Office"
        PAYPOINT = "paypoint", "PayPoint"
        CARD = "card", "Card (online)"
        DIRECT_DEBIT = "direct_debit", "Direct debit"
        CASH = "cash", "Cash or cheque at the office"
        CHEQUE = "cheque", "Cheque"  # a refund sent by cheque
        OTHER = "other", "Other"

    account = models.ForeignKey("revenues.Account", on_delete=models.PROTECT, related_name="entries")
    financial_year = models.CharField(max_length=7)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    method = models.CharField(max_length=15, choices=Method.choices, blank=True)
    # Signed: what it adds to the amount owed (a payment of £50 is -50.00).
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    posted_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True, help_text="The payer's or the file's reference.")
    # What made it, unique per tenant so the same file row, callback or collection is never posted twice.
    source_key = models.CharField(max_length=200)
    # The entry a refund or reversal undoes.
    reverses = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["posted_on", "pk"]
        verbose_name_plural = "ledger entries"
        constraints = [models.UniqueConstraint(fields=["tenant", "source_key"], name="ledgerentry_unique_source")]
        indexes = [
            models.Index(fields=["tenant", "account", "financial_year"], name="ledger_tenant_account_year"),
            models.Index(fields=["tenant", "posted_on"], name="ledger_tenant_posted_on"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on {self.posted_on.isoformat()}"


class PaymentFile(TenantOwnedModel):
    """A file of payments received (bank statement lines, Post Office or PayPoint transactions)."""

    class Source(models.TextChoices):
        BANK = "bank", "Bank"
        POST_OFFICE = "post_office", "Post Office"
        PAYPOINT = "paypoint", "PayPoint"
        CARD = "card", "Card payments (GOV.UK Pay)"  # a day's callbacks, kept as rows like a file's

    source = models.CharField(max_length=15, choices=Source.choices)
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, help_text="The same file imported twice is refused.")
    received_at = models.DateTimeField(auto_now_add=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_posted = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    total_posted = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["tenant", "sha256"], name="paymentfile_unique_content")]

    def __str__(self) -> str:
        return self.name


class PaymentFileRow(TenantOwnedModel):
    """One line of a payment file: posted, or rejected with its reason and kept for an officer to review."""

    class Status(models.TextChoices):
        POSTED = "posted", "Posted"
        REJECTED = "rejected", "Rejected, for review"
        RESOLVED = "resolved", "Resolved by an officer"

    file = models.ForeignKey(PaymentFile, on_delete=models.CASCADE, related_name="rows")
    line_number = models.PositiveIntegerField()
    raw = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.CharField(max_length=300, blank=True)
    # What the row says, parsed where it could be (date, amount, reference, ...): shown for review and posted from.
    values = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="The officer's note on resolving it.")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["file", "line_number"]
        constraints = [models.UniqueConstraint(fields=["tenant", "file", "line_number"], name="paymentrow_unique_line")]
        indexes = [models.Index(fields=["tenant", "status"], name="paymentrow_tenant_status")]


class DirectDebitMandate(TenantOwnedModel):
    """An instruction from a payer to collect from their bank account (the Direct Debit Guarantee applies)."""

    class Status(models.TextChoices):
        NEW = "new", "New: to be lodged (AUDDIS 0N)"
        LODGED = "lodged", "Lodged with the bank"
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected by the payer's bank"

    account = models.ForeignKey("revenues.Account", on_delete=models.PROTECT, related_name="mandates")
    payer_name = models.CharField(max_length=18, help_text="As BACS carries it: 18 characters.")
    sort_code = models.CharField(max_length=6)
    account_number = models.CharField(max_length=8)
    # The reference the payer's bank statement shows; unique per service user (the account number usually).
    reference = models.CharField(max_length=18)
    collection_day = models.PositiveSmallIntegerField(default=1, help_text="Day of the month instalments are due.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    lodged_in = models.ForeignKey(
        "revenues.BacsFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="lodged_mandates"
    )
    # A lodged mandate the council cancels is told to the payer's bank in an AUDDIS file (0C): this one.
    cancellation_lodged_in = models.ForeignKey(
        "revenues.BacsFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="cancelled_mandates"
    )
    cancelled_on = models.DateField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    # What the payer's bank changed (ADDACS 3, C, E) or did (R), oldest first:
    # [{"on": "YYYY-MM-DD", "code": "3", "reason": "...", "before": {...}, "after": {...}}, ...]
    amendments = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "reference"],
                condition=~Q(status__in=["cancelled", "rejected"]),
                name="mandate_unique_live_reference",
            )
        ]
        indexes = [models.Index(fields=["tenant", "account"], name="mandate_tenant_account")]

    def __str__(self) -> str:
        return f"Direct debit {self.reference} ({self.get_status_display()})"


class BacsFile(TenantOwnedModel):
    """A file for BACS in Standard 18 format: lodging or cancelling mandates (AUDDIS), or collecting instalments."""

    class Kind(models.TextChoices):
        AUDDIS = "auddis", "Mandates (AUDDIS)"
        COLLECTION = "collection", "Collections"
        REFUND = "refund", "Refunds (credits)"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    processing_date = models.DateField()
    # One collection file per due date: a resumed or repeated run finds it rather than making another.
    due_date = models.DateField(null=True, blank=True)
    content = models.TextField()
    record_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-processing_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "due_date"], condition=Q(kind="collection"), name="bacsfile_one_collection_per_date"
            ),
            # One refund file per processing day: a repeated or resumed build finds it rather than making another.
            models.UniqueConstraint(
                fields=["tenant", "processing_date"], condition=Q(kind="refund"), name="bacsfile_one_refund_per_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.processing_date.isoformat()}"


class BacsRefund(TenantOwnedModel):
    """Where a refund by BACS is paid: the payee's bank details as the officer gave them (kept for the refund
    credit file, as a mandate keeps the payer's for collections) and the file that pays it. A refund goes in one
    file only: it is marked with the file in the same transaction that writes the file."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="bacs_refunds")
    payee_name = models.CharField(max_length=60, help_text="The file carries its first 18 characters.")
    sort_code = models.CharField(max_length=6)
    account_number = models.CharField(max_length=8)
    paid_in = models.ForeignKey(
        BacsFile, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds", help_text="The credit file."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["tenant", "entry"], name="bacsrefund_one_per_entry")]
        indexes = [models.Index(fields=["tenant", "paid_in"], name="bacsrefund_tenant_file")]

    def __str__(self) -> str:
        return f"BACS refund of {self.entry.amount} to {self.payee_name}"


class BacsReport(TenantOwnedModel):
    """A Bacs report: ADDACS (the payers' banks cancel, amend or reinstate instructions), the AUDDIS report
    (instructions the council lodged that the payers' banks rejected) or ARUDD (direct debits returned unpaid).
    Imported once (SHA-256)."""

    class Kind(models.TextChoices):
        ADDACS = "addacs", "ADDACS (amendments and cancellations)"
        AUDDIS = "auddis", "AUDDIS report (rejected instructions)"
        ARUDD = "arudd", "ARUDD (returned direct debits)"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, help_text="The same report imported twice is refused.")
    report_date = models.DateField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    items_total = models.PositiveIntegerField(default=0)
    items_applied = models.PositiveIntegerField(default=0)
    items_kept = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["tenant", "sha256"], name="bacsreport_unique_content")]

    def count_items(self, items: list["BacsReportItem"]) -> None:
        """Record how many of its items were applied and how many kept for review."""
        self.items_total = len(items)
        self.items_applied = sum(item.status == BacsReportItem.Status.APPLIED for item in items)
        self.items_kept = self.items_total - self.items_applied
        self.save(update_fields=["items_total", "items_applied", "items_kept"])

    def __str__(self) -> str:
        return self.name


class BacsReportItem(TenantOwnedModel):
    """One advice of a report: applied to its mandate (the account then waits for an officer's follow-up), or
    kept for review with the reason it could not be applied."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        REVIEW = "review", "Kept for review"
        RESOLVED = "resolved", "Resolved by an officer"

    report = models.ForeignKey(BacsReport, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(help_text="The advice's place in the report (1: the first).")
    raw = models.TextField()
    reason_code = models.CharField(max_length=2, blank=True)
    reference = models.CharField(max_length=18, blank=True)
    values = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    outcome = models.CharField(max_length=300, help_text="What was done, or why it was kept for review.")
    mandate = models.ForeignKey(
        DirectDebitMandate, on_delete=models.SET_NULL, null=True, blank=True, related_name="report_items"
    )
    # ARUDD: the reversal entry a returned collection became.
    entry = models.ForeignKey(LedgerEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    account = models.ForeignKey(
        "revenues.Account", on_delete=models.SET_NULL, null=True, blank=True, related_name="bacs_report_items"
    )
    # The account needs an officer (contact the payer, a new mandate, the estate): open until resolved.
    follow_up = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True, help_text="The officer's note on resolving it.")

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "report", "position"], name="bacsreportitem_unique_position")
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="bacsreportitem_tenant_status"),
            models.Index(fields=["tenant", "account"], name="bacsreportitem_tenant_account"),
        ]
