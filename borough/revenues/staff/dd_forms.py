"""Forms of the account page's direct debit and refund actions. They parse and explain (sort codes and account
numbers may be typed with spaces or hyphens); the payments services hold the rules."""

import re
import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from borough.revenues.payments.staff_services import SCHEMES, RefundMethod

DAYS = [(day, f"{day}{'st' if day in (1, 21) else 'nd' if day in (2, 22) else 'rd' if day in (3, 23) else 'th'}")
        for day in range(1, 29)]  # fmt: skip


def _digits(value: str, width: int, message: str) -> str:
    digits = re.sub(r"[\s-]", "", value or "")
    if not re.fullmatch(rf"\d{{{width}}}", digits):
        raise ValidationError(message)
    return digits


SCHEME_LABELS = {10: "10 monthly instalments (April to January)", 12: "12 monthly instalments (April to March)"}
SORT_CODE_MESSAGE = "Enter a sort code of 6 digits, like 30-94-30"
ACCOUNT_MESSAGE = "Enter an account number of 8 digits, like 00733445"


def sort_code_field(required: bool = True) -> forms.CharField:
    return forms.CharField(
        label="Sort code",
        required=required,
        max_length=20,
        help_text="6 digits, like 30-94-30",
        error_messages={"required": "Enter the sort code", "max_length": SORT_CODE_MESSAGE},
    )


def account_number_field(required: bool = True) -> forms.CharField:
    return forms.CharField(
        label="Account number",
        required=required,
        max_length=20,
        help_text="8 digits, like 00733445",
        error_messages={"required": "Enter the account number", "max_length": ACCOUNT_MESSAGE},
    )


class DirectDebitForm(forms.Form):
    payer_name = forms.CharField(
        label="Name of the account holder",
        max_length=18,
        help_text="As the bank holds it, at most 18 characters (abbreviate if needed): letters, digits, "
        "spaces and . & / -",
        error_messages={
            "required": "Enter the account holder's name",
            "max_length": "Use at most 18 characters, as BACS carries it (abbreviate if needed)",
        },
    )
    sort_code = sort_code_field()
    account_number = account_number_field()
    collection_day = forms.TypedChoiceField(
        label="Preferred payment day",
        choices=DAYS,
        coerce=int,
        initial=1,
        help_text="The day of the month the payer would like to pay, kept with the direct debit. Collections are "
        "taken on the instalment dates of the bill.",
        error_messages={"required": "Choose a day", "invalid_choice": "Choose a day of the month from 1 to 28"},
    )
    instalment_scheme = forms.TypedChoiceField(
        label="Instalments",
        choices=[(n, SCHEME_LABELS[n]) for n in SCHEMES],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="The scheme of the account's next bill. Re-bill the year to apply a change now.",
        error_messages={"required": "Choose 10 or 12 instalments", "invalid_choice": "Choose 10 or 12 instalments"},
    )

    def clean_payer_name(self):
        return " ".join(self.cleaned_data["payer_name"].split()).upper()

    def clean_sort_code(self):
        return _digits(self.cleaned_data["sort_code"], 6, SORT_CODE_MESSAGE)

    def clean_account_number(self):
        return _digits(self.cleaned_data["account_number"], 8, ACCOUNT_MESSAGE)


class DirectDebitCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the direct debit cancelled?",
        max_length=200,
        widget=forms.Textarea,
        help_text="For example: the payer asked by phone on 3 May",
        error_messages={
            "required": "Say why the direct debit is cancelled",
            "max_length": "Use 200 characters or fewer",
        },
    )


class RefundForm(forms.Form):
    financial_year = forms.ChoiceField(label="Year in credit", error_messages={"required": "Choose the year"})
    amount = forms.DecimalField(
        label="Amount to refund (£)",
        max_digits=14,
        decimal_places=2,
        error_messages={
            "required": "Enter the amount to refund",
            "invalid": "Enter an amount in pounds, like 120.50",
            "max_decimal_places": "Enter an amount in pounds and pence, like 120.50",
            "max_digits": "Enter a smaller amount",
            "max_whole_digits": "Enter a smaller amount",
        },
    )
    method = forms.ChoiceField(
        label="How is it paid?",
        choices=RefundMethod.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the refund is paid", "invalid_choice": "Choose how the refund is paid"},
    )
    payee_name = forms.CharField(
        label="Paid to",
        required=False,
        max_length=60,
        help_text=(
            "The account holder's name for BACS (the refund file carries its first 18 characters), the payee for a "
            "cheque"
        ),
        error_messages={"max_length": "Use at most 60 characters"},
    )
    sort_code = sort_code_field(required=False)
    account_number = account_number_field(required=False)
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea,
        help_text="For example: overpaid after moving out on 31 May",
        error_messages={"required": "Say why the refund is made", "max_length": "Use 300 characters or fewer"},
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def __init__(self, *args, credits: dict[str, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.credits = credits
        self.fields["financial_year"].choices = [
            (year, f"{year}: £{credit:,.2f} in credit") for year, credit in sorted(credits.items(), reverse=True)
        ]
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4().hex
            if len(credits) == 1:
                (year, credit), *_ = credits.items()
                self.initial.update({"financial_year": year, "amount": credit})

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError("Enter an amount more than £0")
        return amount

    def clean(self):
        data = super().clean()
        year, amount, method = data.get("financial_year"), data.get("amount"), data.get("method")
        if year in self.credits and amount is not None and amount > self.credits[year]:
            self.add_error("amount", f"The credit for {year} is £{self.credits[year]:,.2f}: refund at most that")
        if method in (RefundMethod.BACS, RefundMethod.CHEQUE) and not data.get("payee_name"):
            self.add_error("payee_name", "Enter the name the refund is paid to")
        if method == RefundMethod.BACS:
            for field, width, message in (("sort_code", 6, SORT_CODE_MESSAGE), ("account_number", 8, ACCOUNT_MESSAGE)):
                if field in data:
                    try:
                        data[field] = _digits(data[field], width, message)
                    except ValidationError as error:
                        self.add_error(field, error)
        return data
