"""Tenant API endpoints of identity and access: who is calling (`/me/`), and the tenant's audit log."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from borough.core.audit import AUDIT_EVENT_PUBLIC_FIELDS
from borough.core.models import AuditEvent
from borough.identity.api_auth import ApiKeyUser
from borough.identity.api_schema import ApiSchema

DATE_OR_DATETIME = ["iso-8601", "%Y-%m-%d"]
CALLER_KINDS = ["api_key", "staff", "support"]


# Inline rather than a shared "KindEnum" component, whose name other `kind` fields would collide with.
@extend_schema_field({"type": "string", "enum": CALLER_KINDS})
class CallerKindField(serializers.ChoiceField):
    pass


class CallerSerializer(serializers.Serializer):
    kind = CallerKindField(
        choices=CALLER_KINDS,
        help_text="An API key, a staff member of the tenant, or provider staff under a support grant.",
    )
    name = serializers.CharField(help_text="The key's name, or the user's username.")
    key_prefix = serializers.CharField(allow_null=True, help_text="The API key's prefix; null for a user.")
    scopes = serializers.ListField(child=serializers.CharField(), help_text="The API key's scopes; empty for a user.")
    roles = serializers.ListField(child=serializers.CharField(), help_text="The user's roles; empty for a key.")


class TenantSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    modules = serializers.ListField(child=serializers.CharField(), source="enabled_modules")


class MeSerializer(serializers.Serializer):
    caller = CallerSerializer()
    tenant = TenantSummarySerializer()


def _caller(request) -> dict:
    if isinstance(request.user, ApiKeyUser):
        api_key = request.user.api_key
        return {
            "kind": "api_key",
            "name": api_key.name,
            "key_prefix": api_key.prefix,
            "scopes": sorted(api_key.scopes),
            "roles": [],
        }
    django_request = request._request
    return {
        "kind": "staff" if django_request.membership is not None else "support",
        "name": request.user.get_username(),
        "key_prefix": None,
        "scopes": [],
        "roles": sorted(django_request.roles),
    }


class MeView(APIView):
    """Who is calling, and for which tenant: any API key of the tenant, or any staff member."""

    schema = ApiSchema()
    required_roles = ()
    required_scopes = ()

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer({"caller": _caller(request), "tenant": request.tenant}).data)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = list(AUDIT_EVENT_PUBLIC_FIELDS)
        read_only_fields = fields


class AuditEventFilterSerializer(serializers.Serializer):
    object_type = serializers.CharField(
        required=False, max_length=100, help_text="app_label.model, e.g. identity.apikey"
    )
    object_id = serializers.CharField(required=False, max_length=64)
    action = serializers.CharField(required=False, max_length=100, help_text="e.g. apikey.create")
    since = serializers.DateTimeField(
        required=False,
        input_formats=DATE_OR_DATETIME,
        help_text="Events at or after this moment (ISO 8601 date-time, or a date meaning its midnight).",
    )
    until = serializers.DateTimeField(
        required=False,
        input_formats=DATE_OR_DATETIME,
        help_text="Events before this moment (ISO 8601 date-time, or a date meaning its midnight).",
    )

    def validate(self, attrs):
        if "since" in attrs and "until" in attrs and attrs["until"] <= attrs["since"]:
            raise serializers.ValidationError({"until": ["Give a moment later than `since`."]})
        return attrs


def filter_audit_events(queryset: QuerySet, filters: dict) -> QuerySet:
    for field in ("object_type", "object_id", "action"):
        if field in filters:
            queryset = queryset.filter(**{field: filters[field]})
    if "since" in filters:
        queryset = queryset.filter(occurred_at__gte=filters["since"])
    if "until" in filters:
        queryset = queryset.filter(occurred_at__lt=filters["until"])
    return queryset


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The tenant's audit log, newest first: who changed what, when, from what to what."""

    schema = ApiSchema()
    serializer_class = AuditEventSerializer
    queryset = AuditEvent.objects.none()  # the model, for the schema; requests use get_queryset (in scope)
    required_roles = ("tenant.admin",)
    required_scopes = ("read",)

    def get_queryset(self):
        queryset = AuditEvent.objects.all()
        if self.action == "list":
            filters = AuditEventFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            queryset = filter_audit_events(queryset, filters.validated_data)
        return queryset

    @extend_schema(parameters=[AuditEventFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
