"""Batch runs through the API: list and follow the tenant's runs, and start an audit export.

Needs an API key with the `runs` scope, or a staff member (starting one: tenant.admin). Runs are read
through the scoped manager, so another tenant's run answers 404."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from borough.core.models import Run
from borough.core.runs import run_start, run_title
from borough.identity.api_schema import ApiSchema
from borough.tenancy.modules import TENANT_ADMIN

API_STARTABLE_KINDS = ["core.audit_export"]


class RunSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField(help_text="What the run does, in words.")
    percent_done = serializers.IntegerField(read_only=True, help_text="0 to 100.")

    class Meta:
        model = Run
        fields = [
            "id",
            "kind",
            "title",
            "parameters",
            "status",
            "total_items",
            "processed_items",
            "succeeded_items",
            "failed_items",
            "percent_done",
            "errors",
            "result",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_title(self, run: Run) -> str:
        return run_title(run)


class RunStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=API_STARTABLE_KINDS, help_text="The kind of run to start.")
    parameters = serializers.DictField(
        help_text='Its parameters; core.audit_export takes {"from": "2026-01-01", "to": "2026-01-31"}.'
    )


def _parameter_errors(error: ValidationError) -> dict:
    """The service's field messages, under `parameters` where they concern one."""
    messages = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    parameters = {name: text for name, text in messages.items() if name not in {"kind", "parameters"}}
    if "parameters" in messages:
        parameters["non_field_errors"] = messages["parameters"]
    errors = {"parameters": parameters} if parameters else {}
    if "kind" in messages:
        errors["kind"] = messages["kind"]
    return errors


class RunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The tenant's batch runs, newest first, with their progress and outcome."""

    schema = ApiSchema()
    serializer_class = RunSerializer
    queryset = Run.objects.none()  # the model, for the schema; requests use get_queryset (in scope)
    required_scopes = ("runs",)

    @property
    def required_roles(self) -> tuple[str, ...]:
        return (TENANT_ADMIN,) if self.action == "create" else ()

    def get_queryset(self):
        return Run.objects.all()

    @extend_schema(request=RunStartSerializer, responses={201: RunSerializer})
    def create(self, request, *args, **kwargs):
        """Start a run; it runs in the background: follow it at its URL until `status` is finished."""
        start = RunStartSerializer(data=request.data)
        start.is_valid(raise_exception=True)
        try:
            run = run_start(
                tenant=request.tenant,
                kind=start.validated_data["kind"],
                parameters=start.validated_data["parameters"],
                created_by=request.user if request.user.pk else None,
            )
        except ValidationError as error:
            raise serializers.ValidationError(_parameter_errors(error)) from error
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)
