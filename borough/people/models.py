"""The single view of a person or organisation: contact points, addresses, preferences and consent.

A contact on any channel finds its person here (by a normalised email or phone number) or makes one. Merging keeps
the losing record (`merged_into`) so a merge can be read back, and reversed, from the audit trail.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from borough.tenancy.models import TenantOwnedModel
from borough.tenancy.scope import scope_memo_forget


def new_person_key(tenant_id: int, person_id: int) -> tuple:
    """The key under which person_create notes a new person's contact points for the rest of the request."""
    return ("new_person", tenant_id, person_id)


class ChangesWhatIsNoted(TenantOwnedModel):
    """A row of a person's details: once one is saved or deleted, what person_create noted about the person in this
    request is no longer all there is, so it is read from the database again (ADR 0020)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        scope_memo_forget(new_person_key(self.tenant_id, self.person_id))

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        scope_memo_forget(new_person_key(self.tenant_id, self.person_id))
        return result


class Channel(models.TextChoices):
    WEB = "web", "Web"
    EMAIL = "email", "Email"
    PHONE = "phone", "Telephone"
    SMS = "sms", "Text message"
    POST = "post", "Post"


class Person(TenantOwnedModel):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        WELSH = "cy", "Welsh"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERSON)
    title = models.CharField(max_length=20, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    # Lower-case, accents and punctuation removed: what name search and duplicate detection compare.
    search_name = models.CharField(max_length=300, blank=True, editable=False)
    preferred_channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    preferred_language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    needs = models.CharField(max_length=300, blank=True, help_text="Accessibility or language needs to respect.")
    legal_hold_reason = models.CharField(
        max_length=300, blank=True, help_text="While set (e.g. an open debt), the record may not be erased."
    )
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    merged_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "organisation_name"]
        indexes = [
            models.Index(fields=["tenant", "search_name"], name="person_tenant_search_name"),
            models.Index(fields=["tenant", "family_name"], name="person_tenant_family_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.anonymised_at:
            return "Anonymised person"
        if self.kind == self.Kind.ORGANISATION:
            return self.organisation_name
        return " ".join(part for part in (self.title, self.given_name, self.family_name) if part) or "Unnamed"

    @property
    def is_active(self) -> bool:
        return self.merged_into_id is None and self.anonymised_at is None


class ContactPoint(ChangesWhatIsNoted):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    value = models.CharField(max_length=254, help_text="As given.")
    normalised = models.CharField(max_length=254, help_text="Lower-case email, or the phone number in E.164.")
    is_primary = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["tenant", "kind", "normalised"], name="contact_tenant_kind_normalised")]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "person", "kind", "normalised"], name="contact_unique_per_person")
        ]

    def __str__(self) -> str:
        return self.value


class Address(TenantOwnedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, help_text="Upper case with one space, e.g. NF1 2AB.")
    uprn = models.CharField(max_length=12, blank=True, help_text="Unique Property Reference Number, where known.")
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "postcode"], name="address_tenant_postcode"),
            models.Index(fields=["tenant", "uprn"], name="address_tenant_uprn"),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.line_1, self.line_2, self.town, self.postcode) if part)


class Consent(ChangesWhatIsNoted):
    """A consent given or withdrawn, kept as a history: the newest record for a purpose is in force."""

    class Purpose(models.TextChoices):
        EMAIL_UPDATES = "email_updates", "Updates by email"
        SMS_UPDATES = "sms_updates", "Updates by text message"
        PHONE_CONTACT = "phone_contact", "Contact by telephone"
        SHARE_WITH_PARTNERS = "share_with_partners", "Sharing with other organisations to handle a request"
        SURVEYS = "surveys", "Satisfaction surveys"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    granted = models.BooleanField()
    channel = models.CharField(max_length=8, choices=Channel.choices, help_text="How it was given or withdrawn.")
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["tenant", "person", "purpose", "recorded_at"], name="consent_tenant_person")]
