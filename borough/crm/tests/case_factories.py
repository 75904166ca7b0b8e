"""Small builders for the CRM's case tests: a catalogue, teams, people and cases, made through the services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from borough.core.audit import Actor, acting_as
from borough.crm.models import RoutingRule, Service, ServiceQuestion, Team, TeamMember
from borough.crm.services import case_create
from borough.people.services import person_create
from borough.tenancy.scope import tenant_scope

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def make_team(tenant, code: str, name: str | None = None, **extra) -> Team:
    return Team.objects.create(tenant=tenant, code=code, name=name or code.replace("-", " ").title(), **extra)


def make_service(tenant, code: str = "missed-bin", **extra) -> Service:
    defaults = {"name": code.replace("-", " ").capitalize(), "sla_amount": 2, "sla_unit": "working_days"}
    return Service.objects.create(tenant=tenant, code=code, **{**defaults, **extra})


def add_question(service: Service, code: str, kind: str = "text", **extra) -> ServiceQuestion:
    return ServiceQuestion.objects.create(
        tenant_id=service.tenant_id, service=service, code=code, prompt=extra.pop("prompt", code), kind=kind, **extra
    )


def make_rule(tenant, team: Team, name: str = "Rule", **conditions) -> RoutingRule:
    return RoutingRule.objects.create(tenant=tenant, team=team, name=name, **conditions)


def add_member(team: Team, user, *, supervisor: bool = False) -> TeamMember:
    return TeamMember.objects.create(tenant_id=team.tenant_id, team=team, user=user, is_supervisor=supervisor)


def make_person(tenant, **extra):
    defaults = {"given_name": "Jane", "family_name": "Smith", "email": "jane.smith@example.org"}
    with acting_as(Actor.system("test")):
        return person_create(tenant=tenant, **{**defaults, **extra})


def new_case(tenant, service, **extra):
    values = {"channel": "web", "description": "The bin was not emptied on Monday."}
    with acting_as(Actor.system("test")):
        return case_create(tenant=tenant, service=service, **{**values, **extra})


@pytest.fixture
def catalogue(tenant_a):
    """Northfield with a waste team, a missed-bin service with questions and a pothole service needing a location;
    both may be reported anonymously (make_service makes one that may not)."""
    with tenant_scope(tenant_a):
        waste = make_team(tenant_a, "waste", "Waste and recycling")
        highways = make_team(tenant_a, "highways", "Highways")
        missed_bin = make_service(
            tenant_a, "missed-bin", name="Missed bin collection", team=waste, allow_anonymous=True
        )
        add_question(
            missed_bin,
            "bin_type",
            "single_choice",
            prompt="Which bin was missed?",
            required=True,
            choices=[{"key": "general", "name": "General waste"}, {"key": "recycling", "name": "Recycling"}],
        )
        add_question(missed_bin, "collection_day", "datetime", prompt="When should it have been collected?")
        pothole = make_service(
            tenant_a,
            "pothole",
            name="Pothole",
            team=highways,
            needs_location=True,
            allow_anonymous=True,
            sla_amount=24,
            sla_unit="working_hours",
        )
        add_question(pothole, "depth", "number", prompt="How deep is it, in centimetres?")
    return {"tenant": tenant_a, "waste": waste, "highways": highways, "missed_bin": missed_bin, "pothole": pothole}
