"""The CRM: teams, the service catalogue with its questions, routing rules, cases with their timeline and service
level, and the knowledge that helps agents answer first time.

Every channel (web, email, phone, SMS, Open311, staff) creates cases through `borough.crm.services.case_create`
and records contacts as `Interaction`s, so a new channel plugs in without reshaping this.
"""

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from borough.people.models import Channel, Person
from borough.tenancy.models import Tenant, TenantConfigurationModel, TenantOwnedModel


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class CaseChannel(models.TextChoices):
    WEB = "web", "Web"
    EMAIL = "email", "Email"
    PHONE = "phone", "Telephone"
    SMS = "sms", "Text message"
    OPEN311 = "open311", "Open311"
    STAFF = "staff", "Staff"


class CrmSettings(TenantOwnedModel):
    """A tenant's CRM settings (one row per tenant; `crm_settings(tenant)` makes it with the defaults)."""

    opening_time = models.TimeField(default="09:00", help_text="Working hours start, Monday to Friday.")
    closing_time = models.TimeField(default="17:00")
    near_breach_percent = models.PositiveSmallIntegerField(
        default=80, help_text="Flag a case as breaching soon once this share of its service level has passed."
    )
    reopen_days = models.PositiveSmallIntegerField(
        default=28, help_text="How many days after resolution a resident may reopen a case."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="crmsettings_one_per_tenant")]


class Team(TenantConfigurationModel):
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="crm_teams", through="TeamMember"
    )
    is_triage = models.BooleanField(default=False, help_text="Where cases go when no routing rule matches.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="team_unique_code")]

    def __str__(self) -> str:
        return self.name


class TeamMember(TenantOwnedModel):
    """A tenant-owned join (an automatic many-to-many table would have no tenant_id and escape RLS)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_supervisor = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "team", "user"], name="teammember_unique")]


class Service(TenantConfigurationModel):
    class SlaUnit(models.TextChoices):
        WORKING_HOURS = "working_hours", "Working hours"
        WORKING_DAYS = "working_days", "Working days"

    code = models.SlugField(max_length=40, help_text="Also the Open311 service_code.")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    group = models.CharField(max_length=80, blank=True)
    keywords = models.CharField(max_length=300, blank=True, help_text="Comma-separated words residents use.")
    is_active = models.BooleanField(default=True)
    needs_location = models.BooleanField(default=False)
    allow_anonymous = models.BooleanField(
        default=False,
        help_text="A resident may report to this service without giving contact details (a pothole, fly-tipping); "
        "otherwise a report from a resident needs an email address or phone number.",
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="services")
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    sla_amount = models.PositiveSmallIntegerField(default=10)
    sla_unit = models.CharField(max_length=14, choices=SlaUnit.choices, default=SlaUnit.WORKING_DAYS)

    class Meta:
        ordering = ["group", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="service_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip().lower() for word in self.keywords.split(",") if word.strip()]


class ServiceQuestion(TenantConfigurationModel):
    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        DATETIME = "datetime", "Date and time"
        SINGLE_CHOICE = "single_choice", "One of a list"
        MULTI_CHOICE = "multi_choice", "Any of a list"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40, help_text="Also the Open311 attribute code.")
    prompt = models.CharField(max_length=200)
    hint = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    choices = models.JSONField(default=list, blank=True, help_text='[{"key": "bag", "name": "Black bag"}, ...]')

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "service", "code"], name="servicequestion_unique_code")
        ]

    def __str__(self) -> str:
        return self.prompt


class RoutingRule(TenantConfigurationModel):
    """The first matching rule (lowest `order`) chooses the team; every condition given must match."""

    order = models.PositiveSmallIntegerField(default=100)
    name = models.CharField(max_length=120)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=CaseChannel.choices, blank=True)
    keywords = models.CharField(max_length=300, blank=True, help_text="Comma-separated; any one may appear.")
    postcode_prefixes = models.CharField(max_length=300, blank=True, help_text="Comma-separated, e.g. NF1, NF2 3")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["tenant", "is_active", "order"], name="routingrule_tenant_order")]

    def __str__(self) -> str:
        return self.name


class Case(TenantOwnedModel):
    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        WAITING_ON_RESIDENT = "waiting_on_resident", "Waiting on resident"
        WAITING_ON_THIRD_PARTY = "waiting_on_third_party", "Waiting on third party"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=20)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    requester = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField(max_length=8, choices=CaseChannel.choices)
    description = models.TextField()
    answers = models.JSONField(default=dict, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    uprn = models.CharField(max_length=12, blank=True)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="crm_cases"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The agent who logged it on the resident's behalf.",
    )
    routed_by = models.CharField(max_length=140, blank=True, help_text="The rule that chose the team, or triage.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The service level: due_at moves on when the clock resumes after a pause (waiting on the resident).
    due_at = models.DateTimeField()
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    feedback_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback_comment = models.TextField(blank=True)
    open311_token = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "reference"], name="case_unique_reference")]
        indexes = [
            models.Index(fields=["tenant", "status", "due_at"], name="case_tenant_status_due"),
            models.Index(fields=["tenant", "team", "status"], name="case_tenant_team_status"),
            models.Index(fields=["tenant", "assigned_to", "status"], name="case_tenant_assignee_status"),
            models.Index(fields=["tenant", "requester", "created_at"], name="case_tenant_requester"),
            models.Index(fields=["tenant", "postcode"], name="case_tenant_postcode"),
            models.Index(fields=["tenant", "service", "created_at"], name="case_tenant_service_created"),
            models.Index(fields=["tenant", "created_at"], name="case_tenant_created"),
            models.Index(fields=["tenant", "open311_token"], name="case_tenant_open311_token"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.service.name if self.service_id else ''}".strip()

    @property
    def is_open(self) -> bool:
        return self.status not in {self.Status.RESOLVED, self.Status.CLOSED}


class CaseEvent(TenantOwnedModel):
    """One entry of a case's timeline. Public entries are what the resident sees."""

    class Kind(models.TextChoices):
        CREATED = "created", "Case created"
        STATUS = "status", "Status changed"
        ASSIGNED = "assigned", "Assigned"
        NOTE = "note", "Internal note"
        UPDATE = "update", "Update to the resident"
        RESIDENT = "resident", "Information from the resident"
        ATTACHMENT = "attachment", "Attachment added"
        LINK = "link", "Linked"
        REFERRAL = "referral", "Referred"
        SLA = "sla", "Service level"
        FEEDBACK = "feedback", "Feedback"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    is_public = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor_label = models.CharField(max_length=200)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    # The client's own id of an Open311 service request update (FixMyStreet's update_id), on the event that answered
    # it: unique per tenant, so a retried POST finds its first answer and two at once cannot both be recorded.
    open311_update_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["tenant", "case", "occurred_at"], name="caseevent_tenant_case_time"),
            # Channel reporting's first reply to a case, found from the index alone.
            models.Index(
                fields=["tenant", "case", "occurred_at"],
                condition=models.Q(kind="update", is_public=True),
                name="caseevent_tenant_case_reply",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "open311_update_id"],
                condition=~models.Q(open311_update_id=""),
                name="caseevent_unique_open311_update_id",
            )
        ]


class Interaction(TenantOwnedModel):
    """A contact with a resident on any channel, in or out: the person's timeline, and the case's."""

    class Direction(models.TextChoices):
        INBOUND = "in", "From the resident"
        OUTBOUND = "out", "To the resident"

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="interactions")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    summary = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, help_text="Channel details: message ids, call ids, status.")
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "person", "occurred_at"], name="interaction_tenant_person"),
            models.Index(fields=["tenant", "case", "occurred_at"], name="interaction_tenant_case"),
            # Channel reporting counts contacts by time and channel from the index alone.
            models.Index(fields=["tenant", "direction", "occurred_at", "channel"], name="interaction_tenant_dir_time"),
            # ... and finds a case's first outbound contact recorded by staff (a reply) from this small one.
            models.Index(
                fields=["tenant", "case", "occurred_at"],
                condition=models.Q(direction="out", recorded_by__isnull=False),
                name="interaction_tenant_case_reply",
            ),
            # An outbound message's delivery (outbox result, Notify's callbacks) finds its Interaction by outbox key.
            models.Index(models.F("tenant"), KeyTransform("outbox_key", "data"), name="interaction_outbox_key"),
        ]


class CaseAttachment(TenantOwnedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="crm/attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_public = models.BooleanField(default=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["tenant", "case"], name="attachment_tenant_case")]


class CaseLink(TenantOwnedModel):
    """A link from a case to another case of this tenant, or a referral to another tenant on the platform."""

    class Kind(models.TextChoices):
        DUPLICATE_OF = "duplicate_of", "Duplicate of"
        RELATED = "related", "Related to"
        REFERRED_TO = "referred_to", "Referred to"
        REFERRED_FROM = "referred_from", "Referred from"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    other_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A referral's other end lives in another tenant (out of this tenant's sight): named, never joined.
    other_tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    other_reference = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["tenant", "case"], name="caselink_tenant_case")]


class ResponseTemplate(TenantOwnedModel):
    title = models.CharField(max_length=120)
    body = models.TextField(help_text="May use {reference}, {name} and {service}.")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["title"]


class KnowledgeArticle(TenantOwnedModel):
    title = models.CharField(max_length=200)
    body = models.TextField()
    keywords = models.CharField(max_length=300, blank=True)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
