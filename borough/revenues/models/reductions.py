"""What changes an account's charge, recorded with the dates it applies: council tax discounts, exemptions,
premiums, the disabled band reduction and council tax reduction awards; business rates reliefs and empty periods.

Billing splits each liability period at these dates and charges each piece with what applies in it, so a discount
granted from 14 June changes the charge from 14 June. Dates are inclusive, as liability periods are.
"""

from django.db import models
from django.db.models import Q

from borough.tenancy.models import TenantOwnedModel


class Reduction(TenantOwnedModel):
    class Kind(models.TextChoices):
        # Council tax
        DISCOUNT = "discount", "Discount"  # code: a discount of the engine's rules (single_person, ...)
        EXEMPTION = "exemption", "Exemption"  # code: the exemption class (England B-W, Wales A-W)
        PREMIUM = "premium", "Premium"  # code: long_term_empty | second_home; percent; empty_since
        DISABLED_BAND = "disabled_band", "Disabled band reduction"
        COUNCIL_TAX_REDUCTION = "council_tax_reduction", "Council tax reduction"  # amount: for the whole award
        # Business rates
        SMALL_BUSINESS = "small_business", "Small business rate relief"
        CHARITY = "charity", "Mandatory charitable relief"
        EMPTY_PROPERTY = "empty_property", "Empty property"  # code: ordinary | industrial | listed | ...
        TRANSITIONAL = "transitional", "Transitional relief"
        RURAL = "rural", "Rural rate relief"  # code: general_store | post_office | food_shop | public_house | ...
        SUPPORTING_SMALL_BUSINESS = "supporting_small_business", "Supporting small business relief"  # amount: base

    account = models.ForeignKey("revenues.Account", on_delete=models.CASCADE, related_name="reductions")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    code = models.CharField(max_length=30, blank=True)
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="The last day it applies; empty while it still does.")
    percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # For a long-term empty premium: since when the dwelling has been empty (the years decide the premium).
    empty_since = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why, and on what evidence.")
    # The CRM case that asked for it (an application from the portal), when there was one.
    case = models.ForeignKey("crm.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["tenant", "account", "start"], name="reduction_tenant_account_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="reduction_end_after_start"
            )
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} {self.code}".strip() + f" from {self.start.isoformat()}"
