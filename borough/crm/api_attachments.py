"""A case's files in the REST API, `/api/v1/cases/{reference}/attachments/`: list them, add one (multipart), and
download one. The same access as the other case endpoints (borough.crm.api.CrmApi): `read` to list and download,
`write` to add. Files are checked by borough.crm.services.case_add_attachment, as at creation.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.reverse import reverse

from borough.crm import services
from borough.crm.api import CrmApi, valid
from borough.crm.attachment_downloads import attachment_response
from borough.crm.attachments import ALLOWED_CONTENT_TYPES, MAX_ATTACHMENT_BYTES
from borough.crm.models import Case, CaseAttachment

REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The case's reference, e.g. `NFD-000123`."
)
ATTACHMENT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The attachment's id.")
KINDS = ", ".join(ALLOWED_CONTENT_TYPES.values())
LIMIT_MB = MAX_ATTACHMENT_BYTES // 1024 // 1024
NOT_MULTIPART = "Send the file as multipart/form-data, in the field `file`"


class CaseAttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(help_text="Where to download the file (with your credentials).")

    class Meta:
        model = CaseAttachment
        fields = ["id", "original_name", "content_type", "size", "is_public", "uploaded_at", "download_url"]
        read_only_fields = fields
        extra_kwargs = {
            "original_name": {"help_text": "The file's name as it was sent (a label only)."},
            "content_type": {"help_text": "The type read from the file's first bytes."},
            "size": {"help_text": "In bytes."},
            "is_public": {"help_text": "Whether the resident sees the file with their case; else staff only."},
        }

    def get_download_url(self, attachment: CaseAttachment) -> str:
        kwargs = {"reference": self.context["reference"], "id": attachment.pk}
        return reverse("api-case-attachment-detail", kwargs=kwargs, request=self.context.get("request"))


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the service says which file is empty, as at creation
        help_text=f"A photo or a PDF ({KINDS}), {LIMIT_MB} MB at most; the type is read from its first bytes.",
        error_messages={"required": "Choose a file to attach: a photo or a PDF", "invalid": NOT_MULTIPART},
    )
    is_public = serializers.BooleanField(
        default=False, help_text="Show the file to the resident with their case (by default staff only see it)."
    )


@extend_schema_view(
    list=extend_schema(parameters=[REFERENCE]),
    create=extend_schema(
        parameters=[REFERENCE],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: CaseAttachmentSerializer},
    ),
    retrieve=extend_schema(
        parameters=[REFERENCE, ATTACHMENT_ID],
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as a download.")
            for content_type in ALLOWED_CONTENT_TYPES
        },
    ),
)
class CaseAttachmentViewSet(CrmApi, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A case's files (photos and PDFs), oldest first. A case of another tenant, or a file of another case,
    answers 404."""

    serializer_class = CaseAttachmentSerializer
    queryset = CaseAttachment.objects.none()  # the model, for the schema; requests use get_queryset (in scope)
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9]+"

    def case(self) -> Case:
        case = Case.objects.filter(reference=self.kwargs["reference"].upper()).first()
        if case is None:
            raise Http404
        return case

    def get_queryset(self):
        return CaseAttachment.objects.filter(case=self.case()).order_by("uploaded_at", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "reference": self.kwargs["reference"].upper()}

    def perform_content_negotiation(self, request, force=False):
        # A download answers the file whatever the Accept header asks; only its errors are JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "retrieve")

    def create(self, request, *args, **kwargs):
        """Add a file to the case. Checked as files sent with a new case are; the case's timeline and the audit
        trail record it."""
        case = self.case()  # first: another tenant's case is a 404 whatever the body
        if not request.content_type.startswith("multipart/form-data"):
            raise serializers.ValidationError({"file": [NOT_MULTIPART]})
        data = valid(AttachmentUploadSerializer, request.data)
        attachment = services.case_add_attachment(case=case, file=data["file"], is_public=data["is_public"])
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, *args, **kwargs):
        """Download the file (`Content-Disposition: attachment`, under a safe version of its name)."""
        return attachment_response(self.get_object())
