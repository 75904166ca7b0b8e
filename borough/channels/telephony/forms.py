"""Forms of the call desk. They parse and explain; the services hold the rules."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.channels.telephony.models import Call, CallState, WrapUpCode
from borough.crm.desk.forms import add_service_errors
from borough.crm.desk.log_forms import LogCaseForm
from borough.crm.models import Team
from borough.crm.questions import clean_answers
from borough.people.normalise import normalise_email, normalise_postcode

__all__ = [
    "CallBackDoneForm",
    "CallBackForm",
    "CallCaseForm",
    "CallerForm",
    "WrapUpForm",
    "add_service_errors",
]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M")


def _duration(value: str) -> int | None:
    """ "4:30" (minutes and seconds), "4" (minutes) or "" (not known)."""
    value = value.strip()
    if not value:
        return None
    minutes, _, seconds = value.partition(":")
    if not minutes.isdigit() or (seconds and not (seconds.isdigit() and int(seconds) < 60)):
        raise ValidationError("Enter the duration in minutes, or minutes and seconds like 4:30")
    return int(minutes) * 60 + (int(seconds) if seconds else 0)


class WrapUpForm(forms.Form):
    prefix = "wrap"
    service_fields = {"duration_seconds": "duration", "call": None}
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Call.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the call", "invalid_choice": "Choose an outcome"},
    )
    wrap_up_code = forms.ModelChoiceField(
        label="What was the call about?",
        queryset=WrapUpCode.objects.none(),
        empty_label="Choose a wrap-up code",
        error_messages={
            "required": "Choose what the call was about",
            "invalid_choice": "Choose one of the wrap-up codes listed",
        },
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"max_length": "Use 5,000 characters or fewer"},
    )
    duration = forms.CharField(
        label="How long was the call?",
        required=False,
        max_length=10,
        help_text="The telephone system did not say. In minutes, or minutes and seconds like 4:30.",
    )

    def __init__(self, data=None, *, call: Call, codes):
        super().__init__(data, initial={"outcome": call.outcome, "notes": call.notes})
        self.fields["wrap_up_code"].queryset = WrapUpCode.objects.filter(pk__in=[c.pk for c in codes])
        if call.wrap_up_code_id:
            self.initial["wrap_up_code"] = call.wrap_up_code_id
        self.call = call
        self.asks_duration = call.duration_seconds is None or call.duration_entered
        if not self.asks_duration:
            del self.fields["duration"]

    def clean(self):
        data = super().clean()
        if self.call.state == CallState.RINGING:
            self.add_error(None, "The call is still ringing: wrap it up once it has been answered or has ended")
        return data

    def clean_duration(self) -> int | None:
        return _duration(self.cleaned_data["duration"])


class CallerForm(forms.Form):
    """An unknown caller's details; nothing is recorded until the agent confirms (`confirmed`)."""

    prefix = "caller"
    given_name = forms.CharField(label="First name", required=False, max_length=100)
    family_name = forms.CharField(label="Last name", required=False, max_length=100)
    email = forms.CharField(label="Email address (optional)", required=False, max_length=254)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip()
        if not value:
            return ""
        try:
            return normalise_email(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        if not (data.get("given_name", "").strip() or data.get("family_name", "").strip()):
            self.add_error("given_name", "Enter the caller’s first name or last name")
        return data


class CallCaseForm(LogCaseForm):
    """The desk's log-case form for a caller already known from the call: the description, the service's questions
    (the agent's script) and the place; the resident and the channel come from the call."""

    CALLER_FIELDS = ("channel", "given_name", "family_name", "email", "phone", "postcode")

    def __init__(self, data=None, *, service):
        super().__init__(data, service=service)
        for name in self.CALLER_FIELDS:
            del self.fields[name]

    def clean(self):
        cleaned = forms.Form.clean(self)
        cleaned["location_postcode"] = self._normalised("location_postcode", normalise_postcode)
        try:
            cleaned["answers"] = clean_answers(self.service, self.raw_answers())
        except ValidationError as error:
            self.add_errors(error)
        return cleaned


class CallBackForm(forms.Form):
    prefix = "callback"
    service_fields = {"due_at": "due_at", "phone": "phone", "notes": "notes", "team": "team"}
    phone = forms.CharField(label="Number to call", max_length=40)
    due_at = forms.DateTimeField(
        label="When to call back",
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={
            "required": "Enter when to call back",
            "invalid": "Enter a date and time, like 2026-11-27 10:30",
        },
    )
    for_whom = forms.ChoiceField(
        label="Who should call back?",
        choices=[("me", "Me"), ("team", "A team"), ("anyone", "Anyone on the call desk")],
        widget=forms.RadioSelect,
        initial="me",
        error_messages={"required": "Choose who should call back", "invalid_choice": "Choose who should call back"},
    )
    team = forms.ModelChoiceField(
        label="Team (when a team should call back)",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Choose a team",
        error_messages={"invalid_choice": "Choose one of the teams listed"},
    )
    notes = forms.CharField(
        label="What is the call-back about? (optional)", required=False, max_length=5000, widget=forms.Textarea
    )

    def __init__(self, data=None, *, phone: str = ""):
        tomorrow = timezone.localtime() + timedelta(days=1)
        # As the datetime-local input reads it (the shared field template shows the value as it is).
        morning = datetime.combine(tomorrow.date(), time(10, 0)).strftime("%Y-%m-%dT%H:%M")
        super().__init__(data, initial={"phone": phone, "due_at": morning})
        self.fields["team"].queryset = Team.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("for_whom") == "team" and not data.get("team") and "team" not in self.errors:
            self.add_error("team", "Choose the team that should call back")
        return data


class CallBackDoneForm(forms.Form):
    service_fields = {"callback": None}
    note = forms.CharField(
        label="How did the call-back go?",
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"required": "Say how the call-back went", "max_length": "Use 5,000 characters or fewer"},
    )
