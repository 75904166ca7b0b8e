"""Writes of the channels app that staff make: the tenant's mailboxes."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from borough.channels.models import Mailbox
from borough.core.audit import audit_record, snapshot
from borough.crm.models import Service

LOCAL_PART = re.compile(r"[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?")


@transaction.atomic
def mailbox_create(*, tenant, local_part: str, name: str, service: Service) -> Mailbox:
    """A mailbox whose new messages open cases of `service`. Email cannot answer a service's questions or give a
    location, so the service must need neither."""
    errors: dict[str, str] = {}
    local_part = (local_part or "").strip().lower()
    if not LOCAL_PART.fullmatch(local_part):
        errors["local_part"] = "Use letters, digits, dots, hyphens or underscores, like contact or bins"
    elif Mailbox.objects.filter(tenant=tenant, local_part=local_part).exists():
        errors["local_part"] = f"There is already a mailbox called {local_part}"
    name = (name or "").strip()
    if not name or len(name) > 120:
        errors["name"] = "Give the mailbox a name of up to 120 characters"
    if not isinstance(service, Service) or service.tenant_id != tenant.pk:
        errors["service"] = "Choose a service of this council"
    elif service.needs_location or service.questions.filter(required=True).exists():
        errors["service"] = f"{service.name} needs answers or a location that an email cannot give: choose another"
    if errors:
        raise ValidationError(errors)
    mailbox = Mailbox.objects.create(tenant=tenant, local_part=local_part, name=name, service=service)
    audit_record(
        tenant=tenant, action="mailbox.create", obj=mailbox, after=snapshot(mailbox, ["local_part", "name", "service"])
    )
    return mailbox
