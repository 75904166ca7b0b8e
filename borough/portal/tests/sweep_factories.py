"""Objects of a tenant that the portal's URLs point at, for the isolation sweep (borough.tenancy.sweep).

The service codes are unique to the tenant they are made in, so on another tenant's host they name nothing.
"""

from borough.core.audit import Actor, acting_as
from borough.crm.models import Service, ServiceQuestion
from borough.crm.services import case_create
from borough.tenancy.sweep import sweep_factory


def _service(tenant) -> Service:
    service, _ = Service.objects.get_or_create(
        tenant=tenant,
        code=f"sweep-portal-{tenant.slug}",
        defaults={"name": "Sweep report", "needs_location": True},
    )
    ServiceQuestion.objects.get_or_create(
        tenant=tenant, service=service, code="sweep-question", defaults={"prompt": "Anything else?"}
    )
    return service


@sweep_factory(
    "portal:start",
    "portal:description",
    "portal:postcode",
    "portal:address",
    "portal:photos",
    "portal:photo_remove",
    "portal:about_you",
    "portal:contact",
    "portal:preferences",
    "portal:check",
)
def a_service(tenant):
    return {"code": _service(tenant).code}


@sweep_factory("portal:question")
def a_service_question(tenant):
    return {"code": _service(tenant).code, "question": "sweep-question"}


@sweep_factory("portal:case", "portal:case_add", "portal:case_reopen", "portal:case_feedback")
def a_case(tenant):
    with acting_as(Actor.system("sweep")):
        case = case_create(
            tenant=tenant,
            service=_service(tenant),
            channel="web",
            description="A report for the isolation sweep.",
            address="Outside the town hall",
        )
    return {"reference": case.reference}
