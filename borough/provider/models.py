"""The provider's own records. Platform-level, not tenant-owned: they describe work across tenants."""

from django.conf import settings
from django.db import models
from django.utils import timezone

ALL_TENANTS = "all"


class ProviderAccessLog(models.Model):
    """One use of the cross-tenant path (borough.provider.cross_tenant): who, why, which tenants, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=300)
    tenants = models.JSONField(help_text='The ids of the tenants reached, or "all".')
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["occurred_at"], name="provideraccess_occurred")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.user_id}: {self.purpose}"
