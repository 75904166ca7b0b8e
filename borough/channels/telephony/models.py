"""The telephone channel: calls as the telephony platform reports them, the events that moved each call on, the
wrap-up codes agents file calls under, and call-backs owed to residents.

A call's events arrive from the platform's webhook (`borough.channels.telephony.api`); agents take, wrap up and
raise cases from calls on the call desk (`/staff/calls/`). Each call is also an `Interaction` (channel phone,
inbound), so it shows on the person's and the case's timeline and counts in channel reports.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from borough.crm.models import Case, Interaction, Team
from borough.people.models import Person
from borough.tenancy.models import TenantOwnedModel


class CallState(models.TextChoices):
    RINGING = "ringing", "Ringing"
    ANSWERED = "answered", "Answered"
    ENDED = "ended", "Ended"


# How far a call has got: an event for an earlier state never moves a call back.
STATE_ORDER = {CallState.RINGING: 0, CallState.ANSWERED: 1, CallState.ENDED: 2}


class WrapUpCode(TenantOwnedModel):
    """What a call was about, for reports (`council-tax`, `waste`, ...). Each tenant keeps its own list."""

    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "label"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="wrapupcode_unique_code")]

    def __str__(self) -> str:
        return self.label


class Call(TenantOwnedModel):
    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved on the call"
        CASE_RAISED = "case_raised", "Case raised"
        CALLBACK = "callback", "Call-back arranged"
        TRANSFERRED = "transferred", "Transferred to another service"
        NO_ACTION = "no_action", "No action needed"
        MISSED = "missed", "Missed: nobody answered"

    provider_call_id = models.CharField(max_length=100, help_text="The telephony platform's id of the call.")
    caller = models.CharField(max_length=40, blank=True, help_text="The caller's number as the platform sent it.")
    caller_normalised = models.CharField(
        max_length=20, blank=True, help_text="In E.164; empty when withheld or not a phone number."
    )
    called = models.CharField(max_length=40, help_text="The council's number that was dialled.")
    state = models.CharField(max_length=8, choices=CallState.choices)
    ringing_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="From answer to end; entered at wrap-up when the events lack it."
    )
    duration_entered = models.BooleanField(default=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cases = models.ManyToManyField(Case, through="CallCase", related_name="+", blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    wrap_up_code = models.ForeignKey(WrapUpCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    wrapped_up_at = models.DateTimeField(null=True, blank=True)
    wrapped_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "provider_call_id"], name="call_unique_provider_call_id")
        ]
        indexes = [
            models.Index(fields=["tenant", "state", "created_at"], name="call_tenant_state_created"),
            models.Index(fields=["tenant", "agent", "state"], name="call_tenant_agent_state"),
            models.Index(fields=["tenant", "caller_normalised"], name="call_tenant_caller"),
            models.Index(fields=["tenant", "person", "created_at"], name="call_tenant_person"),
        ]

    def __str__(self) -> str:
        return f"Call {self.provider_call_id}"

    @property
    def is_missed(self) -> bool:
        return self.state == CallState.ENDED and self.answered_at is None

    @property
    def is_live(self) -> bool:
        return self.state != CallState.ENDED

    @property
    def caller_label(self) -> str:
        return self.caller or "Number withheld"


class CallEvent(TenantOwnedModel):
    """One event the platform sent: at most one per call and state, which makes a repeated webhook harmless."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=8, choices=CallState.choices)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict, blank=True, help_text="The event as received.")

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "call", "state"], name="callevent_unique_state")]


class CallCase(TenantOwnedModel):
    """A case raised from a call (a tenant-owned join: an automatic many-to-many table would escape RLS)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "call", "case"], name="callcase_unique")]
        indexes = [models.Index(fields=["tenant", "case"], name="callcase_tenant_case")]


class CallBack(TenantOwnedModel):
    """A call the council owes a resident: due at a time, for an agent or a team (or anyone), done once called."""

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    phone = models.CharField(max_length=20, help_text="In E.164.")
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["tenant", "done_at", "due_at"], name="callback_tenant_open_due"),
            models.Index(fields=["tenant", "assigned_to", "done_at"], name="callback_tenant_assignee"),
            models.Index(fields=["tenant", "team", "done_at"], name="callback_tenant_team"),
        ]

    def __str__(self) -> str:
        return f"Call-back to {self.phone}"
