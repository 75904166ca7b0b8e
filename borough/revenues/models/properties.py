"""Revenues data: properties (dwellings, business hereditaments), their value history, accounts and liability.

Amounts are charged by the pure engine in `borough.revenues.calc`; these models hold what it is given. Dates of a
liability period are inclusive (the last day liable is `end`), as the engine reads them.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from borough.revenues.calc.params import council_tax_rules
from borough.tenancy.models import TenantOwnedModel


class Country(models.TextChoices):
    """Council tax differs between England (bands A-H) and Wales (A-I); Tenant.nation says only "England and Wales"."""

    ENGLAND = "england", "England"
    WALES = "wales", "Wales"


def bands_for(country: str) -> tuple[str, ...]:
    """The valuation bands of a country, from the engine's statutory data (LGFA 1992 s.5)."""
    return tuple(council_tax_rules().band_ratios[country])


class RevenuesSettings(TenantOwnedModel):
    """A tenant's revenues settings: which country's council tax rules (bands) apply. Absent means England."""

    country = models.CharField(max_length=10, choices=Country.choices, default=Country.ENGLAND)
    # What bills, notices and BACS files print about the council (blank: the tenant's name).
    billing_authority_name = models.CharField(max_length=200, blank=True)
    # Business rates: the billing authority is in Greater London (all its hereditaments are), where the 2026-27
    # transitional relief bands differ (the 5% band runs to £28,000 rather than £20,000).
    greater_london = models.BooleanField(default=False)
    billing_address = models.TextField(blank=True, help_text="The council's postal address, printed on bills.")
    enquiries_phone = models.CharField(max_length=30, blank=True)
    # Direct debit (BACS): the council's service user number and the account collections are paid into.
    bacs_service_user_number = models.CharField(max_length=6, blank=True)
    bacs_sort_code = models.CharField(max_length=6, blank=True)
    bacs_account_number = models.CharField(max_length=8, blank=True)
    bacs_account_name = models.CharField(max_length=18, blank=True)
    # Recovery: the costs the council asks the magistrates to award (reasonably incurred, set locally).
    summons_costs = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    liability_order_costs = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Recovery practice (the run reads them; statutory limits checked by recovery.settings_form).
    recovery_reminder_after_days = models.PositiveSmallIntegerField(default=7)
    recovery_hearing_after_days = models.PositiveSmallIntegerField(default=21)
    recovery_arrangement_grace_days = models.PositiveSmallIntegerField(default=7)
    recovery_minimum_reminder = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name_plural = "revenues settings"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="revenues_settings_one_per_tenant")]

    def __str__(self) -> str:
        return f"Revenues settings ({self.get_country_display()})"


class PropertyStatus(models.TextChoices):
    LIVE = "live", "Live"
    DELETED = "deleted", "Deleted"


class ValueSource(models.TextChoices):
    LIST = "list", "Valuation list"
    ALTERATION = "alteration", "Schedule of alterations"
    MANUAL = "manual", "Entered by staff"


class Parish(TenantOwnedModel):
    """A parish (or community, in Wales) whose precept dwellings in it pay."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parishes"
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="parish_unique_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PropertyAddress(models.Model):
    """The address fields dwellings and hereditaments share."""

    uprn = models.CharField(max_length=12, blank=True)
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    address_line_3 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=10, choices=PropertyStatus.choices, default=PropertyStatus.LIVE)
    # The property's life: liability can only fall inside it. Unknown start means "always existed".
    exists_from = models.DateField(null=True, blank=True)
    deleted_from = models.DateField(null=True, blank=True, help_text="The first day the property no longer exists.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.address_line_3, self.town, self.postcode]
        return ", ".join(part for part in parts if part)


class Dwelling(TenantOwnedModel, PropertyAddress):
    """A dwelling in the council tax valuation list."""

    voa_reference = models.CharField(max_length=25, help_text="The VOA's reference (UARN) of the list entry.")
    band = models.CharField(max_length=1)
    band_effective_from = models.DateField()
    parish = models.ForeignKey(Parish, on_delete=models.PROTECT, null=True, blank=True, related_name="dwellings")

    class Meta:
        ordering = ["address_line_1"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "voa_reference"], name="dwelling_unique_voa_reference"),
            models.UniqueConstraint(fields=["tenant", "uprn"], condition=~Q(uprn=""), name="dwelling_unique_uprn"),
        ]
        indexes = [
            models.Index(fields=["tenant", "postcode"], name="dwelling_tenant_postcode"),
            models.Index(fields=["tenant", "band"], name="dwelling_tenant_band"),
        ]

    def clean(self) -> None:
        from borough.revenues.selectors import tenant_country  # selectors import these models

        bands = bands_for(tenant_country(self.tenant))
        if self.band not in bands:
            raise ValidationError({"band": f"{self.band!r} is not a band here: use {bands[0]} to {bands[-1]}"})


class BandHistory(TenantOwnedModel):
    """Each band a dwelling has had and from when, so a backdated change can be found and re-billed."""

    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="band_history")
    band = models.CharField(max_length=1)
    effective_from = models.DateField()
    source = models.CharField(max_length=12, choices=ValueSource.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_from", "pk"]
        verbose_name_plural = "band history"
        indexes = [models.Index(fields=["tenant", "dwelling", "effective_from"], name="bandhistory_tenant_dwelling")]

    def __str__(self) -> str:
        return f"Band {self.band} from {self.effective_from.isoformat()}"


class Hereditament(TenantOwnedModel, PropertyAddress):
    """A business property in the non-domestic rating list."""

    voa_reference = models.CharField(max_length=25, help_text="The billing authority reference of the list entry.")
    uarn = models.CharField(max_length=20, blank=True, help_text="The VOA's unique address reference number.")
    firm_name = models.CharField(max_length=200, blank=True)
    description_code = models.CharField(max_length=10, blank=True)
    description = models.CharField(max_length=200, blank=True)
    # Rateable value is whole pounds (the list shows no pence).
    rateable_value = models.DecimalField(max_digits=14, decimal_places=0)
    value_effective_from = models.DateField()
    retail_hospitality_leisure = models.BooleanField(default=False)

    class Meta:
        ordering = ["address_line_1"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "voa_reference"], name="hereditament_unique_voa_reference"),
        ]
        indexes = [
            models.Index(fields=["tenant", "postcode"], name="hereditament_tenant_postcode"),
            models.Index(fields=["tenant", "uprn"], name="hereditament_tenant_uprn"),
        ]


class ValueHistory(TenantOwnedModel):
    """Each rateable value a hereditament has had and from when."""

    hereditament = models.ForeignKey(Hereditament, on_delete=models.CASCADE, related_name="value_history")
    rateable_value = models.DecimalField(max_digits=14, decimal_places=0)
    effective_from = models.DateField()
    source = models.CharField(max_length=12, choices=ValueSource.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_from", "pk"]
        verbose_name_plural = "value history"
        indexes = [
            models.Index(fields=["tenant", "hereditament", "effective_from"], name="valuehistory_tenant_hered"),
        ]

    def __str__(self) -> str:
        return f"£{self.rateable_value} from {self.effective_from.isoformat()}"


class Account(TenantOwnedModel):
    """A council tax or business rates account: who is liable for one property, and when."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    number = models.CharField(max_length=20)
    dwelling = models.ForeignKey(Dwelling, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts")
    hereditament = models.ForeignKey(
        Hereditament, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Set when the property's band or value changed from a past date: billing re-bills from this day, then clears it.
    rebill_from = models.DateField(null=True, blank=True)
    # 10 monthly instalments by default; 12 when the taxpayer asks (CT (A&E) Regs 1992 reg. 21(1C)).
    instalment_scheme = models.PositiveSmallIntegerField(default=10)
    # Bills go by email when set (the taxpayer opted into e-billing), otherwise by post (the print file).
    ebilling_email = models.EmailField(blank=True)
    # Where bills are posted when not to the property itself.
    correspondence_address = models.TextField(blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="account_unique_number"),
            models.CheckConstraint(
                condition=Q(dwelling__isnull=False, hereditament__isnull=True)
                | Q(dwelling__isnull=True, hereditament__isnull=False),
                name="account_one_property",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "dwelling"], name="account_tenant_dwelling"),
            models.Index(fields=["tenant", "hereditament"], name="account_tenant_hereditament"),
            models.Index(fields=["tenant", "rebill_from"], name="account_tenant_rebill_from"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def property(self) -> Dwelling | Hereditament:
        return self.dwelling or self.hereditament


class AccountParty(TenantOwnedModel):
    """A liable party of an account; all parties of one account are jointly and severally liable (LGFA 1992 s.6)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(max_length=200)
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="revenues_parties"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "account parties"
        indexes = [
            models.Index(fields=["tenant", "account"], name="accountparty_tenant_account"),
            models.Index(fields=["tenant", "person"], name="accountparty_tenant_person"),
        ]

    def __str__(self) -> str:
        return self.name


class LiabilityPeriod(TenantOwnedModel):
    """From when to when (inclusive) an account is liable for its property."""

    class StartReason(models.TextChoices):
        MOVE_IN = "move_in", "Moved in"
        NEW_PROPERTY = "new_property", "New property"

    class EndReason(models.TextChoices):
        MOVE_OUT = "move_out", "Moved out"
        PROPERTY_DELETED = "property_deleted", "Property deleted from the list"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="liability_periods")
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="The last day liable; empty while still liable.")
    start_reason = models.CharField(max_length=20, choices=StartReason.choices)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["tenant", "account", "start"], name="liability_tenant_account_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="liability_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat() if self.end else 'now'}"


class Precept(TenantOwnedModel):
    """One authority's band D amount for a financial year, as the tenant set it: its own, each major preceptor's
    (county, police, fire), the adult social care precept (shown separately on the bill, as the law requires) and
    each parish's, which only the dwellings in that parish pay."""

    class Kind(models.TextChoices):
        BILLING = "billing", "Billing authority"
        COUNTY = "county", "County council"
        ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
        POLICE = "police", "Police and crime commissioner"
        FIRE = "fire", "Fire and rescue authority"
        PARISH = "parish", "Parish, town or community council"

    financial_year = models.CharField(max_length=7, help_text='"2026-27"')
    kind = models.CharField(max_length=20, choices=Kind.choices)
    authority = models.CharField(max_length=120, help_text="The name printed on the bill.")
    parish = models.ForeignKey(Parish, on_delete=models.PROTECT, null=True, blank=True, related_name="precepts")
    band_d = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["financial_year", "kind", "authority"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "financial_year", "authority"],
                condition=models.Q(parish__isnull=True),
                name="precept_unique_authority",
            ),
            models.UniqueConstraint(
                fields=["tenant", "financial_year", "parish"],
                condition=models.Q(parish__isnull=False),
                name="precept_unique_parish",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority} {self.financial_year}: £{self.band_d} at band D"
