"""Forms of the provider console. They parse and check input; the tenancy and identity services write."""

import datetime
import re

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.core.svg import MAX_LOGO_BYTES, SvgError, sanitise_svg
from borough.crm.channel_report_forms import ChannelReportForm
from borough.identity.services import SUPPORT_ACCESS_MAX
from borough.tenancy.models import (
    Tenant,
    TenantDomain,
    colour_validator,
    reference_prefix_validator,
    slug_validator,
)
from borough.tenancy.modules import (
    ALL_ROLES,
    MODULES,
    MODULES_BY_CODE,
    TENANT_ADMIN,
    default_modules,
    module_of_role,
)

MODULE_CHOICES = [(m.code, m.name) for m in MODULES]


def _role_label(role: str) -> str:
    module = MODULES_BY_CODE.get(module_of_role(role))
    return f"{module.name if module else 'Administrator'} ({role})"


ROLE_CHOICES = [(role, _role_label(role)) for role in sorted(ALL_ROLES, key=lambda r: (r != TENANT_ADMIN, r))]
_HOST_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^{_HOST_LABEL}(\.{_HOST_LABEL})+$")

# Service errors name model fields; the forms name some of them differently.
SERVICE_FIELD_TO_FORM_FIELD = {
    "brand_colour": "colour",
    "logo_svg": "logo",
    "enabled_modules": "modules",
    "domain": "domains",
    "duration": "duration_minutes",
}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        field = SERVICE_FIELD_TO_FORM_FIELD.get(name, name)
        form.add_error(field if field in form.fields else None, messages)


def _check_domain(domain: str) -> None:
    base = settings.BOROUGH_BASE_DOMAIN
    # A custom domain under the base domain would take over another tenant's <slug>.<base> address.
    if domain == base or domain.endswith("." + base) or domain in settings.BOROUGH_PROVIDER_HOSTS:
        raise ValidationError(f"{domain} is one of the platform's own addresses. Give the tenant's own.")
    if len(domain) > 253 or not _DOMAIN.match(domain):
        raise ValidationError(f"“{domain}” is not a domain name. Give names like www.example.gov.uk, one a line.")


def _modules_not_for_kind(kind: str, modules: list[str]) -> str | None:
    names = [MODULES_BY_CODE[code].name for code in modules if kind not in MODULES_BY_CODE[code].for_kinds]
    if names:
        return f"{', '.join(names)} cannot be enabled for a {Tenant.Kind(kind).label.lower()}."
    return None


class TenantCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=120,
        help_text="As shown to residents and staff, for example Northfield District Council.",
        error_messages={"required": "Enter the tenant's name"},
    )
    slug = forms.CharField(
        label="Short name",
        max_length=32,
        validators=[slug_validator],
        help_text="Lower-case letters, digits and hyphens. The tenant's address will be <short name>."
        + settings.BOROUGH_BASE_DOMAIN
        + ".",
        error_messages={"required": "Enter a short name"},
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=Tenant.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of organisation",
            "invalid_choice": "Select a kind listed",
        },
    )
    nation = forms.ChoiceField(
        label="Nation",
        choices=Tenant.Nation.choices,
        initial=Tenant.Nation.ENGLAND_AND_WALES,
        widget=forms.RadioSelect,
        help_text="Decides the tax and benefit rules that apply.",
        error_messages={"required": "Select the nation", "invalid_choice": "Select the nation"},
    )
    domains = forms.CharField(
        label="Custom domains (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="One per line, for example www.northfield.gov.uk. The first is the main address.",
    )
    colour = forms.CharField(
        label="Brand colour",
        initial="#1d70b8",
        max_length=7,
        validators=[colour_validator],
        help_text="A hex colour, for example #1d70b8. Choose one with enough contrast against white.",
        error_messages={"required": "Enter a brand colour, like #1d70b8"},
    )
    logo = forms.FileField(
        label="Logo (optional)",
        required=False,
        help_text=f"An SVG file, {MAX_LOGO_BYTES // 1024} kB or smaller. Scripts and links out are removed.",
    )
    modules = forms.MultipleChoiceField(
        label="Modules",
        choices=MODULE_CHOICES,
        required=False,
        initial=default_modules(Tenant.Kind.COUNCIL),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Customer contact, revenues and benefits are for councils only.",
    )
    reference_prefix = forms.CharField(
        label="Reference prefix (optional)",
        required=False,
        max_length=5,
        validators=[reference_prefix_validator],
        help_text="2 to 5 capital letters that begin the tenant's references. Leave blank to choose one.",
    )
    admin_username = forms.CharField(
        label="Administrator's username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="The first administrator of the tenant. They manage its staff and roles.",
        error_messages={"required": "Enter the administrator's username"},
    )
    admin_email = forms.EmailField(
        label="Administrator's email address",
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.gov.uk"},
    )

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if Tenant.objects.filter(slug=slug).exists():
            raise ValidationError(f"A tenant with the short name {slug} already exists. Choose another.")
        return slug

    def clean_colour(self) -> str:
        return self.cleaned_data["colour"].lower()

    def clean_domains(self) -> list[str]:
        domains: list[str] = []
        problems: list[ValidationError] = []
        for line in self.cleaned_data["domains"].splitlines():
            domain = line.strip().lower().rstrip(".")
            if not domain:
                continue
            try:
                _check_domain(domain)
            except ValidationError as error:
                problems.append(error)
                continue
            if domain in domains:
                problems.append(ValidationError(f"{domain} is listed twice."))
            elif TenantDomain.objects.filter(domain=domain).exists():
                problems.append(ValidationError(f"{domain} already belongs to a tenant."))
            else:
                domains.append(domain)
        if problems:
            raise ValidationError(problems)
        return domains

    def clean_logo(self) -> str:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return ""
        if not upload.name.lower().endswith(".svg"):
            raise ValidationError("The logo must be an SVG file (a name ending in .svg).")
        if upload.size > MAX_LOGO_BYTES:
            raise ValidationError(f"The logo must be {MAX_LOGO_BYTES // 1024} kB or smaller.")
        try:
            return sanitise_svg(upload.read(MAX_LOGO_BYTES + 1))
        except SvgError as error:
            raise ValidationError(str(error)) from error

    def clean_reference_prefix(self) -> str | None:
        prefix = self.cleaned_data["reference_prefix"].strip()
        if prefix and Tenant.objects.filter(reference_prefix=prefix).exists():
            raise ValidationError(f"The reference prefix {prefix} is taken. Choose another or leave it blank.")
        return prefix or None

    def clean(self):
        cleaned = super().clean()
        self._check_existing_admin(cleaned.get("admin_username"), cleaned.get("admin_email") or "")
        kind = cleaned.get("kind")
        if kind and (problem := _modules_not_for_kind(kind, cleaned.get("modules") or [])):
            self.add_error("modules", problem)
        return cleaned

    def _check_existing_admin(self, username: str | None, email: str) -> None:
        """An existing account becomes the administrator only when its email is given too: a username alone
        claims nobody (the same rule as inviting staff)."""
        existing = get_user_model().objects.filter(username__iexact=username).first() if username else None
        if existing is None:
            return
        if existing.is_provider_staff:
            self.add_error("admin_username", "Provider staff reach tenants through support access only.")
        elif not email or existing.email.lower() != email.lower():
            self.add_error(
                "admin_username",
                "This username is taken. Choose another, or give the existing account's email address "
                "to make it the administrator.",
            )
        elif not existing.is_active:
            self.add_error("admin_username", "This user account is disabled.")
        else:
            self.cleaned_data["admin_username"] = existing.username

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "slug": data["slug"],
            "name": data["name"].strip(),
            "kind": data["kind"],
            "nation": data["nation"],
            "domains": data["domains"],
            "brand_colour": data["colour"],
            "logo_svg": data["logo"],
            "enabled_modules": data["modules"],
            "reference_prefix": data["reference_prefix"],
            "admin_username": data["admin_username"],
            "admin_email": data["admin_email"],
        }


class TenantSuspendForm(forms.Form):
    prefix = "suspend"  # the tenant page has several forms: prefixes keep their field ids apart
    reason = forms.CharField(
        label="Why are you suspending this tenant?",
        max_length=300,
        widget=forms.Textarea,
        help_text="Recorded in the tenant's audit trail. Its users and API keys are refused at once.",
        error_messages={"required": "Say why the tenant is suspended"},
    )


class TenantModulesForm(forms.Form):
    prefix = "modules"
    modules = forms.MultipleChoiceField(
        label="Enabled modules",
        choices=MODULE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff lose access to a module's pages as soon as it is turned off. Its data is kept.",
    )

    def __init__(self, *args, tenant: Tenant, **kwargs):
        self.tenant = tenant
        kwargs.setdefault("initial", {"modules": tenant.enabled_modules})
        super().__init__(*args, **kwargs)

    def clean_modules(self) -> list[str]:
        modules = self.cleaned_data["modules"]
        if problem := _modules_not_for_kind(self.tenant.kind, modules):
            raise ValidationError(problem)
        return modules


def support_role_choices(tenant: Tenant) -> list[tuple[str, str]]:
    """The roles worth granting: the administrator's and those of the tenant's enabled modules."""
    return [
        (role, label) for role, label in ROLE_CHOICES if role == TENANT_ADMIN or tenant.has_module(module_of_role(role))
    ]


class SupportAccessForm(forms.Form):
    prefix = "support"
    reason = forms.CharField(
        label="Why do you need access?",
        min_length=10,
        max_length=500,
        widget=forms.Textarea,
        help_text="For example, the ticket you are working on. The tenant can see this in its audit trail.",
        error_messages={
            "required": "Say why you need access",
            "min_length": "Say why you need access in at least 10 characters",
        },
    )
    duration_minutes = forms.IntegerField(
        label="For how many minutes?",
        min_value=5,
        max_value=int(SUPPORT_ACCESS_MAX.total_seconds() // 60),
        initial=60,
        help_text=f"From 5 to {int(SUPPORT_ACCESS_MAX.total_seconds() // 60)} minutes (8 hours).",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many minutes you need access for",
            "invalid": "Enter the number of minutes as a whole number, like 60",
            "min_value": "Access lasts at least 5 minutes",
            "max_value": "Access lasts at most 480 minutes (8 hours)",
        },
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose the fewest roles that let you do the work.",
        error_messages={"required": "Choose at least one role"},
    )

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = support_role_choices(tenant)

    @property
    def duration(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.cleaned_data["duration_minutes"])


class DateInput(forms.DateInput):
    input_type = "date"


class UsagePeriodForm(forms.Form):
    """The period of the usage report: from the first day of this month to today unless chosen."""

    since = forms.DateField(
        label="From", widget=DateInput(format="%Y-%m-%d"), help_text="The first day, for example 2026-01-01."
    )
    until = forms.DateField(label="To", widget=DateInput(format="%Y-%m-%d"), help_text="The last day, included.")

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        initial = {"since": today.replace(day=1), "until": today}
        # Without a chosen period the report shows this month, so the form is bound to the default.
        if not data or not ({"since", "until"} & set(data)):
            data = {key: value.isoformat() for key, value in initial.items()}
        super().__init__(data, initial=initial, **kwargs)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until:
            if since > until:
                self.add_error("until", "The last day must be on or after the first day.")
            elif (until - since).days > 366:
                self.add_error("until", "Choose a period of at most a year.")
        return cleaned


class ChannelSummaryForm(ChannelReportForm):
    """The period of the channel summary, and optionally one tenant whose whole report to open."""

    tenant = forms.ChoiceField(label="Tenant", required=False, help_text="Choose one to see its whole report.")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        tenants = [(t.slug, t.name) for t in Tenant.objects.order_by("name")]
        self.fields["tenant"].choices = [("", "All tenants: the summary"), *tenants]
