"""The forms of the resident's council tax pages. They parse and explain; services check again before writing.

Each form lists its `layout`: how the generic question page shows each field (GOV.UK text input, text area,
radios, or date input), so one template serves every question page.
"""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError

from borough.portal import fields
from borough.portal.forms import PortalForm, _text

NOT_MATCHED = "The account number and postcode do not match our records. Check them and try again"
DATE_PARTS = ("day", "month", "year")


def _autocomplete(purpose: str) -> forms.TextInput:
    """A text input that tells the browser what it holds (WCAG 2.2 1.3.5, identify input purpose)."""
    return forms.TextInput(attrs={"autocomplete": purpose})


class ProveForm(PortalForm):
    number = _text(
        "Council tax account number",
        max_length=20,
        missing="Enter your council tax account number",
        help_text="It is at the top of your bill, and looks like NFD-000123.",
    )
    postcode = _text(
        "Postcode of the property",
        max_length=10,
        missing="Enter the postcode of the property you pay council tax for",
        help_text="The property the bill is for, not where bills are posted to.",
    )

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()

    def clean_postcode(self) -> str:
        return fields.clean_postcode(self.cleaned_data["postcode"])


class DateForm(PortalForm):
    """A GOV.UK date input (day, month, year) for one date, `date_name` in cleaned_data."""

    date_name = "date"
    what = "The date"
    # How far from today the date may be: a change a resident tells us about is recent or near.
    earliest = timedelta(days=2 * 366)
    latest = timedelta(days=92)

    day = forms.CharField(required=False, max_length=2)
    month = forms.CharField(required=False, max_length=2)
    year = forms.CharField(required=False, max_length=4)

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or date.today()
        self.whole_date_wrong = False

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            self.whole_date_wrong = True
            return cleaned
        try:
            day = fields.clean_date_parts(
                cleaned.get("day", ""), cleaned.get("month", ""), cleaned.get("year", ""), what=self.what
            )
        except ValidationError as error:
            self.whole_date_wrong = error.code == "date"
            self.add_error("day" if error.code == "date" else error.code, error)
            return cleaned
        if day < self.today - self.earliest:
            self.whole_date_wrong = True
            self.add_error("day", f"{self.what} must be after {(self.today - self.earliest):%-d %B %Y}")
        elif day > self.today + self.latest:
            self.whole_date_wrong = True
            self.add_error("day", f"{self.what} must be before {(self.today + self.latest):%-d %B %Y}")
        else:
            cleaned[self.date_name] = day.isoformat()
        return cleaned

    def anchor(self, name: str) -> str:
        return f"{self.date_name}-{name}"

    def date_parts(self) -> list[tuple[str, str, int, str, bool]]:
        labels = {"day": ("Day", 2), "month": ("Month", 2), "year": ("Year", 4)}
        errors = self.errors if self.is_bound else {}
        return [
            (part, *labels[part], self[part].value() or "", bool(self.whole_date_wrong or errors.get(part)))
            for part in DATE_PARTS
        ]

    def date_errors(self) -> list[str]:
        if not self.is_bound:
            return []
        return [message for part in DATE_PARTS for message in self.errors.get(part, [])]

    @classmethod
    def initial_from(cls, answers: dict) -> dict:
        value = answers.get(cls.date_name)
        if not value:
            return {}
        day = date.fromisoformat(value)
        return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


class OnlyAdultForm(PortalForm):
    layout = (("radios", "only_adult"),)
    only_adult = forms.ChoiceField(
        label="Are you the only adult (18 or over) living at the property?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        help_text="Do not count people who are disregarded, such as full-time students or live-in carers.",
        error_messages={"required": "Select yes if you are the only adult living at the property"},
    )


class AloneSinceForm(DateForm):
    layout = (("date", "alone_since"),)
    date_name = "alone_since"
    what = "The date you started living alone"
    legend = "When did you start living alone at the property?"
    hint = "For example, 27 3 2026"


class MovingOnForm(DateForm):
    layout = (("date", "moving_on"),)
    date_name = "moving_on"
    what = "The date you move out"
    legend = "When do you move out, or when did you move out?"
    hint = "The last day you live at the property. For example, 27 3 2026"


class NewAddressForm(PortalForm):
    layout = (("textarea", "new_address"), ("input", "new_postcode"))
    new_address = _text(
        "What is your new address?",
        max_length=300,
        missing="Enter your new address",
        widget=forms.Textarea,
        help_text="We will send your final bill here.",
    )
    new_postcode = _text("Postcode (optional)", required=False, max_length=10)

    def clean_new_postcode(self) -> str:
        value = self.cleaned_data["new_postcode"]
        return fields.clean_postcode(value) if value else ""


class ContactForm(PortalForm):
    layout = (("input", "name"), ("input", "email"), ("input", "phone"))
    name = _text("Full name", max_length=200, missing="Enter your full name", widget=_autocomplete("name"))
    email = _text("Email address", required=False, max_length=254, widget=_autocomplete("email"))
    phone = _text("Phone number", required=False, max_length=30, widget=_autocomplete("tel"))

    def clean_email(self) -> str:
        value = self.cleaned_data["email"]
        return fields.clean_email(value) if value else ""

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        return fields.clean_phone(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("email") or cleaned.get("phone")):
            self.add_error("email", "Enter an email address or a phone number, so we can tell you what happens")
        return cleaned


class EbillingForm(PortalForm):
    layout = (("input", "name"), ("input", "email"), ("checkbox", "agree"))
    name = _text("Full name", max_length=200, missing="Enter your full name", widget=_autocomplete("name"))
    email = _text(
        "Email address for your bills",
        max_length=254,
        missing="Enter the email address to send your bills to",
        help_text="We will email your bills here instead of posting them.",
        widget=_autocomplete("email"),
    )
    agree = forms.BooleanField(
        label="I want my council tax bills by email instead of by post",
        error_messages={"required": "Confirm that you want your bills by email"},
    )

    def clean_email(self) -> str:
        return fields.clean_email(self.cleaned_data["email"])
