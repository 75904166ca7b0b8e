"""The CRM demo data: each demo council gets its own realistic catalogue, teams with the demo users, routing,
templates, knowledge and cases; seeding twice changes nothing; `borough demo_seed` seeds the councils."""

from io import StringIO

import pytest
from django.core.management import call_command

from borough.core.audit import Actor, acting_as
from borough.crm.demo import CATALOGUES, crm_demo_seed
from borough.crm.models import Case, KnowledgeArticle, ResponseTemplate, RoutingRule, Service, Team, TeamMember
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


def seeded(tenant) -> bool:
    with tenant_scope(tenant), acting_as(Actor.system("demo seed")):
        return crm_demo_seed(tenant)


def codes(tenant) -> set[str]:
    with tenant_scope(tenant):
        return set(Service.objects.values_list("code", flat=True))


def test_each_council_gets_its_own_catalogue(tenant_a, tenant_b, make_staff):
    agent = make_staff(tenant_a, roles=("crm.agent",), username="northfield-agent")
    supervisor = make_staff(tenant_a, roles=("crm.agent", "crm.supervisor"), username="northfield-supervisor")
    assert seeded(tenant_a) and seeded(tenant_b)
    assert {"missed-bin", "fly-tipping", "pothole", "street-light", "noise", "council-tax", "benefits"} == codes(
        tenant_a
    )
    assert {"graffiti", "dog-fouling", "abandoned-vehicle", "housing-repair"} <= codes(tenant_b)
    assert codes(tenant_a) != codes(tenant_b)
    with tenant_scope(tenant_a):
        missed_bin = Service.objects.get(code="missed-bin")
        assert (missed_bin.sla_amount, missed_bin.sla_unit, missed_bin.team.code) == (2, "working_days", "waste")
        assert [(q.code, q.kind, q.required) for q in missed_bin.questions.all()] == [
            ("bin_type", "single_choice", True),
            ("collection_day", "datetime", True),
        ]
        pothole = Service.objects.get(code="pothole")
        assert (pothole.sla_amount, pothole.sla_unit, pothole.needs_location) == (24, "working_hours", True)
        assert [q.kind for q in pothole.questions.all()] == ["number", "single_choice"]
        fly_tipping = Service.objects.get(code="fly-tipping")
        assert fly_tipping.needs_location and fly_tipping.questions.get(code="waste_type").kind == "multi_choice"
        assert Service.objects.get(code="street-light").questions.get(code="column_number").kind == "text"
        assert {t.code for t in Team.objects.all()} >= {"waste", "highways", "environmental-health", "triage"}
        assert Team.objects.get(is_triage=True).code == "triage"
        assert TeamMember.objects.filter(user=agent, is_supervisor=False).count() == Team.objects.count()
        assert TeamMember.objects.filter(user=supervisor, is_supervisor=True).count() == Team.objects.count()
        assert RoutingRule.objects.exists() and ResponseTemplate.objects.exists() and KnowledgeArticle.objects.exists()
        cases = {c.service.code: c for c in Case.objects.select_related("service", "team")}
        assert len(cases) == len(CATALOGUES["northfield"].cases)
        assert cases["fly-tipping"].team.code == "environmental-health"  # asbestos: the hazardous waste rule
        assert cases["street-light"].status == "resolved"
        assert cases["council-tax"].sla_paused_at is not None  # waiting on the resident
    with tenant_scope(tenant_b):
        assert Case.objects.get(service__code="housing-repair").team.code == "housing-urgent"
        assert Case.objects.get(service__code="graffiti").team.code == "community-safety"


def test_seeding_twice_changes_nothing(tenant_a):
    assert seeded(tenant_a)
    with tenant_scope(tenant_a):
        before = (Service.objects.count(), Case.objects.count(), Team.objects.count())
    assert seeded(tenant_a) is False
    with tenant_scope(tenant_a):
        assert (Service.objects.count(), Case.objects.count(), Team.objects.count()) == before


def test_the_demo_command_seeds_the_councils_crm(monkeypatch):
    monkeypatch.setenv("BOROUGH_DEMO", "1")
    call_command("demo_seed", stdout=StringIO())
    northfield, southvale, brightside = (Tenant.objects.get(slug=s) for s in ("northfield", "southvale", "brightside"))
    assert "missed-bin" in codes(northfield) and "graffiti" in codes(southvale)
    assert codes(brightside) == set()  # a business has no CRM
    with tenant_scope(northfield):
        members = set(TeamMember.objects.values_list("user__username", flat=True))
        assert members == {"northfield-agent", "northfield-supervisor"}


def test_street_problems_may_be_reported_anonymously_and_enquiries_may_not(tenant_a, tenant_b):
    assert seeded(tenant_a) and seeded(tenant_b)
    for tenant, anonymous in (
        (tenant_a, {"fly-tipping", "pothole", "street-light"}),
        (tenant_b, {"graffiti", "dog-fouling", "abandoned-vehicle"}),
    ):
        with tenant_scope(tenant):
            assert set(Service.objects.filter(allow_anonymous=True).values_list("code", flat=True)) == anonymous
            assert not Service.objects.filter(code__in=["council-tax", "benefits"], allow_anonymous=True).exists()
