"""Forms of the staff revenues pages. They parse and explain; the revenues services hold the rules."""

from django import forms
from django.core.exceptions import ValidationError

from borough.crm.models import Case
from borough.revenues.models import Reduction

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"]


class DateInput(forms.DateInput):
    input_type = "date"  # a date picker where the browser has one; typed text (31/03/2027) works too


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=DateInput(format="%Y-%m-%d"),
        help_text=help_text,
        error_messages={"required": f"Enter the {label.lower()}", "invalid": "Enter a real date, like 31/03/2027"},
    )


def service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: on its fields where the form has them, else the form's own."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Account number, name, address or postcode",
        required=False,
        max_length=200,
        error_messages={"max_length": "Use 200 characters or fewer"},
    )


REBILL_HELP = "Amend the bills of the years this changes (a new plan for the months left)."


class MoveOutForm(forms.Form):
    end = date_field("Last day liable", help_text="The day they moved out: they pay up to and including it.")
    rebill = forms.BooleanField(label="Re-bill", required=False, initial=True, help_text=REBILL_HELP)


class RebillForm(forms.Form):
    financial_year = forms.ChoiceField(label="Financial year", error_messages={"required": "Choose a year"})
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        error_messages={"required": "Say why the bill is amended", "max_length": "Use 300 characters or fewer"},
        help_text="Printed on the amended bill, for example ‘band changed from 1 April’.",
    )

    def __init__(self, *args, years: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(year, year) for year in years]


class ReductionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=Reduction.Kind.choices, error_messages={"required": "Choose a kind"})
    code = forms.CharField(
        label="Code",
        required=False,
        max_length=30,
        help_text="The discount (single_person), exemption class (C), premium (long_term_empty, second_home) "
        "or empty property rule.",
    )
    start = date_field("Start date")
    end = date_field("End date", required=False, help_text="The last day it applies. Leave empty while it does.")
    percent = forms.DecimalField(
        label="Percent", required=False, max_digits=6, decimal_places=2, min_value=0, help_text="For a premium."
    )
    amount = forms.DecimalField(
        label="Amount (£)",
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="For a council tax reduction award (the whole award) or transitional relief (the base liability).",
    )
    empty_since = date_field("Empty since", required=False, help_text="For a long-term empty premium.")
    reason = forms.CharField(label="Reason and evidence", max_length=300, required=False, widget=forms.Textarea)
    case = forms.CharField(
        label="Case reference (optional)",
        required=False,
        max_length=20,
        help_text="The request that asked for it, such as a single person discount application.",
    )

    def clean_case(self):
        reference = "".join(self.cleaned_data["case"].split()).upper()
        if not reference:
            return None
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise ValidationError("There is no case with this reference")
        return case

    def service_values(self) -> dict:
        names = ("kind", "code", "start", "end", "percent", "amount", "empty_since", "reason", "case")
        return {name: self.cleaned_data[name] for name in names}


class ReductionEndForm(forms.Form):
    end = date_field("Last day it applies")
