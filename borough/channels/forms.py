from django import forms

from borough.channels.email.imap_session import secret_env_prefix
from borough.channels.models import ImapAccount, Mailbox
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


# Mail settings (tenant administrators). The services check every value; these forms parse and explain.


def _text(label: str, *, required: bool = True, max_length: int = 500, help_text: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        error_messages={"max_length": f"Use {max_length} characters or fewer"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )


class MailboxForm(forms.Form):
    local_part = _text("Address", max_length=320)
    name = _text("Name", max_length=120)
    service = forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        empty_label="Choose a service",
        help_text="Each new email opens a case of this service. Services that need a location or answers are not "
        "offered: an email cannot give them.",
        error_messages={"required": "Choose a service", "invalid_choice": "Choose one of the services listed"},
    )

    def __init__(self, *args, tenant, domains: list[str], mailbox: Mailbox | None = None, **kwargs):
        if mailbox is not None:
            kwargs["initial"] = {"local_part": mailbox.local_part, "name": mailbox.name, "service": mailbox.service_id}
        super().__init__(*args, **kwargs)
        self.fields["local_part"].error_messages["required"] = "Enter the address, like contact"
        self.fields["name"].error_messages["required"] = "Enter a name, like Contact us"
        self.fields[
            "local_part"
        ].help_text = f"The part before the @, like contact, or the whole address at one of: {', '.join(domains)}."
        services = Service.objects.filter(tenant=tenant, is_active=True)
        if mailbox is not None:  # its current service stays choosable even if switched off since
            services = services | Service.objects.filter(tenant=tenant, pk=mailbox.service_id)
        self.fields["service"].queryset = services.distinct().order_by("name")


POLLING_CHOICES = [("on", "On: take new mail"), ("off", "Off: leave mail on the server")]


class ImapAccountForm(forms.Form):
    mailbox = forms.ModelChoiceField(
        label="Mailbox it feeds",
        queryset=Mailbox.objects.none(),
        empty_label="Choose a mailbox",
        help_text="Mail taken from this account is handled as mail to this mailbox: it opens cases of its service.",
        error_messages={"required": "Choose a mailbox", "invalid_choice": "Choose one of the mailboxes listed"},
    )
    host = _text("Server", max_length=253, help_text="The IMAP server's name, like outlook.office365.com.")
    port = forms.IntegerField(
        label="Port",
        help_text="Usually 993 (TLS on connect) or 143 (STARTTLS).",
        error_messages={
            "required": "Enter the port, usually 993",
            "invalid": "Give a port number from 1 to 65535, usually 993",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    security = forms.ChoiceField(label="Security", choices=ImapAccount.Security.choices)
    username = _text("Username", max_length=320, help_text="Usually the mailbox's email address.")
    auth_method = forms.ChoiceField(label="Sign-in", choices=ImapAccount.AuthMethod.choices)
    secret_env = _text("Environment variable holding the secret", max_length=120)
    folder = _text("Folder to read", max_length=200, help_text="Usually INBOX.")
    processed_folder = _text(
        "Move read mail to",
        required=False,
        max_length=200,
        help_text="A folder, created if missing. Leave empty to mark read mail as read instead of moving it.",
    )
    poll_interval_minutes = forms.IntegerField(
        label="Poll every (minutes)",
        help_text="From 1 to 1440.",
        error_messages={
            "required": "Enter how often to poll, in minutes",
            "invalid": "Give a number of minutes from 1 to 1440",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    polling = forms.ChoiceField(label="Polling", choices=POLLING_CHOICES)
    oauth_token_url = _text(
        "Token endpoint",
        required=False,
        help_text="OAuth2 with a refresh token only. Microsoft 365: "
        "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token; Google: https://oauth2.googleapis.com/token. "
        "Leave empty when the variable holds an access token kept fresh elsewhere.",
    )
    oauth_client_id = _text("Client id", required=False, max_length=200, help_text="The app's client (application) id.")
    oauth_tenant = _text(
        "Microsoft directory (tenant) id",
        required=False,
        max_length=100,
        help_text="Replaces {tenant} in the token endpoint. Leave empty for other providers.",
    )
    oauth_scope = _text(
        "Scope",
        required=False,
        help_text="Optional, separated by spaces. Microsoft 365: https://outlook.office365.com/IMAP.AccessAsUser.All "
        "offline_access; Google: https://mail.google.com/.",
    )

    def __init__(self, *args, tenant, account: ImapAccount | None = None, **kwargs):
        if account is not None:
            initial = {name: getattr(account, name) for name in self.base_fields if hasattr(account, name)}
            initial["mailbox"] = account.mailbox_id
            initial["polling"] = "on" if account.is_active else "off"
            kwargs["initial"] = initial
        else:
            kwargs["initial"] = {
                "port": 993,
                "security": ImapAccount.Security.TLS,
                "folder": "INBOX",
                "poll_interval_minutes": 5,
                "polling": "on",
                "secret_env": f"{secret_env_prefix(tenant)}MAIL",
            }
        super().__init__(*args, **kwargs)
        self.fields["mailbox"].queryset = Mailbox.objects.filter(tenant=tenant).order_by("local_part")
        self.fields["mailbox"].label_from_instance = lambda mailbox: f"{mailbox.local_part} ({mailbox.name})"
        self.fields["secret_env"].help_text = (
            f"The name of a variable in the environment of Borough's workers, {secret_env_prefix(tenant)}<NAME>. "
            "It holds the password, or for OAuth2 the refresh token (with a token endpoint) or the access token. "
            "Never type the secret itself here."
        )
        for name, label in (("security", "Choose the security"), ("auth_method", "Choose how to sign in")):
            self.fields[name].error_messages.update(required=label, invalid_choice=label)
        self.fields["polling"].error_messages.update(required="Choose on or off", invalid_choice="Choose on or off")
        for name in ("host", "username", "secret_env", "folder"):
            self.fields[name].error_messages["required"] = f"Enter the {self.fields[name].label.lower()}"

    def service_values(self) -> dict:
        """The cleaned values as the imap_account services take them."""
        values = dict(self.cleaned_data)
        values["is_active"] = values.pop("polling") == "on"
        return values
