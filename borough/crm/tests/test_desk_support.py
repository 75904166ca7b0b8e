"""Fixtures of the desk's tests (imported by the test_desk_* modules): a council with two teams, a catalogue with
questions, crm agents, and cases made through the CRM's own services."""

from types import SimpleNamespace

import pytest

from borough.core.audit import Actor, acting_as
from borough.crm.models import Service, ServiceQuestion, Team, TeamMember
from borough.crm.services import case_create
from borough.people.services import person_create
from borough.tenancy.scope import tenant_scope


def add_question(service, code, prompt, kind, *, required=False, order=0, choices=()):
    return ServiceQuestion.objects.create(
        tenant=service.tenant,
        service=service,
        code=code,
        prompt=prompt,
        kind=kind,
        required=required,
        order=order,
        choices=[{"key": key, "name": name} for key, name in choices],
    )


@pytest.fixture
def desk(tenant_a, make_staff):
    """Northfield with a streets team (Agnes and Otto), a revenues team (Rita), two services and a resident."""
    agnes = make_staff(tenant_a, ("crm.agent",), username="agnes", first_name="Agnes", last_name="Agent")
    otto = make_staff(tenant_a, ("crm.agent",), username="otto", first_name="Otto", last_name="Officer")
    rita = make_staff(tenant_a, ("crm.supervisor",), username="rita", first_name="Rita", last_name="Revenues")
    with tenant_scope(tenant_a):
        streets = Team.objects.create(tenant=tenant_a, code="streets", name="Street cleaning")
        revenues = Team.objects.create(tenant=tenant_a, code="revenues", name="Revenues")
        for team, user in ((streets, agnes), (streets, otto), (revenues, rita)):
            TeamMember.objects.create(tenant=tenant_a, team=team, user=user)
        bins = Service.objects.create(
            tenant=tenant_a, code="missed-bin", name="Missed bin", group="Bins and recycling", team=streets
        )
        add_question(
            bins,
            "bin_type",
            "Which bin was missed?",
            ServiceQuestion.Kind.SINGLE_CHOICE,
            required=True,
            choices=[("general", "General waste"), ("recycling", "Recycling")],
        )
        add_question(bins, "bags", "How many extra bags?", ServiceQuestion.Kind.NUMBER, order=1)
        add_question(bins, "seen_at", "When did you put it out?", ServiceQuestion.Kind.DATETIME, order=2)
        add_question(
            bins,
            "problems",
            "Anything else?",
            ServiceQuestion.Kind.MULTI_CHOICE,
            order=3,
            choices=[("lid", "Broken lid"), ("spill", "Rubbish spilled")],
        )
        council_tax = Service.objects.create(
            tenant=tenant_a, code="council-tax", name="Council tax enquiry", group="Money", team=revenues
        )
        with acting_as(Actor.system("test")):
            resident = person_create(
                tenant=tenant_a,
                given_name="Rosa",
                family_name="Resident",
                email="rosa@example.com",
                phone="07700 900123",
            )
    return SimpleNamespace(
        tenant=tenant_a,
        agnes=agnes,
        otto=otto,
        rita=rita,
        streets=streets,
        revenues=revenues,
        bins=bins,
        council_tax=council_tax,
        resident=resident,
    )


@pytest.fixture
def agent_client(client_for, desk):
    return client_for(desk.tenant, desk.agnes)


def log(desk, *, service=None, requester=None, description="Bin not emptied", answers=None, **extra):
    """A case made as the CRM makes them (reference, due time, routing, timeline)."""
    with tenant_scope(desk.tenant), acting_as(Actor.for_user(desk.agnes)):
        return case_create(
            tenant=desk.tenant,
            service=service or desk.bins,
            channel=extra.pop("channel", "web"),
            description=description,
            answers={"bin_type": "general"} if answers is None else answers,
            requester=requester,
            **extra,
        )


HTMX = {"HTTP_HX_REQUEST": "true"}
