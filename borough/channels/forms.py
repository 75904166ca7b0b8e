from django import forms

from borough.crm.models import Service


class OpenCaseForm(forms.Form):
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(), empty_label="Choose a service", error_messages={"required": "Choose a service"}
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(tenant=tenant, is_active=True).order_by("name")


class AddToCaseForm(forms.Form):
    reference = forms.CharField(
        label="Case reference", max_length=20, error_messages={"required": "Enter a case reference"}
    )


class DismissForm(forms.Form):
    note = forms.CharField(
        label="Why is no action needed?",
        max_length=250,
        widget=forms.Textarea,
        error_messages={"required": "Say why no action is needed"},
    )


def absorb(form: forms.Form, error) -> None:
    """A service's ValidationError onto the form: its fields where the form has them, else the form's own."""
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
