"""Objects of a tenant that the CRM's URLs point at, for the isolation sweep (borough.tenancy.sweep).

Each factory is small and self-contained: it makes what its URLs need in the tenant whose scope is active.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from borough.crm.models import Case, CaseAttachment, Service
from borough.tenancy.sweep import sweep_factory

# A 1x1 transparent PNG.
SWEEP_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _open311_case(tenant) -> Case:
    """A published (located) case made directly: the sweep needs only that it exists in this tenant."""
    service, _ = Service.objects.get_or_create(
        tenant=tenant, code="sweep-open311", defaults={"name": "Sweep pothole", "needs_location": True}
    )
    return Case.objects.create(
        tenant=tenant,
        reference=f"{tenant.reference_prefix}-SWEEP311",
        service=service,
        channel="open311",
        description="A pothole for the isolation sweep.",
        latitude="52.100000",
        longitude="-1.100000",
        due_at=timezone.now() + timedelta(days=5),
        open311_token=f"sweep-token-{tenant.slug}",
    )


@sweep_factory("open311:service-xml", "open311:service-json")
def an_open311_service(tenant):
    service, _ = Service.objects.get_or_create(
        tenant=tenant, code=f"sweep-{tenant.slug}", defaults={"name": "Sweep service", "needs_location": True}
    )
    return {"service_code": service.code}


@sweep_factory("open311:request-xml", "open311:request-json")
def an_open311_request(tenant):
    return {"service_request_id": _open311_case(tenant).reference}


@sweep_factory("open311:token-xml", "open311:token-json")
def an_open311_token(tenant):
    return {"token": _open311_case(tenant).open311_token}


@sweep_factory("open311:media")
def an_open311_photo(tenant):
    case = _open311_case(tenant)
    photo = CaseAttachment(
        tenant=tenant,
        case=case,
        original_name="sweep.png",
        content_type="image/png",
        size=len(SWEEP_PNG),
        is_public=True,
    )
    photo.file.save("sweep.png", ContentFile(SWEEP_PNG), save=False)
    photo.save()
    return {"reference": case.reference, "attachment_id": photo.pk}


# The case-worker desk (borough.crm.desk): each factory imports what it needs, so edits above cannot break it.


@sweep_factory(
    "crm:case",
    "crm:case_assign",
    "crm:case_status",
    "crm:case_note",
    "crm:case_update",
    "crm:case_link",
    "crm:case_refer",
)
def a_desk_case(tenant):
    from borough.crm.models import Case, Service

    service, _ = Service.objects.get_or_create(tenant=tenant, code="sweep-desk", defaults={"name": "Sweep desk"})
    case, _ = Case.objects.get_or_create(
        tenant=tenant,
        reference="SWP-000001",
        defaults={"service": service, "channel": "web", "description": "Sweep", "due_at": timezone.now()},
    )
    return {"reference": case.reference}


@sweep_factory("crm:queue")
def a_desk_team_queue(tenant):
    from borough.crm.models import Team

    team, _ = Team.objects.get_or_create(tenant=tenant, code="sweep-desk-team", defaults={"name": "Sweep team"})
    return {"queue": f"team-{team.code}"}


@sweep_factory("crm:knowledge_article")
def a_desk_knowledge_article(tenant):
    from borough.crm.models import KnowledgeArticle

    return {"pk": KnowledgeArticle.objects.create(tenant=tenant, title="Sweep", body="Sweep").pk}


# The CRM REST API (borough.crm.api), added by the CASES helper.


@sweep_factory("api-service-detail")
def an_api_service(tenant):
    from borough.crm.models import Service

    service, _ = Service.objects.get_or_create(tenant=tenant, code="sweep-api", defaults={"name": "Sweep API"})
    return {"code": service.code}


@sweep_factory("api-case-detail", "api-case-transition", "api-case-notes", "api-case-updates")
def an_api_case(tenant):
    from borough.crm.models import Case

    service = Service.objects.get_or_create(tenant=tenant, code="sweep-api", defaults={"name": "Sweep API"})[0]
    case, _ = Case.objects.get_or_create(
        tenant=tenant,
        reference=f"{tenant.reference_prefix}-SWEEPAPI",
        defaults={"service": service, "channel": "web", "description": "Sweep", "due_at": timezone.now()},
    )
    return {"reference": case.reference}


@sweep_factory("api-person-detail")
def an_api_person(tenant):
    from borough.people.models import Person

    return {"pk": Person.objects.create(tenant=tenant, given_name="Sweep", family_name="Person").pk}


# Case attachments: the desk's attach action and download, and the API's attachments (added by the ATTACHMENTS helper).


def _a_case_with_a_file(tenant):
    from borough.crm.models import Case, CaseAttachment, Service

    service = Service.objects.get_or_create(tenant=tenant, code="sweep-files", defaults={"name": "Sweep files"})[0]
    case, _ = Case.objects.get_or_create(
        tenant=tenant,
        reference=f"{tenant.reference_prefix}-SWEEPFILE",
        defaults={"service": service, "channel": "web", "description": "Sweep", "due_at": timezone.now()},
    )
    attachment = CaseAttachment(
        tenant=tenant, case=case, original_name="sweep.png", content_type="image/png", size=len(SWEEP_PNG)
    )
    attachment.file.save("sweep.png", ContentFile(SWEEP_PNG), save=False)
    attachment.save()
    return case, attachment


@sweep_factory("crm:case_attach", "api-case-attachment-list")
def a_case_to_attach_to(tenant):
    return {"reference": _a_case_with_a_file(tenant)[0].reference}


@sweep_factory("crm:case_attachment")
def a_desk_attachment(tenant):
    case, attachment = _a_case_with_a_file(tenant)
    return {"reference": case.reference, "attachment_id": attachment.pk}


@sweep_factory("api-case-attachment-detail")
def an_api_attachment(tenant):
    case, attachment = _a_case_with_a_file(tenant)
    return {"reference": case.reference, "id": attachment.pk}
