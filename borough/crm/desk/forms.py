"""Forms of the case page's quick actions. They parse and explain; the CRM's services hold the rules.

Every form has a `prefix` so several live on one page and each error summary link reaches its own field.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from borough.crm import transitions
from borough.crm.attachments import MAX_ATTACHMENT_BYTES
from borough.crm.models import Case, CaseLink, ResponseTemplate, Team, TeamMember
from borough.tenancy.models import Tenant


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (by the form's `service_fields` names where the service
    calls them otherwise), or on the form for fields it does not have."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    renamed = getattr(form, "service_fields", {})
    for field, messages in error.message_dict.items():
        name = renamed.get(field, field)
        form.add_error(name if name in form.fields else None, messages)


def status_label(status: str) -> str:
    return dict(Case.Status.choices).get(status, status)


class AssignForm(forms.Form):
    prefix = "assign"
    service_fields = {"user": "officer"}
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label="Team",
        empty_label="Choose a team",
        error_messages={"invalid_choice": "Choose a team from the list"},
    )
    officer = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Officer",
        empty_label="Nobody (the team's queue)",
        error_messages={"invalid_choice": "Choose an officer from the list"},
    )

    def __init__(self, data=None, *, case: Case, team: Team | None = None, to_me: bool = False, user=None):
        initial = {"team": case.team_id, "officer": case.assigned_to_id}
        super().__init__(data, initial=initial)
        self.case, self.to_me, self.user = case, to_me, user
        self.fields["team"].queryset = Team.objects.all()
        members = TeamMember.objects.select_related("team", "user").order_by("team__name", "user__username")
        if team is not None:
            members = members.filter(team=team)
        self.members = list(members)
        self.fields["officer"].queryset = get_user_model().objects.filter(pk__in={m.user_id for m in self.members})

    def officer_groups(self) -> list[tuple[str, list]]:
        """The officers by team, for the select's option groups."""
        groups: dict[str, list] = {}
        for member in self.members:
            groups.setdefault(member.team.name, []).append(member.user)
        return list(groups.items())

    def clean(self):
        cleaned = super().clean()
        team, officer = cleaned.get("team"), cleaned.get("officer")
        if self.to_me:
            # "Assign to me" takes the case, into a team of mine when the case's team is not one of them.
            cleaned["officer"], cleaned["team"] = self.user, self._team_of(self.user)
            return cleaned
        if team is None and officer is None:
            self.add_error("team", "Choose a team or an officer")
        elif officer is not None and team is None:
            cleaned["team"] = self._team_of(officer)
        elif officer is not None and not self._is_member(team, officer):
            self.add_error("officer", f"{officer.display_name} is not a member of {team.name}")
        return cleaned

    def _is_member(self, team: Team, user) -> bool:
        return any(m.team_id == team.pk and m.user_id == user.pk for m in self._all())

    def _all(self) -> list[TeamMember]:
        if not hasattr(self, "_every_member"):
            self._every_member = list(TeamMember.objects.all())
        return self._every_member

    def _team_of(self, user) -> Team | None:
        """The case's team when the officer belongs to it, else the officer's first team (None: keep the team)."""
        teams = [m.team_id for m in self._all() if m.user_id == user.pk]
        if self.case.team_id in teams or not teams:
            return None
        return Team.objects.get(pk=teams[0])


class StatusForm(forms.Form):
    prefix = "status"
    to_status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new status", "invalid_choice": "Choose one of the statuses listed"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="Why the status changes. Staff only.",
    )

    def __init__(self, data=None, *, case: Case):
        super().__init__(data)
        self.case = case
        allowed = sorted(transitions.ALLOWED.get(case.status, ()), key=self._order)
        self.fields["to_status"].choices = [(status, status_label(status)) for status in allowed]

    @staticmethod
    def _order(status: str) -> int:
        order = [value for value, _label in Case.Status.choices]
        return order.index(status) if status in order else len(order)


class NoteForm(forms.Form):
    prefix = "note"
    body = forms.CharField(
        label="Internal note",
        widget=forms.Textarea,
        max_length=10000,
        help_text="Staff only: the resident never sees it.",
        error_messages={"required": "Enter the note"},
    )


class AttachForm(forms.Form):
    """A file for the case. The service checks the file itself (its real type, its size), as at creation."""

    prefix = "attach"
    file = forms.FileField(
        label="File",
        allow_empty_file=True,  # the service says the file is empty, naming it
        help_text=f"A photo or a PDF, up to {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB.",
        error_messages={"required": "Choose a file to attach", "invalid": "Choose a file to attach"},
    )
    audience = forms.ChoiceField(
        label="Who can see it",
        widget=forms.RadioSelect,
        choices=[("internal", "Staff only"), ("public", "The resident too, with their case")],
        initial="internal",
        required=False,  # not chosen: staff only, the safer way
        error_messages={"invalid_choice": "Choose who can see the file"},
    )


def fill_template(template: ResponseTemplate, case: Case) -> str:
    """The template's text with {reference}, {name} and {service} filled in (other braces are left alone)."""
    name = case.requester.display_name if case.requester_id else "resident"
    values = {"{reference}": case.reference, "{name}": name, "{service}": case.service.name}
    body = template.body
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return body


class UpdateForm(forms.Form):
    prefix = "update"
    template = forms.ModelChoiceField(
        queryset=ResponseTemplate.objects.none(),
        required=False,
        label="Start from a template (optional)",
        empty_label="No template",
        error_messages={"invalid_choice": "Choose a template from the list"},
    )
    body = forms.CharField(
        label="Update to the resident",
        widget=forms.Textarea,
        max_length=10000,
        required=False,
        help_text="The resident sees this on the case and is sent it by email or text message, as they prefer.",
    )

    def __init__(self, data=None, *, case: Case, prefill: bool = False):
        super().__init__(data)
        self.case, self.prefill = case, prefill
        # Templates for any service, and this case's service.
        for_service = Q(service__isnull=True) | Q(service_id=case.service_id)
        self.fields["template"].queryset = ResponseTemplate.objects.filter(for_service).order_by("title")

    def prefilled(self) -> "UpdateForm":
        """A fresh form whose text is the chosen template, filled in for this case."""
        template = self.cleaned_data.get("template")
        body = fill_template(template, self.case) if template else self.data.get(self.add_prefix("body"), "")
        data = {self.add_prefix("template"): template.pk if template else "", self.add_prefix("body"): body}
        return UpdateForm(data, case=self.case, prefill=True)

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body and not self.prefill:
            raise ValidationError("Enter the update to the resident")
        return body


class LinkForm(forms.Form):
    prefix = "link"
    service_fields = {"other_case": "reference"}
    reference = forms.CharField(
        label="Reference of the other case",
        max_length=20,
        error_messages={"required": "Enter the reference of the other case"},
    )
    kind = forms.ChoiceField(
        label="How they are linked",
        widget=forms.RadioSelect,
        choices=[
            (CaseLink.Kind.RELATED, "Related to the other case"),
            (CaseLink.Kind.DUPLICATE_OF, "A duplicate of the other case"),
        ],
        initial=CaseLink.Kind.RELATED,
        error_messages={"required": "Choose how the cases are linked", "invalid_choice": "Choose how they are linked"},
    )

    def __init__(self, data=None, *, case: Case):
        super().__init__(data)
        self.case = case

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        other = Case.objects.filter(reference=reference).first()
        if other is None:
            raise ValidationError(f"There is no case {reference}")
        if other.pk == self.case.pk:
            raise ValidationError("A case cannot be linked to itself")
        self.cleaned_data["other_case"] = other
        return reference


def referral_tenants(tenant: Tenant) -> list[Tenant]:
    """Other active councils on the platform that use the CRM (tenants are few: filtered in Python)."""
    councils = Tenant.objects.filter(kind=Tenant.Kind.COUNCIL, status=Tenant.Status.ACTIVE).exclude(pk=tenant.pk)
    return [other for other in councils.order_by("name") if other.has_module("crm")]


class ReferForm(forms.Form):
    prefix = "refer"
    service_fields = {"share_contact": "share", "share_description": "share"}
    to_tenant = forms.ChoiceField(
        label="Organisation",
        error_messages={
            "required": "Choose the organisation",
            "invalid_choice": "Choose an organisation from the list",
        },
    )
    share = forms.MultipleChoiceField(
        label="What the resident agreed to share",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("description", "The description of the problem and its location"),
            ("contact", "Their name and contact details"),
        ],
        help_text="Only what is ticked is sent; the service and the reference always are. Contact details need "
        "the resident's recorded consent to sharing with other organisations.",
    )

    def __init__(self, data=None, *, case: Case, tenant: Tenant):
        super().__init__(data)
        self.case = case
        self.tenants = {str(other.pk): other for other in referral_tenants(tenant)}
        self.fields["to_tenant"].choices = [("", "Choose an organisation")] + [
            (pk, other.name) for pk, other in self.tenants.items()
        ]

    def clean_to_tenant(self):
        return self.tenants[self.cleaned_data["to_tenant"]]
