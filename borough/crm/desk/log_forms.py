"""The form an agent fills in to log a case on a resident's behalf: the channel, the resident, the description,
the service's own questions and the location. It checks the shape of what was typed; the CRM's question rules
(borough.crm.questions.clean_answers) and services decide the rest, and their messages land on these fields."""

from django import forms
from django.core.exceptions import ValidationError

from borough.crm.models import CaseChannel, Service, ServiceQuestion
from borough.crm.questions import clean_answers
from borough.people.normalise import normalise_email, normalise_phone, normalise_postcode

LOG_CHANNELS = [
    (CaseChannel.PHONE, "Telephone"),
    (CaseChannel.EMAIL, "Email"),
    (CaseChannel.STAFF, "Seen or found by staff"),
]
# The people module's channel for each (a contact by staff is not one of the resident's channels).
PERSON_CHANNEL = {CaseChannel.PHONE: "phone", CaseChannel.EMAIL: "email", CaseChannel.STAFF: "web"}
NEW_PERSON = "new"
ANSWER_PREFIX = "answer_"


def service_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active services grouped for the select's option groups."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for service in Service.objects.filter(is_active=True).order_by("group", "name"):
        groups.setdefault(service.group or "Other services", []).append((service.code, service.name))
    return list(groups.items())


def _question_field(question: ServiceQuestion) -> forms.Field:
    label = question.prompt if question.required else f"{question.prompt} (optional)"
    common = {"label": label, "required": False, "help_text": question.hint}
    choices = [(str(c.get("key")), c.get("name") or str(c.get("key"))) for c in question.choices or []]
    if question.kind == ServiceQuestion.Kind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if question.kind == ServiceQuestion.Kind.MULTI_CHOICE:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    widget = forms.TextInput()
    if question.kind == ServiceQuestion.Kind.DATETIME:
        widget.input_type = "datetime-local"
    elif question.kind == ServiceQuestion.Kind.NUMBER:
        widget.attrs["inputmode"] = "decimal"
    return forms.CharField(widget=widget, max_length=2000, **common)


class LogCaseForm(forms.Form):
    channel = forms.ChoiceField(
        label="How did the resident contact you?",
        choices=LOG_CHANNELS,
        initial=CaseChannel.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the resident contacted you", "invalid_choice": "Choose a channel"},
    )
    given_name = forms.CharField(label="First name", required=False, max_length=100)
    family_name = forms.CharField(label="Last name", required=False, max_length=100)
    email = forms.CharField(label="Email address", required=False, max_length=254)
    phone = forms.CharField(label="Phone number", required=False, max_length=40)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10, help_text="Where the resident lives")
    description = forms.CharField(
        label="What is the problem or request?",
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": "Enter what the problem or request is"},
    )
    address = forms.CharField(
        label="Where is it? (optional)",
        required=False,
        max_length=300,
        help_text="A street address or a description, for example ‘outside 12 High Street’",
    )
    location_postcode = forms.CharField(
        label="Postcode of the place (optional)",
        required=False,
        max_length=10,
        help_text="Leave empty if it is the resident’s own postcode",
    )

    def __init__(self, data=None, *, service: Service, candidates=(), person_required: bool = False):
        super().__init__(data)
        self.service = service
        self.questions = list(service.questions.all())
        for question in self.questions:
            self.fields[ANSWER_PREFIX + question.code] = _question_field(question)
        self.candidates = list(candidates)
        if self.candidates:
            choices = [(str(c.person.pk), c.person.display_name) for c in self.candidates]
            self.fields["person"] = forms.ChoiceField(
                label="Is the resident one of these people?",
                choices=[*choices, (NEW_PERSON, "No, none of these: record a new person")],
                widget=forms.RadioSelect,
                required=person_required,
                error_messages={
                    "required": "Choose the person, or record a new one",
                    "invalid_choice": "Choose one of the people listed, or record a new one",
                },
            )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[ANSWER_PREFIX + q.code] for q in self.questions]

    def raw_answers(self) -> dict:
        """What was typed for each question, as strings (or lists of strings), the way clean_answers reads it."""
        raw = {}
        for question in self.questions:
            name = self.add_prefix(ANSWER_PREFIX + question.code)
            if question.kind == ServiceQuestion.Kind.MULTI_CHOICE:
                values = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name, [])
                if values:
                    raw[question.code] = list(values)
            elif (value := str(self.data.get(name, "")).strip()) != "":
                raw[question.code] = value
        return raw

    def _normalised(self, name: str, normalise) -> str:
        value = self.cleaned_data.get(name, "").strip()
        if not value:
            return ""
        try:
            return normalise(value)
        except ValueError as error:
            self.add_error(name, str(error))
            return ""

    def clean(self):
        cleaned = super().clean()
        cleaned["email"] = self._normalised("email", normalise_email)
        cleaned["phone"] = self._normalised("phone", normalise_phone)
        cleaned["postcode"] = self._normalised("postcode", normalise_postcode)
        cleaned["location_postcode"] = self._normalised("location_postcode", normalise_postcode)
        named = cleaned.get("given_name", "").strip() or cleaned.get("family_name", "").strip()
        given = named or self.data.get("email") or self.data.get("phone")
        if not given:
            self.add_error("given_name", "Enter the resident’s name, email address or phone number")
        try:
            cleaned["answers"] = clean_answers(self.service, self.raw_answers())
        except ValidationError as error:
            self.add_errors(error)
        return cleaned

    def add_errors(self, error: ValidationError, renamed: dict[str, str] | None = None) -> None:
        """A service's messages on this form's fields: answers.<code> on its question, the rest by name (or as
        `renamed` says), and on the form when no field fits."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        renamed = renamed or {}
        for field, messages in error.message_dict.items():
            if field.startswith("answers."):
                name = ANSWER_PREFIX + field.removeprefix("answers.")
            else:
                name = renamed.get(field, field)
            self.add_error(name if name in self.fields else None, messages)
