"""Fixtures of the people tests: a tenant scope to call services in, staff of each CRM role, and cases to own."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.crm.models import Case, CaseEvent, Interaction, Service
from borough.tenancy.scope import tenant_scope

_references = itertools.count(1)


@pytest.fixture
def in_a(tenant_a):
    """Tenant A's scope, acting as the system: services and queries of A work inside."""
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        yield tenant_a


@pytest.fixture
def agent_a(tenant_a, make_staff):
    return make_staff(tenant_a, ("crm.agent",), username="agent-a", first_name="Amy", last_name="Agent")


@pytest.fixture
def supervisor_a(tenant_a, make_staff):
    return make_staff(tenant_a, ("crm.supervisor",), username="super-a", first_name="Sam", last_name="Super")


def make_service(tenant, code: str = "missed-bin", name: str = "Missed bin collection") -> Service:
    service, _ = Service.objects.get_or_create(tenant=tenant, code=code, defaults={"name": name})
    return service


def make_case(tenant, requester=None, *, status=Case.Status.OPEN, service=None, **fields) -> Case:
    """A case made directly (cases are the CRM's business): enough of one for a person's record to point at."""
    now = timezone.now()
    values = {
        "reference": f"T{tenant.pk}-{next(_references):06d}",
        "service": service or make_service(tenant),
        "requester": requester,
        "channel": "web",
        "description": "The bin was not collected on Tuesday.",
        "due_at": now + timedelta(days=5),
        "status": status,
        **fields,
    }
    if status in (Case.Status.RESOLVED, Case.Status.CLOSED):
        values.setdefault("resolved_at", now)
    case = Case.objects.create(tenant=tenant, **values)
    CaseEvent.objects.create(
        tenant=tenant,
        case=case,
        kind=CaseEvent.Kind.CREATED,
        is_public=True,
        body=case.description,
        actor_label="Resident",
    )
    return case


def make_interaction(tenant, person, *, case=None, body="Hello, my bin was missed.", **fields) -> Interaction:
    values = {"channel": "email", "direction": Interaction.Direction.INBOUND, "summary": "Email from resident"}
    return Interaction.objects.create(tenant=tenant, person=person, case=case, body=body, **{**values, **fields})


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Attachments the tests write go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
