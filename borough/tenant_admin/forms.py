"""Forms of the tenant administration pages. Services do the real validation; forms parse and explain."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from borough.identity.models import User
from borough.identity.services import API_KEY_SCOPES
from borough.tenancy.modules import MODULES, TENANT_ADMIN
from borough.tenant_admin.selectors import is_last_admin

USERNAME_CHARACTERS = "Use only letters, digits and the characters @ . + - _ in a username."
SCOPE_HINTS = {
    "read": "Read the organisation's records.",
    "write": "Create and change records.",
    "runs": "Start batch runs and follow their progress.",
    "open311": "Report and follow issues through the Open311 GeoReport API.",
    "telephony": "Send call events from the telephone system.",
    "callbacks": "Receive delivery receipts from messaging providers.",
}


@dataclass(frozen=True)
class Checkbox:
    id: str
    value: str
    label: str
    hint: str
    checked: bool


@dataclass(frozen=True)
class CheckboxGroup:
    legend: str
    checkboxes: list[Checkbox]


def role_groups_for(tenant) -> list[tuple[str, list[str]]]:
    """The roles an administrator may give, grouped by the tenant's enabled modules, administration first."""
    groups = [("Administration", [TENANT_ADMIN])]
    groups += [(m.name, list(m.roles)) for m in MODULES if tenant.has_module(m.code)]
    return groups


def role_label(role: str) -> str:
    if role == TENANT_ADMIN:
        return "Administrator: members, roles, API keys and the support access log"
    return role.split(".", 1)[1].replace("_", " ").capitalize()


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form, for fields it does not have)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def _checkboxes(field: forms.BoundField, values: list[str], labels, hints) -> list[Checkbox]:
    chosen = set(field.value() or ())
    position = [v for v, _ in field.field.choices]
    return [Checkbox(f"{field.auto_id}_{position.index(v)}", v, labels(v), hints(v), v in chosen) for v in values]


class RolesFormMixin:
    """A `roles` field whose checkboxes are grouped by module (render with includes/roles_fieldset.html)."""

    def _add_roles_field(self, tenant) -> None:
        self.role_group_values = role_groups_for(tenant)
        choices = [(role, role) for _, roles in self.role_group_values for role in roles]
        self.fields["roles"] = forms.MultipleChoiceField(
            label="Roles",
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            help_text="Choose what they may do. Only your organisation's modules are listed.",
            error_messages={
                "required": "Choose at least one role",
                "invalid_choice": "%(value)s is not a role you can give here",
            },
        )

    def role_groups(self) -> list[CheckboxGroup]:
        field = self["roles"]
        return [
            CheckboxGroup(legend, _checkboxes(field, roles, role_label, lambda r: r))
            for legend, roles in self.role_group_values
        ]


class MemberAddForm(RolesFormMixin, forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="What they type to sign in. To add someone who already has an account, give its username.",
        error_messages={"required": "Enter a username", "max_length": "Use 150 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        required=False,
        help_text="Not needed when adding an existing account.",
        error_messages={"max_length": "Use 150 characters or fewer"},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_roles_field(tenant)

    def clean_username(self) -> str:
        # Also checked by the service; here, so the message comes with the other fields' messages.
        username = self.cleaned_data["username"]
        try:
            User.username_validator(username)
        except ValidationError:
            raise ValidationError(USERNAME_CHARACTERS) from None
        return username


class MemberRolesForm(RolesFormMixin, forms.Form):
    """Change a member's roles. Roles of modules the tenant no longer has are kept, not silently dropped."""

    def __init__(self, *args, tenant, membership, **kwargs):
        self.membership = membership
        super().__init__(*args, initial={"roles": membership.roles}, **kwargs)
        self._add_roles_field(tenant)
        offered = {value for value, _ in self.fields["roles"].choices}
        self.kept_roles = sorted(r for r in membership.roles if r not in offered)

    def clean_roles(self) -> list[str]:
        roles = self.cleaned_data["roles"]
        membership = self.membership
        if TENANT_ADMIN not in roles and membership.is_active and is_last_admin(membership):
            raise ValidationError(
                f"{membership.user.username} is the only administrator. Give someone else the {TENANT_ADMIN} "
                "role first."
            )
        return sorted({*roles, *self.kept_roles})


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Say which system uses the key, so you recognise it later.",
        error_messages={"required": "Enter a name for the key", "max_length": "Use 100 characters or fewer"},
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=[(scope, scope) for scope in sorted(API_KEY_SCOPES)],
        widget=forms.CheckboxSelectMultiple,
        help_text="Give the key only what the system needs.",
        error_messages={
            "required": "Choose at least one scope",
            "invalid_choice": "%(value)s is not a scope",
        },
    )

    def scope_checkboxes(self) -> list[Checkbox]:
        field = self["scopes"]
        values = [v for v, _ in field.field.choices]
        return _checkboxes(field, values, lambda s: s, lambda s: SCOPE_HINTS.get(s, ""))


class OneLoginForm(forms.Form):
    """GOV.UK One Login for residents: the public half of the key only (the private half is never typed here)."""

    issuer = forms.URLField(
        label="Issuer",
        max_length=200,
        help_text="Integration: https://oidc.integration.account.gov.uk/ Production: https://oidc.account.gov.uk/",
        error_messages={"required": "Enter One Login's issuer URL", "invalid": "Enter a full URL, starting https://"},
    )
    client_id = forms.CharField(
        label="Client ID",
        max_length=100,
        help_text="The client ID One Login gave your service.",
        error_messages={"required": "Enter the client ID One Login gave you"},
    )
    public_key_pem = forms.CharField(
        label="Public key (PEM)",
        widget=forms.Textarea,
        help_text="The public key registered with One Login. Its private key goes in the environment variable below.",
        error_messages={"required": "Paste the public key, starting -----BEGIN PUBLIC KEY-----"},
    )
    key_id = forms.CharField(label="Key ID (optional)", max_length=100, required=False)
    enabled = forms.BooleanField(label="Residents may sign in with GOV.UK One Login", required=False)
