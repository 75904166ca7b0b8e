"""A case's file for staff: shown in the browser when it is a photo, else downloaded (borough.crm.attachment_downloads
sets the headers). Files are added by the case page's "attach" quick action (actions.py)."""

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from borough.crm.attachment_downloads import attachment_response
from borough.crm.desk.views import crm_view
from borough.crm.models import CaseAttachment


@crm_view
@require_GET
def case_attachment(request, reference: str, attachment_id: int):
    attachment = get_object_or_404(
        CaseAttachment.objects.only("file", "content_type", "original_name"),
        case__reference=reference.strip().upper(),
        pk=attachment_id,
    )
    return attachment_response(attachment, inline=True)
