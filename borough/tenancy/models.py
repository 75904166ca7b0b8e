"""Tenants, their domains and branding, and the base class of every tenant-owned model.

Tenant and TenantDomain are the platform's control plane: they are read before a tenant scope exists (to find the
tenant from the host name), so they are not tenant-owned and carry no row-level security. See docs/adr/0002.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django_scopes import ScopedManager, get_scope

from borough.tenancy.kept import forget_all
from borough.tenancy.modules import MODULES_BY_CODE

slug_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$", "Use 3 to 32 lower-case letters, digits and hyphens."
)
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1d70b8.")
reference_prefix_validator = RegexValidator(r"^[A-Z]{2,5}$", "Use 2 to 5 capital letters.")


class Tenant(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        BUSINESS = "business", "Small business"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    class Nation(models.TextChoices):
        ENGLAND_AND_WALES = "england-and-wales", "England and Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"

    slug = models.SlugField(max_length=32, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND_AND_WALES)
    reference_prefix = models.CharField(max_length=5, unique=True, validators=[reference_prefix_validator])
    brand_colour = models.CharField(max_length=7, default="#1d70b8", validators=[colour_validator])
    logo_svg = models.TextField(blank=True, help_text="An SVG logo shown in the header of the tenant's sites.")
    enabled_modules = models.JSONField(default=list, blank=True)
    suspended_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_all()  # this process serves the change at once; others within seconds (ADR 0020)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def has_module(self, code: str) -> bool:
        return code in self.enabled_modules

    def clean(self) -> None:
        unknown = sorted(set(self.enabled_modules) - set(MODULES_BY_CODE))
        if unknown:
            raise ValidationError({"enabled_modules": f"Unknown modules: {', '.join(unknown)}"})


class TenantDomain(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_all()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_all()
        return result


class TenantMismatch(Exception):
    """A tenant-owned row was saved for a tenant other than the one whose scope is active."""


class TenantOwnedModel(models.Model):
    """Base of every tenant-owned model: a `tenant` column, a scoped default manager, RLS in PostgreSQL.

    Subclasses lead their indexes with `tenant` and include it in every unique constraint (a test checks).
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.check_scope()
        super().save(*args, **kwargs)

    def check_scope(self) -> None:
        """Refuse to write a row of another tenant than the scope's (every save; borough.core.inserts too)."""
        scope = get_scope()
        if scope.get("_enabled", True) and "tenant" in scope and scope["tenant"] != self.tenant_id:
            raise TenantMismatch(
                f"{type(self).__name__} of tenant {self.tenant_id} saved in scope of {scope['tenant']}"
            )


class TenantConfigurationModel(TenantOwnedModel):
    """A tenant-owned row that nearly every request reads and few change (a service, a team, a mailbox), which
    processes keep for a few seconds (borough/tenancy/kept.py, ADR 0020). Saving or deleting one makes this process
    read again at once; other processes read again within BOROUGH_CONFIG_CACHE_SECONDS."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_all()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_all()
        return result
