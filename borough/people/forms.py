"""Forms of the people pages. The services validate; forms parse, normalise for the duplicate check, and explain."""

from django import forms
from django.core.exceptions import ValidationError

from borough.people.models import Channel, Consent, ContactPoint, Person
from borough.people.normalise import normalise_email, normalise_phone, normalise_postcode

TOO_LONG = "Use %(limit_value)d characters or fewer"
# Where a service's field names differ from the form's (a person's address is `address.<part>` there).
SERVICE_FIELD_NAMES = {f"address.{name}": name for name in ("line_1", "line_2", "town", "postcode", "uprn")}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the whole form, for fields it does not have)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        name = SERVICE_FIELD_NAMES.get(field, field)
        form.add_error(name if name in form.fields else None, messages)


class TelInput(forms.TextInput):
    input_type = "tel"


def _text(label: str, max_length: int, help_text: str = "", widget=forms.TextInput, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        help_text=help_text,
        error_messages={"max_length": TOO_LONG},
        widget=widget(attrs=attrs),
    )


class PersonCreateForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of record", choices=Person.Kind.choices, initial=Person.Kind.PERSON)
    title = _text("Title", 20, help_text="For example, Ms, Mr or Dr. Optional.", autocomplete="off")
    given_name = _text("First name", 100, autocomplete="off", spellcheck="false")
    family_name = _text("Last name", 100, autocomplete="off", spellcheck="false")
    organisation_name = _text("Organisation name", 200, help_text="For an organisation only.", autocomplete="off")
    email = _text("Email address", 254, widget=forms.EmailInput, autocomplete="off", spellcheck="false")
    phone = _text("Phone number", 40, help_text="For example, 07700 900123 or 01632 960001.", widget=TelInput)
    line_1 = _text("Address line 1", 200, autocomplete="off")
    line_2 = _text("Address line 2", 200, autocomplete="off")
    town = _text("Town or city", 100, autocomplete="off")
    postcode = _text("Postcode", 10, autocomplete="off", spellcheck="false")
    uprn = _text("UPRN", 12, help_text="The property's Unique Property Reference Number, if you know it.")
    preferred_channel = forms.ChoiceField(
        label="Preferred way to contact them", choices=Channel.choices, initial=Channel.EMAIL
    )
    preferred_language = forms.ChoiceField(
        label="Preferred language", choices=Person.Language.choices, initial=Person.Language.ENGLISH
    )
    create_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    ADDRESS_PARTS = ("line_1", "line_2", "town", "postcode", "uprn")

    def _normalised(self, name: str, normalise) -> str:
        value = self.cleaned_data[name].strip()
        if not value:
            return ""
        try:
            return normalise(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def clean_email(self) -> str:
        return self._normalised("email", normalise_email)

    def clean_phone(self) -> str:
        self._normalised("phone", normalise_phone)
        return self.cleaned_data["phone"].strip()  # kept as typed: the service stores both forms

    def clean_postcode(self) -> str:
        return self._normalised("postcode", normalise_postcode)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Person.Kind.ORGANISATION and not data.get("organisation_name"):
            self.add_error("organisation_name", "Enter the organisation's name")
        if data.get("kind") == Person.Kind.PERSON and not (data.get("given_name") or data.get("family_name")):
            self.add_error("family_name", "Enter their first name or last name")
        if any(data.get(name) for name in self.ADDRESS_PARTS) and "postcode" not in self.errors:
            if not data.get("line_1"):
                self.add_error("line_1", "Enter the first line of the address, or leave the address empty")
            if not data.get("postcode"):
                self.add_error("postcode", "Enter the postcode, or leave the address empty")
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        address = {name: data[name] for name in self.ADDRESS_PARTS} if data.get("line_1") else None
        names = ("kind", "title", "given_name", "family_name", "organisation_name", "email", "phone")
        arguments = {name: data[name] for name in names}
        return {
            **arguments,
            "address": address,
            "preferred_channel": data["preferred_channel"],
            "preferred_language": data["preferred_language"],
        }


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, email address, phone number or postcode",
        max_length=200,
        required=False,
        error_messages={"max_length": "Search with 200 characters or fewer"},
    )


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(
        label="Record number of the duplicate",
        min_value=1,
        help_text="Its details, cases and contacts move to this record, and it is marked as merged.",
        error_messages={
            "required": "Enter the record number of the duplicate",
            "invalid": "Enter a record number, like 1234",
            "min_value": "Enter a record number, like 1234",
        },
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class UnmergeForm(forms.Form):
    event = forms.IntegerField(
        min_value=1, error_messages={"required": "Choose the merge to undo", "invalid": "Choose the merge to undo"}
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label="Why is this record being erased?",
        min_length=10,
        max_length=300,
        help_text="For example, the request reference. Kept in the audit trail without the erased details.",
        widget=forms.Textarea,
        error_messages={
            "required": "Say why the record is erased",
            "min_length": "Say why in at least %(limit_value)d characters",
            "max_length": "Use %(limit_value)d characters or fewer",
        },
    )


# Keeping a record up to date (borough.people.edit_views). The services normalise and validate the values; these
# forms check what is required and how long it may be, and carry the service's messages back to the fields.


def _choice(label: str, choices, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, error_messages={"required": message, "invalid_choice": message}
    )


class PersonEditForm(forms.Form):
    kind = _choice("Kind of record", Person.Kind.choices, "Choose whether this is a person or an organisation")
    title = _text("Title", 20, help_text="For example, Ms, Mr or Dr. Optional.", autocomplete="off")
    given_name = _text("First name", 100, autocomplete="off", spellcheck="false")
    family_name = _text("Last name", 100, autocomplete="off", spellcheck="false")
    organisation_name = _text("Organisation name", 200, help_text="For an organisation only.", autocomplete="off")
    preferred_channel = _choice(
        "Preferred way to contact them", Channel.choices, "Choose how they prefer to be contacted"
    )
    preferred_language = _choice("Preferred language", Person.Language.choices, "Choose their preferred language")
    needs = _text(
        "Needs to respect",
        300,
        help_text="Accessibility or language needs, for example large print or a British Sign Language interpreter.",
        widget=forms.Textarea,
    )
    legal_hold_reason = _text(
        "Legal hold",
        300,
        help_text="Why the record must be kept, for example an open debt. While set, it cannot be erased.",
    )

    def __init__(self, data=None, *, person: Person, may_set_legal_hold: bool):
        initial = {name: getattr(person, name) for name in self.base_fields}
        super().__init__(data, initial=initial)
        if not may_set_legal_hold:
            del self.fields["legal_hold_reason"]  # supervisors only: a hold stops an erasure

    def clean(self):
        data = super().clean()
        if data.get("kind") == Person.Kind.ORGANISATION and not data.get("organisation_name"):
            self.add_error("organisation_name", "Enter the organisation's name")
        return data

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class ContactPointAddForm(forms.Form):
    """An email address or a phone number: the kind comes from the page (one page for each)."""

    LABELS = {
        ContactPoint.Kind.EMAIL: ("Email address", "an email address", forms.EmailInput, 254),
        ContactPoint.Kind.PHONE: ("Phone number", "a phone number", TelInput, 40),
    }

    value = forms.CharField()
    is_primary = forms.BooleanField(required=False)

    def __init__(self, data=None, *, kind: str):
        super().__init__(data)
        label, named, widget, limit = self.LABELS[kind]
        self.fields["value"] = forms.CharField(
            label=label,
            max_length=limit,
            help_text="For example, 07700 900123 or 01632 960001." if kind == ContactPoint.Kind.PHONE else "",
            error_messages={"required": f"Enter {named}", "max_length": TOO_LONG},
            widget=widget(attrs={"autocomplete": "off", "spellcheck": "false"}),
        )
        self.fields["is_primary"].label = f"Make this their main {label.lower()}"


class AddressForm(forms.Form):
    line_1 = _text("Address line 1", 200, autocomplete="off")
    line_2 = _text("Address line 2 (optional)", 200, autocomplete="off")
    town = _text("Town or city (optional)", 100, autocomplete="off")
    postcode = _text("Postcode", 10, autocomplete="off", spellcheck="false")
    uprn = forms.CharField(
        label="UPRN (optional)",
        max_length=12,
        required=False,
        help_text="The property's Unique Property Reference Number, up to 12 digits, if you know it.",
        error_messages={"max_length": "A UPRN is a number of up to 12 digits"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("line_1", "line_2", "town", "postcode", "uprn")}


class AddressAddForm(AddressForm):
    is_primary = forms.BooleanField(label="Make this their main address", required=False)

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "is_primary": self.cleaned_data["is_primary"]}


class ConsentForm(forms.Form):
    GIVEN, WITHDRAWN = "given", "withdrawn"

    purpose = forms.ChoiceField(
        label="What is the consent for?",
        choices=Consent.Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the consent is for", "invalid_choice": "Choose one of the purposes"},
    )
    decision = forms.ChoiceField(
        label="What did they decide?",
        choices=[(GIVEN, "They give consent"), (WITHDRAWN, "They withdraw consent")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether they give or withdraw consent",
            "invalid_choice": "Choose whether they give or withdraw consent",
        },
    )
    channel = forms.ChoiceField(
        label="How did they tell you?",
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they told you", "invalid_choice": "Choose one of the ways"},
    )
    note = _text("Note (optional)", 300, help_text="For example, what they said or a letter's reference.")

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        granted = data["decision"] == self.GIVEN
        return {"purpose": data["purpose"], "granted": granted, "channel": data["channel"], "note": data["note"]}
