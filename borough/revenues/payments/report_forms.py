"""Forms of the mandate reports pages (ADDACS, AUDDIS reports): they parse and explain; the services check and write."""

from django import forms

from borough.revenues.models import BacsReport


class BacsReportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which report is it?",
        choices=BacsReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which report it is", "invalid_choice": "Choose which report it is"},
    )
    file = forms.FileField(
        label="Report (XML)",
        help_text="The report as Bacs publishes it. A report is imported once only.",
        error_messages={"required": "Choose the report file", "empty": "The file is empty"},
    )


class ItemResolveForm(forms.Form):
    note = forms.CharField(
        label="What was done?",
        max_length=300,
        widget=forms.Textarea,
        help_text="For example: wrote to the payer for a new instruction; the estate's executor contacted",
        error_messages={"required": "Say what was done", "max_length": "Use 300 characters or fewer"},
    )
