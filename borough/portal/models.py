"""What the citizen portal keeps of its own: the codes that let a resident follow a case.

Everything else a resident gives goes into the CRM (cases) and the people records through their services.
"""

from django.db import models
from django.utils import timezone

from borough.crm.models import Case
from borough.tenancy.models import TenantOwnedModel


class PortalVerification(TenantOwnedModel):
    """A one-time code sent to the email or phone of a case, to let a resident follow it.

    A request for an unknown reference, or with a contact that is not the case's, is recorded too (without a
    case, and with a code nobody was sent): the resident sees the same answer either way, and the rate limit
    counts requests per reference whether or not the reference exists.
    """

    class Sent(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    reference = models.CharField(max_length=20, help_text="As the resident typed it, normalised.")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sent_by = models.CharField(max_length=5, choices=Sent.choices)
    code_salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64, help_text="HMAC of the salt and the code: never the code.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "reference", "created_at"], name="portalverif_tenant_ref")]

    def __str__(self) -> str:
        return f"Code for {self.reference}"
