"""The channels' demo data: a council's contact@ mailbox, opening general enquiries (called by borough.core.demo
inside the tenant's scope, after the CRM's demo data)."""

from borough.channels.models import Mailbox
from borough.channels.notify.demo import notify_demo_seed
from borough.channels.services import mailbox_create
from borough.crm.models import Service, Team


def channels_demo_seed(tenant) -> Mailbox:
    notify_demo_seed(tenant)  # texts through a local Notify stand-in (ADR 0016)
    mailbox = Mailbox.objects.filter(tenant=tenant, local_part="contact").first()
    if mailbox is not None:
        return mailbox
    service = Service.objects.filter(tenant=tenant, code="general-enquiry").first()
    if service is None:
        team = Team.objects.filter(tenant=tenant).order_by("-is_triage", "id").first()
        service = Service.objects.create(
            tenant=tenant,
            code="general-enquiry",
            name="General enquiry",
            description="Anything else you want to ask or tell the council. We will pass it to the right team.",
            group="Contact us",
            keywords="question enquiry email contact",
            team=team,
            sla_amount=5,
            sla_unit="working_days",
        )
    return mailbox_create(tenant=tenant, local_part="contact", name="Contact us", service=service)
