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


class OneLoginClient(TenantOwnedModel):
    """How a tenant's portal signs residents in with GOV.UK One Login (OpenID Connect; ADR 0021). One per tenant.

    The private key that signs the token request is not stored here: the portal reads it (PEM) from the environment
    variable `BOROUGH_ONE_LOGIN_KEY_<SLUG>`, as the Notify API keys are kept (ADR 0014's rule for secrets). The
    public half is kept, to tell an operator which key to register with One Login and to refuse a variable that
    holds another key. The redirect URI is always https://<the tenant's host>/sign-in/callback/."""

    enabled = models.BooleanField(default=True)
    issuer = models.URLField(help_text="One Login's issuer, e.g. https://oidc.integration.account.gov.uk/")
    client_id = models.CharField(max_length=100)
    public_key_pem = models.TextField(help_text="The public half of the signing key (not secret).")
    key_id = models.CharField(max_length=100, blank=True, help_text="The `kid` put in the client assertion, if any.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="oneloginclient_one_per_tenant")]

    def __str__(self) -> str:
        return f"One Login client {self.client_id}"


class ResidentSignIn(TenantOwnedModel):
    """A resident who has signed in to this tenant's portal with One Login: `subject` is One Login's `sub` (unique
    per service), the contact details are as One Login's userinfo gave them at the last sign-in."""

    subject = models.CharField(max_length=255)
    email = models.EmailField(blank=True)
    email_verified = models.BooleanField(default=False)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "subject"], name="residentsignin_tenant_subject")]

    def __str__(self) -> str:
        return f"Resident {self.pk}"


class ResidentAccountLink(TenantOwnedModel):
    """A council tax account a signed-in resident proved once (number and postcode): it opens at their next sign-in."""

    resident = models.ForeignKey(ResidentSignIn, on_delete=models.CASCADE, related_name="account_links")
    account = models.ForeignKey("revenues.Account", on_delete=models.CASCADE, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "resident", "account"], name="residentlink_tenant_res_account")
        ]
        indexes = [models.Index(fields=["tenant", "account"], name="residentlink_tenant_account")]

    def __str__(self) -> str:
        return f"Link of resident {self.resident_id} to account {self.account_id}"
