"""Forms of the recovery pages: they parse and explain; the services check every value again."""

from django import forms

from borough.revenues.models import RecoveryAction
from borough.revenues.recovery.practice import hearing_days_limits

DATE_HINT = "For example, 2026-04-27"


def _date(label: str, *, required: bool = True, help_text: str = DATE_HINT) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": f"Enter the {label.lower()}", "invalid": f"Enter a real date. {DATE_HINT}"},
    )


class RunForm(forms.Form):
    date = _date("Run date", required=False, help_text="Leave empty for today. " + DATE_HINT)
    hearing_date = _date(
        "Hearing date for summonses",
        required=False,
        help_text="Leave empty for the council's usual days from the summons (recovery settings). " + DATE_HINT,
    )


class PrintForm(forms.Form):
    date = _date("Notices issued on", required=False, help_text="Leave empty for today. " + DATE_HINT)


class AccountForm(forms.Form):
    number = forms.CharField(
        label="Account number", max_length=20, error_messages={"required": "Enter an account number"}
    )


class HoldForm(forms.Form):
    reason = forms.CharField(
        label="Why is recovery held?",
        max_length=300,
        widget=forms.Textarea,
        error_messages={"required": "Say why recovery is held", "max_length": "Use 300 characters or fewer"},
    )
    until = _date("Hold until", required=False, help_text="Leave empty to hold until released. " + DATE_HINT)


class ReleaseForm(forms.Form):
    hold = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Choose the hold to release"})


class ArrangementForm(forms.Form):
    financial_year = forms.RegexField(
        label="Financial year",
        regex=r"^\d{4}-\d{2}$",
        help_text="For example, 2026-27",
        error_messages={"required": "Enter the financial year", "invalid": "Write the year like 2026-27"},
    )
    first_date = _date("First payment date")
    count = forms.IntegerField(
        label="Number of monthly payments",
        min_value=1,
        max_value=24,
        error_messages={
            "required": "Enter the number of payments",
            "invalid": "Enter a whole number",
            "min_value": "Enter at least 1 payment",
            "max_value": "Enter at most 24 payments",
        },
    )


class LiabilityOrderForm(forms.Form):
    hearing_date = _date("Hearing date")
    costs = forms.DecimalField(
        label="Costs allowed by the court, per order",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="In pounds. Leave empty for the council's usual liability order costs.",
        error_messages={
            "invalid": "Enter an amount in pounds, such as 85.00",
            "min_value": "Costs cannot be negative",
            "max_decimal_places": "Enter pounds and pence only",
        },
    )
    summonses = forms.ModelMultipleChoiceField(
        label="Orders made",
        queryset=RecoveryAction.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the summonses the court made orders on"},
    )

    def __init__(self, *args, summonses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if summonses is not None:
            self.fields["summonses"].queryset = summonses


def _days(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        error_messages={"required": f"Enter the {label.lower()}", "invalid": "Enter a whole number of days"},
    )


class SettingsForm(forms.Form):
    """The council's recovery practice: the limits the regulations set are checked by the service."""

    reminder_after_days = _days(
        "Days after a missed instalment before the reminder",
        "At least 1: a reminder only goes once an instalment is unpaid after its due date (reg. 23(1)).",
    )
    hearing_after_days = _days(
        "Days from the summons to the hearing",
        "At least the days a summons posted before Easter or Christmas needs: it is served on the second business "
        "day after posting, and no order may be made until 14 days have elapsed since then (reg. 35(2A)).",
    )
    arrangement_grace_days = _days(
        "Days of grace on an arrangement payment", "Days after a missed payment before the arrangement is broken."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        (least, _most), _why = hearing_days_limits()
        field = self.fields["hearing_after_days"]
        field.help_text = f"At least {least}: " + field.help_text[0].lower() + field.help_text[1:]

    minimum_reminder = forms.DecimalField(
        label="Least amount a reminder asks for",
        help_text="In pounds. Below this no reminder (nor a first final notice) is sent. 0.00: any amount.",
        max_digits=14,
        error_messages={"required": "Enter the least amount, or 0.00", "invalid": "Enter an amount, such as 5.00"},
    )


class WithdrawForm(forms.Form):
    action = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Choose the stage to withdraw"})
    grounds = forms.ChoiceField(
        label="Why is it withdrawn?",
        choices=[("", "Choose")] + RecoveryAction.Grounds.choices,
        error_messages={"required": "Choose why the stage is withdrawn", "invalid_choice": "Choose one of the options"},
    )
    reason = forms.CharField(
        label="Explain",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Issued in error: the costs charged for it are taken off. Paid before the hearing: the costs stay.",
        error_messages={"required": "Say why the stage is withdrawn", "max_length": "Use 300 characters or fewer"},
    )
