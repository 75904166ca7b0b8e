"""The form that starts annual billing: it reads; the run kind checks (its field messages come back here)."""

from django import forms
from django.core.exceptions import ValidationError

MODES = [("dry", "A dry run: totals and the tax base, no bills"), ("real", "The real run: write every bill")]


class AnnualBillingForm(forms.Form):
    financial_year = forms.CharField(
        label="Financial year",
        max_length=7,
        help_text="For example, 2026-27",
        error_messages={"required": "Enter the financial year, like 2026-27"},
    )
    mode = forms.ChoiceField(
        label="What to run",
        choices=MODES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a dry run or the real run"},
    )
    first_instalment_date = forms.CharField(
        label="First instalment date (optional)",
        required=False,
        help_text="As 2026-04-01. Leave empty for 1 April.",
    )

    def parameters(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "financial_year": data["financial_year"].strip(),
            "dry_run": data["mode"] == "dry",
            "first_instalment_date": data["first_instalment_date"].strip(),
        }

    def add_service_errors(self, error: ValidationError) -> None:
        messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        for field, field_messages in messages.items():
            for message in field_messages:
                self.add_error(field if field in self.fields else None, message)

    def error_summary(self) -> list[tuple[str, str | None]]:
        summary: list[tuple[str, str | None]] = [(message, None) for message in self.non_field_errors()]
        for name in self.fields:
            anchor = f"id_{name}_0" if name == "mode" else f"id_{name}"
            summary += [(message, anchor) for message in self.errors.get(name, [])]
        return summary
