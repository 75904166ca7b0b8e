"""The forms of the portal's pages. They parse and explain; services validate again before anything is written."""

from django import forms
from django.core.exceptions import ValidationError

from borough.crm.models import ServiceQuestion
from borough.people.models import Channel, Consent
from borough.portal import fields


class PortalForm(forms.Form):
    """A form whose errors link, in the GOV.UK error summary, to the input to correct."""

    def error_links(self) -> list[tuple[str, str]]:
        links = [("#main-content", error) for error in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name == forms.forms.NON_FIELD_ERRORS:
                continue
            links += [("#" + self.anchor(name), error) for error in errors]
        return links

    def anchor(self, name: str) -> str:
        field = self[name]
        if isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return f"{field.auto_id}_0"
        return field.auto_id


def _text(label: str, *, required: bool = True, max_length: int = 500, missing: str = "", **kwargs):
    messages = {"max_length": f"Use {max_length} characters or fewer"}
    if missing:
        messages["required"] = missing
    return forms.CharField(
        label=label, required=required, max_length=max_length, error_messages=messages, strip=True, **kwargs
    )


LONG_TEXT_OPENINGS = ("describe", "tell us", "explain", "what happened", "give details")


def is_long_text(question: ServiceQuestion) -> bool:
    """A text question that asks for a story gets a text area; a short fact gets a text input."""
    return question.kind == ServiceQuestion.Kind.TEXT and question.prompt.lower().startswith(LONG_TEXT_OPENINGS)


class QuestionForm(PortalForm):
    """One of a service's questions. `raw_answer()` is the answer as a form (or Open311) sends it."""

    DATE_PARTS = ("day", "month", "year")

    def __init__(self, *args, question: ServiceQuestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self._whole_date_wrong = False  # "must be a real date" marks every part of the date
        kind, required = question.kind, question.required
        if kind == ServiceQuestion.Kind.DATETIME:
            for part in (*self.DATE_PARTS, "time"):
                self.fields[f"answer_{part}"] = forms.CharField(required=False, max_length=10)
        elif kind in (ServiceQuestion.Kind.SINGLE_CHOICE, ServiceQuestion.Kind.MULTI_CHOICE):
            choices = [(str(c.get("key", "")), str(c.get("name", c.get("key", "")))) for c in question.choices]
            single = kind == ServiceQuestion.Kind.SINGLE_CHOICE
            field_class = forms.ChoiceField if single else forms.MultipleChoiceField
            self.fields["answer"] = field_class(
                choices=choices,
                required=required,
                widget=forms.RadioSelect if single else forms.CheckboxSelectMultiple,
                error_messages={
                    "required": "Select an answer" if single else "Select at least one answer",
                    "invalid_choice": "Select one of the answers listed",
                },
            )
        else:
            long_text = is_long_text(question)
            self.fields["answer"] = _text(
                question.prompt,
                required=required,
                max_length=2000 if long_text else 500,
                missing="Enter a number" if kind == ServiceQuestion.Kind.NUMBER else "Enter an answer",
                widget=forms.Textarea if long_text else forms.TextInput,
            )

    @property
    def is_date_time(self) -> bool:
        return self.question.kind == ServiceQuestion.Kind.DATETIME

    def date_parts(self) -> list[tuple[str, str, int, str, bool]]:
        """(part, label, width, value, has an error) for the GOV.UK date input."""
        labels = {"day": ("Day", 2), "month": ("Month", 2), "year": ("Year", 4)}
        errors = self.errors if self.is_bound else {}
        return [
            (
                part,
                *labels[part],
                self[f"answer_{part}"].value() or "",
                bool(self._whole_date_wrong or errors.get(f"answer_{part}")),
            )
            for part in self.DATE_PARTS
        ]

    def date_errors(self) -> list[str]:
        if not self.is_bound:
            return []
        return [message for part in self.DATE_PARTS for message in self.errors.get(f"answer_{part}", [])]

    def anchor(self, name: str) -> str:
        if name.startswith("answer_"):
            return f"answer-{name.removeprefix('answer_')}"
        return super().anchor(name)

    def clean_answer(self):
        value = self.cleaned_data.get("answer")
        if self.question.kind == ServiceQuestion.Kind.NUMBER and value:
            return fields.clean_number(value)
        return value

    def clean(self):
        cleaned = super().clean()
        if self.is_date_time:
            cleaned["answer"] = self._clean_date_time(cleaned)
        return cleaned

    def _clean_date_time(self, cleaned) -> str:
        parts = {part: cleaned.get(f"answer_{part}", "") or "" for part in (*self.DATE_PARTS, "time")}
        if not any(parts.values()):
            if self.question.required:
                self.add_error("answer_day", "Enter the date and time")
            return ""
        try:
            day = fields.clean_date_parts(parts["day"], parts["month"], parts["year"])
        except ValidationError as error:
            self._whole_date_wrong = error.code == "date"
            self.add_error(f"answer_{'day' if error.code == 'date' else error.code}", error)
            day = None
        if not parts["time"]:
            self.add_error("answer_time", "Enter the time, like 14:30 or 2:30pm")
            return ""
        try:
            at = fields.clean_time(parts["time"])
        except ValidationError as error:
            self.add_error("answer_time", error)
            return ""
        return f"{day.isoformat()}T{at.strftime('%H:%M')}" if day else ""

    def raw_answer(self):
        """The answer as stored in the journey: a string, a list of strings, or None when left unanswered."""
        value = self.cleaned_data.get("answer")
        return value if value not in ("", [], None) else None

    @classmethod
    def initial_for(cls, question: ServiceQuestion, raw) -> dict:
        if raw is None:
            return {}
        if question.kind == ServiceQuestion.Kind.DATETIME and isinstance(raw, str) and "T" in raw:
            day, at = raw.split("T", 1)
            year, month, date_of_month = (day.split("-") + ["", "", ""])[:3]
            return {
                "answer_day": date_of_month.lstrip("0"),
                "answer_month": month.lstrip("0"),
                "answer_year": year,
                "answer_time": at,
            }
        return {"answer": raw}


class DescriptionForm(PortalForm):
    description = _text(
        "Describe the problem",
        max_length=5000,
        missing="Describe the problem or your question",
        widget=forms.Textarea,
        help_text="Give as much detail as you can. Do not include personal or financial information.",
    )


class PostcodeForm(PortalForm):
    postcode = _text(
        "What is the postcode? (optional)",
        required=False,
        max_length=20,
        help_text="The postcode where the problem is. Leave this empty if you do not know it.",
    )

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"]
        return fields.clean_postcode(value) if value else ""


class AddressForm(PortalForm):
    address = _text(
        "Where exactly is it?",
        max_length=300,
        missing="Enter the address or describe where it is",
        widget=forms.Textarea,
        help_text="An address, or a description like ‘outside the library on Mill Lane, by the bus stop’.",
    )
    # Filled in by a map or the device's location where there is one; the text above is always enough.
    latitude = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def clean_latitude(self):
        return fields.clean_coordinate(self.cleaned_data["latitude"], limit=90, name="latitude")

    def clean_longitude(self):
        return fields.clean_coordinate(self.cleaned_data["longitude"], limit=180, name="longitude")

    def clean(self):
        cleaned = super().clean()
        given = [cleaned.get(name) is not None for name in ("latitude", "longitude")]
        if any(given) and not all(given) and not self.errors:
            raise ValidationError("The map position was incomplete. Enter the address or a description instead.")
        return cleaned

    def anchor(self, name: str) -> str:
        return "id_address" if name in ("latitude", "longitude") else super().anchor(name)


def _photo_field(label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        error_messages={"empty": "The selected file is empty", "invalid": "The selected file could not be read"},
        help_text="A JPEG, PNG, GIF, WebP or HEIC photo, or a PDF, smaller than 10MB.",
    )


class PhotoForm(PortalForm):
    photo = _photo_field("Upload a photo")


class AboutYouForm(PortalForm):
    CHOICES = [("named", "Yes, I will give my contact details"), ("anonymous", "No, report it anonymously")]
    identity = forms.ChoiceField(
        label="Do you want to give your contact details?",
        choices=CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you want to give your contact details"},
    )


class ContactForm(PortalForm):
    given_name = _text("First name", max_length=100, missing="Enter your first name")
    family_name = _text("Last name", max_length=100, missing="Enter your last name")
    email = _text("Email address", required=False, max_length=254)
    phone = _text("Phone number", required=False, max_length=30)

    def clean_email(self) -> str:
        value = self.cleaned_data["email"]
        return fields.clean_email(value) if value else ""

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        return fields.clean_phone(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("email") or cleaned.get("phone")):
            self.add_error("email", "Enter an email address or a phone number, so we can tell you about progress")
        return cleaned


def contact_channels(email: str, phone: str) -> list[tuple[str, str]]:
    """The ways we may contact a resident, given what they told us."""
    choices = []
    if email:
        choices.append((Channel.EMAIL.value, "Email"))
    if phone:
        choices += [(Channel.SMS.value, "Text message"), (Channel.PHONE.value, "Phone call")]
    return choices


def update_consents(email: str, phone: str) -> list[tuple[str, str]]:
    choices = []
    if email:
        choices.append((Consent.Purpose.EMAIL_UPDATES.value, "Send me updates about my report by email"))
    if phone:
        choices.append((Consent.Purpose.SMS_UPDATES.value, "Send me updates about my report by text message"))
    return choices


class PreferencesForm(PortalForm):
    def __init__(self, *args, email: str, phone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_channel"] = forms.ChoiceField(
            label="How should we contact you if we need to?",
            choices=contact_channels(email, phone),
            widget=forms.RadioSelect,
            error_messages={
                "required": "Select how we should contact you",
                "invalid_choice": "Select one of the ways listed",
            },
        )
        self.fields["consents"] = forms.MultipleChoiceField(
            label="Updates",
            choices=update_consents(email, phone),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Select all that apply. We will always tell you when your report is resolved.",
            error_messages={"invalid_choice": "Select from the updates listed"},
        )


class TrackForm(PortalForm):
    reference = _text(
        "Reference",
        max_length=20,
        missing="Enter the reference of your report",
        help_text="It is in the email we sent you, and looks like NFD-000123.",
    )
    contact = _text(
        "Email address or phone number",
        max_length=254,
        missing="Enter the email address or phone number you gave when you reported it",
        help_text="The one you gave when you reported it. We will send a code to it.",
    )

    def clean_reference(self) -> str:
        return "".join(self.cleaned_data["reference"].split()).upper()

    def clean_contact(self) -> tuple[str, str]:
        value = self.cleaned_data["contact"]
        if "@" in value:
            return "email", fields.clean_email(value)
        try:
            return "phone", fields.clean_phone(value)
        except ValidationError:
            raise ValidationError("Enter an email address like name@example.com, or a phone number") from None


class CodeForm(PortalForm):
    code = _text(
        "Security code",
        max_length=20,
        missing="Enter the security code",
        help_text="The 6-digit code we sent you. It expires after 10 minutes.",
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError("Enter the security code in the correct format: 6 numbers, like 123456")
        return code


class AddInformationForm(PortalForm):
    body = _text(
        "What do you want to add?",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        help_text="For example, when it happened again or anything that has changed.",
    )
    photo = _photo_field("Add a photo (optional)")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("body") and not cleaned.get("photo"):
            self.add_error("body", "Enter the information to add, or choose a photo")
        return cleaned


class ReopenForm(PortalForm):
    reason = _text(
        "Why do you want to reopen it?",
        max_length=2000,
        missing="Tell us why the problem is not resolved",
        widget=forms.Textarea,
        help_text="For example, the problem came back or was not fixed.",
    )


RATINGS = [
    ("5", "5 stars: very satisfied"),
    ("4", "4 stars: satisfied"),
    ("3", "3 stars: neither satisfied nor dissatisfied"),
    ("2", "2 stars: dissatisfied"),
    ("1", "1 star: very dissatisfied"),
]


class FeedbackForm(PortalForm):
    rating = forms.TypedChoiceField(
        label="Overall, how did you feel about how we dealt with your report?",
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how satisfied you were", "invalid_choice": "Select one of the answers"},
    )
    comment = _text(
        "How could we improve? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Do not include personal or financial information.",
    )
