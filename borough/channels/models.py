"""Inbound email: the tenant's mailboxes, every message received (kept raw), and the message ids that thread a
reply to its case."""

from django.db import models
from django.utils import timezone

from borough.crm.models import Case, Service
from borough.people.models import Person
from borough.tenancy.models import TenantConfigurationModel, TenantOwnedModel


class Mailbox(TenantConfigurationModel):
    """An address residents write to, e.g. contact@northfield.example: `local_part` at any of the tenant's domains.
    A new message to it opens a case of its service."""

    local_part = models.CharField(max_length=64, help_text="The part before the @, e.g. contact or bins.")
    name = models.CharField(max_length=120)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["local_part"]
        constraints = [models.UniqueConstraint(fields=["tenant", "local_part"], name="mailbox_unique_local_part")]

    def __str__(self) -> str:
        return self.local_part


class InboundEmail(TenantOwnedModel):
    """One message as received on one of the tenant's addresses, and what became of it."""

    class Outcome(models.TextChoices):
        CASE_CREATED = "case_created", "New case"
        ADDED_TO_CASE = "added_to_case", "Added to its case"
        REVIEW = "review", "Waiting for review"
        IGNORED = "ignored", "Ignored (automatic message)"
        DISMISSED = "dismissed", "Dismissed after review"

    spool_name = models.CharField(max_length=64, help_text="The file the gateway stored it in first.")
    received_at = models.DateTimeField(default=timezone.now)
    envelope_from = models.CharField(max_length=320, blank=True)
    recipient = models.CharField(max_length=320)
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_address = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=500, blank=True)
    body_text = models.TextField(blank=True, help_text="The new text of the message, quoted history removed.")
    raw = models.FileField(upload_to="channels/email/%Y/%m/")
    size = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True, help_text="Why, in plain words.")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "spool_name"], name="inboundemail_unique_spool")]
        indexes = [
            models.Index(fields=["tenant", "outcome", "received_at"], name="inboundemail_tenant_outcome"),
            models.Index(fields=["tenant", "from_address", "received_at"], name="inboundemail_tenant_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"


class EmailThread(TenantOwnedModel):
    """A Message-ID known to belong to a case (ours, sent about it, or the resident's, received on it), so that a
    reply's In-Reply-To or References header finds the case."""

    message_id = models.CharField(max_length=500)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "message_id"], name="emailthread_unique_message_id")]


class ImapAccount(TenantOwnedModel):
    """A mailbox kept elsewhere (the council's own mail server, Microsoft 365, Google) that Borough reads over IMAP:
    each new message in `folder` is taken as if it had been sent to `mailbox` (its service and address decide what
    it becomes), then moved to `processed_folder`, or marked \\Seen when there is none.

    The password or OAuth2 access token is not stored here: `secret_env` names the environment variable (of the
    workers) that holds it, `BOROUGH_IMAP_SECRET_<TENANT SLUG>__<NAME>`, so that an account can only use its own
    tenant's secrets (see borough.channels.email.imap_session)."""

    class Security(models.TextChoices):
        TLS = "tls", "TLS on connect (usually port 993)"
        STARTTLS = "starttls", "STARTTLS (usually port 143)"
        NONE = "none", "None (only for a test server on this machine)"

    class AuthMethod(models.TextChoices):
        PASSWORD = "password", "Password (LOGIN)"
        OAUTH2 = "oauth2", "OAuth 2.0 access token (XOAUTH2)"

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="+")
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=8, choices=Security.choices, default=Security.TLS)
    username = models.CharField(max_length=320)
    auth_method = models.CharField(max_length=8, choices=AuthMethod.choices, default=AuthMethod.PASSWORD)
    secret_env = models.CharField(
        max_length=120, help_text="The environment variable holding the password or token, not the secret itself."
    )
    folder = models.CharField(max_length=200, default="INBOX", help_text="The folder new mail is read from.")
    processed_folder = models.CharField(
        max_length=200, blank=True, help_text="Where read mail is moved to; if empty, it is marked as read instead."
    )
    is_active = models.BooleanField(default=True)
    poll_interval_minutes = models.PositiveSmallIntegerField(
        default=5, help_text="How often new mail is taken, in minutes (1 to 1440)."
    )
    # OAuth2 refresh-token grant (borough.channels.email.oauth). With a token endpoint, `secret_env` holds the refresh
    # token and `<secret_env>_CLIENT_SECRET` the client secret (if the app has one); without, `secret_env` holds an
    # access token that someone else keeps fresh.
    oauth_token_url = models.CharField(
        max_length=500, blank=True, help_text="The provider's token endpoint; {tenant} is replaced by the tenant below."
    )
    oauth_client_id = models.CharField(max_length=200, blank=True, help_text="The app's client (application) id.")
    oauth_tenant = models.CharField(max_length=100, blank=True, help_text="Microsoft only: the directory (tenant) id.")
    oauth_scope = models.CharField(max_length=500, blank=True, help_text="Scopes to ask for, separated by spaces.")
    # Poll state: which messages of the folder have been taken (IMAP UIDs are only meaningful with UIDVALIDITY).
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, help_text="What went wrong last time, in plain words.")
    last_taken = models.PositiveIntegerField(default=0, help_text="How many messages the last poll took.")
    polling_since = models.DateTimeField(null=True, blank=True, help_text="Set while a poll runs: two never overlap.")

    class Meta:
        ordering = ["host", "username", "folder"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "host", "username", "folder"], name="imapaccount_unique_source")
        ]
        indexes = [models.Index(fields=["tenant", "is_active"], name="imapaccount_tenant_active")]

    def __str__(self) -> str:
        return f"{self.username} on {self.host} ({self.folder})"
