"""Forms of the payments pages: they parse and explain; the services check and write."""

from django import forms

from borough.revenues.models import Account, PaymentFile

UPLOAD_SOURCES = [
    (PaymentFile.Source.BANK, "Bank statement (CSV)"),
    (PaymentFile.Source.POST_OFFICE, "Post Office bill payments file"),
    (PaymentFile.Source.PAYPOINT, "PayPoint transaction file (CSV)"),
]


class PaymentFileUploadForm(forms.Form):
    source = forms.ChoiceField(label="Where the file comes from", choices=UPLOAD_SOURCES)
    file = forms.FileField(
        label="Payment file",
        help_text="The file as the bank, the Post Office or PayPoint sent it. A file is imported once only.",
        error_messages={"required": "Choose the payment file", "empty": "The file is empty"},
    )


class RowPostForm(forms.Form):
    account_number = forms.CharField(
        label="Account number",
        max_length=20,
        help_text="The revenues account the payment belongs to, like NFD-000123",
        error_messages={"required": "Enter the account number"},
    )
    note = forms.CharField(label="Note (optional)", max_length=300, required=False, widget=forms.Textarea)

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean_account_number(self):
        number = " ".join(self.cleaned_data["account_number"].split()).upper()
        account = Account.objects.filter(tenant=self.tenant, number=number).first()
        if account is None:
            raise forms.ValidationError(f"There is no account {number}")
        self.cleaned_data["account"] = account
        return number


class RowDismissForm(forms.Form):
    note = forms.CharField(
        label="How was it resolved?",
        max_length=300,
        widget=forms.Textarea,
        help_text="For example: returned to the payer, posted by hand to a business rates account",
        error_messages={"required": "Say how the row was resolved"},
    )


class AruddUploadForm(forms.Form):
    file = forms.FileField(
        label="ARUDD report (XML)",
        help_text="The Automated Return of Unpaid Direct Debits report, as Bacs publishes it",
        error_messages={"required": "Choose the ARUDD report", "empty": "The file is empty"},
    )


class DateInput(forms.DateInput):
    input_type = "date"  # a date picker where the browser has one; typed text (2/4/2026) works too


class RefundFileForm(forms.Form):
    processing_date = forms.DateField(
        label="Processing day (optional)",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"],
        widget=DateInput(format="%Y-%m-%d"),
        help_text="The Bacs processing day, like 2/4/2026. Leave it blank for the next working day.",
        error_messages={"invalid": "Enter a real date, like 2/4/2026"},
    )
