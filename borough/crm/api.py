"""The CRM's REST API: the service catalogue, cases (list, filter, search, create, change status, add notes and
updates) and people. Thin: input is parsed here, the rules are in the services, which answer bad input with field
messages (a 400 through borough.core.api's exception handler).

Staff with a CRM role, or an API key with the `read` scope (GET) or the `write` scope (everything else).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from borough.core.api import FieldsBuiltOnce
from borough.core.inserts import rows_written_together
from borough.crm import services
from borough.crm.calc.sla import STATES, sla_state
from borough.crm.models import Case, CaseChannel, CaseEvent, Priority, Service, ServiceQuestion
from borough.crm.selectors import case_search
from borough.crm.settings import crm_calendar, crm_settings
from borough.identity.api_auth import ApiKeyUser
from borough.identity.api_schema import ApiSchema
from borough.people.models import Address, Channel, ContactPoint, Person
from borough.people.selectors import person_search
from borough.people.services import person_create, person_find_or_create

CRM_ROLES = ("crm.agent", "crm.supervisor")
MAX_SEARCH = 500


def named_by_field(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose enum stays inline in the schema (wrapped in allOf). Our `kind` and `status` fields
    each have several choice sets, under a name other endpoints use too; as components, drf-spectacular could
    only name them by a hash (and warns)."""
    values = [value for value, _label in choices]
    schema = {"allOf": [{"type": "string", "enum": values}]}
    described = extend_schema_field(schema)(type("InlineChoiceField", (serializers.ChoiceField,), {}))
    return described(choices=choices, **kwargs)


def _flat(errors, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializers' errors as the documented flat shape: {"requester_details.email": [...]}."""
    flat: dict[str, list[str]] = {}
    for field, messages in errors.items():
        name = f"{prefix}{field}"
        if isinstance(messages, dict):
            flat.update(_flat(messages, f"{name}."))
        else:
            flat[name] = [str(message) for message in messages]
    return flat


def valid(serializer_class, data) -> dict:
    """The serializer's validated data, or a 400 with each bad field's messages."""
    given = serializer_class(data=data)
    if not given.is_valid():
        raise serializers.ValidationError(_flat(given.errors))
    return given.validated_data


class CrmApi:
    """Access shared by the CRM's endpoints: the module, its roles, and `read` or `write` by method."""

    schema = ApiSchema()
    required_module = "crm"
    required_roles = CRM_ROLES

    @property
    def required_scopes(self) -> tuple[str, ...]:
        return ("read",) if self.request.method in SAFE_METHODS else ("write",)


# Services


class ServiceQuestionSerializer(serializers.ModelSerializer):
    kind = named_by_field(ServiceQuestion.Kind.choices, read_only=True)

    class Meta:
        model = ServiceQuestion
        fields = ["code", "prompt", "hint", "kind", "required", "order", "choices"]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    keywords = serializers.ListField(child=serializers.CharField(), source="keyword_list", read_only=True)
    questions = ServiceQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "description",
            "group",
            "keywords",
            "is_active",
            "needs_location",
            "allow_anonymous",
            "team",
            "priority",
            "sla_amount",
            "sla_unit",
            "questions",
        ]
        read_only_fields = fields


class ServiceFilterSerializer(serializers.Serializer):
    active = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="Only (in)active ones.")


class ServiceViewSet(CrmApi, viewsets.ReadOnlyModelViewSet):
    """The service catalogue, each service with its questions (the `answers` a case takes)."""

    serializer_class = ServiceSerializer
    queryset = Service.objects.none()  # the model, for the schema; requests use get_queryset (in scope)
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        services = Service.objects.select_related("team").prefetch_related("questions").order_by("group", "name")
        if self.action == "list":
            active = valid(ServiceFilterSerializer, self.request.query_params)["active"]
            if active is not None:
                services = services.filter(is_active=active)
        return services

    @extend_schema(parameters=[ServiceFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


# Cases


class CaseEventSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    kind = named_by_field(CaseEvent.Kind.choices, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "is_public", "body", "data", "actor_label", "occurred_at"]
        read_only_fields = fields


class CaseSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    team = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    requester = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    status = named_by_field(Case.Status.choices, read_only=True)

    class Meta:
        model = Case
        fields = [
            "reference",
            "service",
            "service_name",
            "status",
            "priority",
            "channel",
            "description",
            "answers",
            "requester",
            "latitude",
            "longitude",
            "address",
            "postcode",
            "uprn",
            "team",
            "assigned_to",
            "routed_by",
            "created_at",
            "updated_at",
            "due_at",
            "sla_paused_at",
            "breached_at",
            "escalated_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "feedback_rating",
        ]
        read_only_fields = fields


class ServiceLevelSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[*STATES, "met", "missed"])
    used_percent = serializers.IntegerField(allow_null=True)
    steps = serializers.ListField(child=serializers.CharField(), help_text="Why, in plain words.")


class CaseDetailSerializer(CaseSerializer):
    service_level = serializers.SerializerMethodField()
    timeline = CaseEventSerializer(source="events", many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "service_level", "timeline"]
        read_only_fields = fields

    @extend_schema_field(ServiceLevelSerializer)
    def get_service_level(self, case: Case) -> dict:
        finished = case.resolved_at or case.closed_at
        if finished is not None:
            met = finished <= case.due_at
            return {"state": "met" if met else "missed", "used_percent": None, "steps": []}
        settings = crm_settings(case.tenant)
        state = sla_state(
            timezone.now(),
            case.created_at,
            case.due_at,
            case.sla_paused_at,
            settings.near_breach_percent,
            crm_calendar(case.tenant, settings),
        )
        return {"state": state.state, "used_percent": state.used_percent, "steps": list(state.steps)}


class RequesterDetailsSerializer(FieldsBuiltOnce, serializers.Serializer):
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    given_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class CaseCreateSerializer(FieldsBuiltOnce, serializers.Serializer):
    service = serializers.CharField(max_length=40, help_text="The service's code.")
    channel = serializers.ChoiceField(choices=CaseChannel.choices, default=CaseChannel.WEB)
    description = serializers.CharField(max_length=services.MAX_DESCRIPTION, allow_blank=True, trim_whitespace=False)
    answers = serializers.DictField(
        required=False, default=dict, help_text="Question code to answer: text, a number, or a list of choice keys."
    )
    requester = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The id of a person already on record."
    )
    requester_details = RequesterDetailsSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="Or the resident's details: found by email or phone, or recorded as a new person.",
    )
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    postcode = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    uprn = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs["requester"] is not None and attrs["requester_details"]:
            raise serializers.ValidationError({"requester": ["Give a requester or requester_details, not both."]})
        return attrs


class TransitionSerializer(serializers.Serializer):
    to_status = named_by_field(Case.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.MAX_BODY)


class BodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MAX_BODY, allow_blank=True)


class CaseFilterSerializer(serializers.Serializer):
    status = named_by_field(Case.Status.choices, required=False)
    service = serializers.CharField(required=False, max_length=40, help_text="A service code.")
    team = serializers.CharField(required=False, max_length=40, help_text="A team code.")
    assigned = serializers.CharField(
        required=False, max_length=150, help_text="A username, `me`, or `none` for unassigned cases."
    )
    q = serializers.CharField(
        required=False, max_length=200, help_text="Search by reference, email, phone, postcode or name."
    )


def _requester(request, data) -> Person | None:
    if data["requester"] is not None:
        person = Person.objects.filter(tenant=request.tenant, pk=data["requester"]).first()
        if person is None:
            raise serializers.ValidationError({"requester": [f"There is no person {data['requester']}."]})
        return person
    details = {key: value for key, value in (data["requester_details"] or {}).items() if value}
    if not details:
        return None
    if not (details.get("email") or details.get("phone")):
        return person_create(tenant=request.tenant, **details, preferred_channel=Channel.PHONE)
    channel = Channel.PHONE if data["channel"] in (CaseChannel.PHONE, CaseChannel.STAFF) else Channel.WEB
    return person_find_or_create(tenant=request.tenant, channel=channel, **details)


def _requester_errors(error) -> dict:
    """A person's field messages, under requester_details (a person's own `email` is not the case's)."""
    messages = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    return {f"requester_details.{field}": texts for field, texts in messages.items()}


class CaseViewSet(CrmApi, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The tenant's cases, newest first. A case is addressed by its reference, e.g. `NFD-000123`."""

    queryset = Case.objects.none()  # the model, for the schema; requests use get_queryset (in scope)
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9-]{1,20}"

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_queryset(self):
        cases = Case.objects.select_related("service", "team", "assigned_to", "tenant")
        if self.action == "retrieve":
            cases = cases.prefetch_related(Prefetch("events", queryset=CaseEvent.objects.order_by("occurred_at", "id")))
        if self.action == "list":
            cases = self._filtered(cases)
        return cases.order_by("-created_at", "-id")

    def _filtered(self, cases):
        data = valid(CaseFilterSerializer, self.request.query_params)
        if "status" in data:
            cases = cases.filter(status=data["status"])
        if "service" in data:
            cases = cases.filter(service__code=data["service"])
        if "team" in data:
            cases = cases.filter(team__code=data["team"])
        assigned = data.get("assigned")
        if assigned == "none":
            cases = cases.filter(assigned_to__isnull=True)
        elif assigned == "me":
            user = self.request.user
            cases = cases.none() if isinstance(user, ApiKeyUser) else cases.filter(assigned_to_id=user.pk)
        elif assigned:
            cases = cases.filter(assigned_to__username=assigned)
        if data.get("q", "").strip():
            found = case_search(tenant=self.request.tenant, query=data["q"], limit=MAX_SEARCH)
            cases = cases.filter(pk__in=[case.pk for case in found])
        return cases

    def get_object(self):
        reference = self.kwargs["reference"].upper()
        case = self.get_queryset().filter(reference=reference).first()
        if case is None:
            raise Http404
        return case

    @extend_schema(parameters=[CaseFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Create a case, as any channel does: the answers are checked against the service's questions, a
        reference and due time are given, routing chooses the team, and the resident is acknowledged by email.

        Without a requester (or requester details), a case for a service that does not allow anonymous reports is
        refused (400 on `requester`) only when an API key sends it with channel `web` or `open311`: that is a
        resident's own report passed on (a council web form, an app). Staff signed in are logging it on someone's
        behalf, and other channels (phone, email, SMS, staff) are contacts the council took itself, so those may
        have no requester."""
        data = valid(CaseCreateSerializer, request.data)
        logged_by = None if isinstance(request.user, ApiKeyUser) else request.user
        from_resident = logged_by is None and data["channel"] in (CaseChannel.WEB, CaseChannel.OPEN311)
        # A resident recorded for a case that is then refused is not kept; the rows that can wait go together.
        with transaction.atomic(), rows_written_together():
            try:
                requester = _requester(request, data)
            except ValidationError as error:
                raise serializers.ValidationError(_requester_errors(error)) from error
            case = services.case_create(
                tenant=request.tenant,
                service=data["service"],
                channel=data["channel"],
                description=data["description"],
                answers=data["answers"],
                requester=requester,
                latitude=data["latitude"],
                longitude=data["longitude"],
                address=data["address"],
                postcode=data["postcode"],
                uprn=data["uprn"],
                priority=data["priority"],
                logged_by=logged_by,
                from_resident=from_resident,
                savepoint=False,  # this block is the transaction: a failure ends the request
            )
        case._prefetched_objects_cache = {"events": [case.created_event]}  # the new case's whole timeline
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses={200: CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, reference=None):
        """Change the case's status, as the status rules allow; a note is kept as an internal note."""
        case = self.get_object()  # first: another tenant's case is a 404 whatever the body
        services.case_transition(case=case, **valid(TransitionSerializer, request.data))
        return Response(CaseDetailSerializer(self.get_object()).data)

    @extend_schema(request=BodySerializer, responses={201: CaseEventSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request, reference=None):
        """Add an internal note (staff only see it)."""
        case = self.get_object()  # first: another tenant's case is a 404 whatever the body
        event = services.case_add_note(case=case, body=valid(BodySerializer, request.data)["body"])
        return Response(CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BodySerializer, responses={201: CaseEventSerializer})
    @action(detail=True, methods=["post"])
    def updates(self, request, reference=None):
        """Publish an update to the resident: shown on the case and emailed to them."""
        case = self.get_object()  # first: another tenant's case is a 404 whatever the body
        event = services.case_publish_update(case=case, body=valid(BodySerializer, request.data)["body"])
        return Response(CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)


# People


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["line_1", "line_2", "town", "postcode", "uprn", "is_primary"]
        read_only_fields = fields


class ContactPointSerializer(serializers.ModelSerializer):
    kind = named_by_field(ContactPoint.Kind.choices, read_only=True)

    class Meta:
        model = ContactPoint
        fields = ["kind", "value", "normalised", "is_primary"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    contact_points = ContactPointSerializer(many=True, read_only=True)
    addresses = AddressSerializer(many=True, read_only=True)
    kind = named_by_field(Person.Kind.choices, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "kind",
            "display_name",
            "title",
            "given_name",
            "family_name",
            "organisation_name",
            "preferred_channel",
            "preferred_language",
            "contact_points",
            "addresses",
            "created_at",
        ]
        read_only_fields = fields


class NewAddressSerializer(serializers.Serializer):
    line_1 = serializers.CharField(max_length=200, allow_blank=True)
    line_2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    town = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=20, allow_blank=True)
    uprn = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class PersonCreateSerializer(serializers.Serializer):
    kind = named_by_field(Person.Kind.choices, default=Person.Kind.PERSON)
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = NewAddressSerializer(required=False, allow_null=True, default=None)
    preferred_channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.EMAIL)
    preferred_language = serializers.ChoiceField(choices=Person.Language.choices, default=Person.Language.ENGLISH)


class PersonFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=200, help_text="Search by name, email, phone or postcode.")


class PersonViewSet(CrmApi, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The people on record: residents and organisations, with their contact points and addresses."""

    serializer_class = PersonSerializer
    queryset = Person.objects.none()  # the model, for the schema; requests use get_queryset (in scope)

    def get_queryset(self):
        people = Person.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
        return people.prefetch_related("contact_points", "addresses").order_by("family_name", "given_name", "pk")

    @extend_schema(parameters=[PersonFilterSerializer])
    def list(self, request, *args, **kwargs):
        query = valid(PersonFilterSerializer, request.query_params).get("q", "").strip()
        if not query:
            return super().list(request, *args, **kwargs)
        found = person_search(tenant=request.tenant, query=query, limit=MAX_SEARCH)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(PersonSerializer(page, many=True).data)

    @extend_schema(request=PersonCreateSerializer, responses={201: PersonSerializer})
    def create(self, request, *args, **kwargs):
        """Record a person (or organisation); look for duplicates first with `?q=`."""
        person = person_create(tenant=request.tenant, **valid(PersonCreateSerializer, request.data))
        return Response(PersonSerializer(self.get_queryset().get(pk=person.pk)).data, status=status.HTTP_201_CREATED)
