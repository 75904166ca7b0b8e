from django import forms

from borough.channels.notify.models import NotifyAccount

EMAIL_ROUTES = [("smtp", "By the council's mail server (SMTP)"), ("notify", "Through GOV.UK Notify")]
SWITCH = [("on", "On: send and receive through Notify"), ("off", "Off: send nothing through Notify")]


def _id_field(label: str, help_text: str, required: bool = False):
    return forms.CharField(
        label=label,
        required=required,
        max_length=36,
        help_text=help_text,
        error_messages={"required": f"Enter the {label.lower()}", "max_length": "An id from Notify has 36 characters"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )


class NotifyAccountForm(forms.Form):
    """The settings a tenant administrator may change (the API address and key are the operator's)."""

    sms_template_id = _id_field(
        "Text message template id", "The Notify text message template whose whole content is ((body)).", True
    )
    sms_sender_id = _id_field("Text message sender id", "Leave empty to use the service's default sender.")
    email_template_id = _id_field(
        "Email template id", "The Notify email template with subject ((subject)) and content ((body))."
    )
    email_reply_to_id = _id_field("Email reply-to id", "Leave empty to use the service's default reply-to address.")
    email_route = forms.ChoiceField(label="How is email sent?", choices=EMAIL_ROUTES)
    inbound_number = forms.CharField(
        label="Number residents text",
        required=False,
        max_length=20,
        help_text="Texts Notify passes on for any other number are refused. Leave empty to take them all.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "tel"}),
    )
    switch = forms.ChoiceField(label="Notify for this council", choices=SWITCH)
    callback_token = forms.CharField(
        label="New callback bearer token",
        required=False,
        max_length=200,
        help_text="The token you give Notify for its callbacks, 10 characters or more. Only a hash is kept: leave "
        "empty to keep the current one.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, account: NotifyAccount | None = None, **kwargs):
        if account is not None:
            kwargs["initial"] = {
                "sms_template_id": account.sms_template_id,
                "sms_sender_id": account.sms_sender_id,
                "email_template_id": account.email_template_id,
                "email_reply_to_id": account.email_reply_to_id,
                "email_route": "notify" if account.email_via_notify else "smtp",
                "inbound_number": account.inbound_number,
                "switch": "on" if account.is_active else "off",
            }
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["email_via_notify"] = data.pop("email_route") == "notify"
        data["is_active"] = data.pop("switch") == "on"
        return data
