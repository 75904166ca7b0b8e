"""Who may do what: staff users, their memberships of tenants with roles, provider support access, API keys.

User is platform-wide (one login may belong to several tenants); memberships, support grants and API keys are the
tenant's own data and are tenant-owned (scoped and under row-level security).
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from borough.tenancy.models import TenantOwnedModel


class User(AbstractUser):
    is_provider_staff = models.BooleanField(
        default=False,
        help_text="Provider operations staff: the console, and tenants only through support access.",
    )
    must_change_password = models.BooleanField(
        default=False, help_text="Set when someone else chose the password (a set-up password shown once)."
    )

    class Meta:
        ordering = ["username"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Membership(TenantOwnedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user_per_tenant")]
        indexes = [models.Index(fields=["tenant", "is_active"], name="membership_tenant_active")]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant_id}: {', '.join(self.roles)}"


class SupportAccess(TenantOwnedModel):
    """A provider staff member's time-limited access to one tenant, with the reason recorded."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="support_grants")
    reason = models.CharField(max_length=500)
    roles = models.JSONField(default=list)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "user", "expires_at"], name="support_tenant_user_expiry")]
        ordering = ["-granted_at"]

    def is_current(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.granted_at <= now < self.expires_at


class ApiKey(TenantOwnedModel):
    """An integration key of one tenant. Only a hash is stored; the key is shown once, when created."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The key's first characters, to find it and to recognise it.")
    hashed_key = models.CharField(max_length=128)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "prefix"], name="apikey_unique_prefix_per_tenant")]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
