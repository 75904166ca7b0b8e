"""Routing: each condition of a rule, their combination, rule order, inactive rules, and the fallbacks (the
service's team, then triage) so that no case is ever dropped."""

import pytest

from borough.core.models import AuditEvent
from borough.crm.models import Team
from borough.crm.routing import keyword_found, postcode_matches, route
from borough.crm.tests.case_factories import make_rule, make_service, make_team, new_case
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant):
        teams = {code: make_team(tenant, code) for code in ("north", "phone-desk", "hazards", "bins-north")}
        yield {**catalogue, **teams}


def routed(context, *, service="missed_bin", channel="web", description="Nothing special", postcode="", answers=None):
    service = context[service] if isinstance(service, str) else service
    return route(
        context["tenant"], service=service, channel=channel, description=description, postcode=postcode, answers=answers
    )


def test_no_rule_falls_back_to_the_services_team(rules):
    team, why = routed(rules)
    assert team == rules["waste"] and why == "No rule matched: the team of Missed bin collection"


def test_a_service_without_a_team_goes_to_triage_made_on_demand(rules):
    tenant = rules["tenant"]
    orphan = make_service(tenant, "general-enquiry", name="General enquiry")
    team, why = routed(rules, service=orphan)
    assert (team.code, team.name, team.is_triage) == ("triage", "Triage", True)
    assert why == "No rule matched and the service has no team: triage"
    assert AuditEvent.objects.filter(action="team.create").count() == 1
    again, _ = routed(rules, service=orphan)
    assert again == team and Team.objects.filter(is_triage=True).count() == 1


def test_an_existing_triage_team_is_used(rules):
    tenant = rules["tenant"]
    front = make_team(tenant, "front-desk", is_triage=True)
    team, _ = routed(rules, service=make_service(tenant, "other"))
    assert team == front


@pytest.mark.parametrize(
    ("conditions", "call", "matches"),
    [
        ({"service": "pothole"}, {"service": "pothole", "postcode": "NF1 1AA"}, True),
        ({"service": "pothole"}, {}, False),
        ({"channel": "phone"}, {"channel": "phone"}, True),
        ({"channel": "phone"}, {"channel": "web"}, False),
        ({"keywords": "needles, asbestos"}, {"description": "Some NEEDLES in the park"}, True),
        ({"keywords": "needles, asbestos"}, {"description": "Needlestick risk"}, False),  # whole words only
        ({"keywords": "broken glass"}, {"description": "Lots of broken  glass here"}, True),  # a phrase
        ({"keywords": "asbestos"}, {"answers": {"waste_type": ["rubble", "asbestos"]}}, True),  # in the answers
        ({"postcode_prefixes": "NF1"}, {"postcode": "NF1 2AB"}, True),
        ({"postcode_prefixes": "NF1"}, {"postcode": "NF12 3AB"}, False),  # another district
        ({"postcode_prefixes": "NF"}, {"postcode": "NF12 3AB"}, True),  # the area
        ({"postcode_prefixes": "nf1 2"}, {"postcode": "NF1 2AB"}, True),  # a sector, any case
        ({"postcode_prefixes": "NF1 2"}, {"postcode": "NF1 3AB"}, False),
        ({"postcode_prefixes": "SV1, NF1"}, {"postcode": "NF1 2AB"}, True),  # any of several
        ({"postcode_prefixes": "NF1"}, {"postcode": ""}, False),
        ({"service": "missed_bin", "postcode_prefixes": "NF1"}, {"postcode": "NF1 2AB"}, True),  # all conditions
        ({"service": "missed_bin", "postcode_prefixes": "NF1"}, {"postcode": "NF2 2AB"}, False),
        ({"service": "missed_bin", "channel": "phone", "keywords": "again"}, {"channel": "phone"}, False),
        ({}, {}, True),  # a rule without conditions takes everything
    ],
)
def test_each_condition(rules, conditions, call, matches):
    if "service" in conditions:
        conditions = {**conditions, "service": rules[conditions["service"]]}
    make_rule(rules["tenant"], rules["north"], name="Under test", **conditions)
    team, why = routed(rules, **call)
    assert (team == rules["north"]) is matches
    if matches:
        assert why.startswith("Rule “Under test”")


def test_the_first_matching_rule_by_order_wins_and_inactive_rules_are_skipped(rules):
    tenant = rules["tenant"]
    make_rule(tenant, rules["hazards"], name="Hazards", order=5, keywords="needles", is_active=False)
    make_rule(tenant, rules["north"], name="North", order=20, postcode_prefixes="NF1")
    make_rule(
        tenant,
        rules["bins-north"],
        name="Bins in the north",
        order=10,
        service=rules["missed_bin"],
        postcode_prefixes="NF1",
    )
    team, why = routed(rules, description="needles", postcode="NF1 2AB")
    assert team == rules["bins-north"]
    assert why == "Rule “Bins in the north” (service Missed bin collection, postcode in NF1)"
    team, _ = routed(rules, service="pothole", postcode="NF1 2AB")
    assert team == rules["north"]


def test_a_created_case_records_its_route(rules):
    tenant = rules["tenant"]
    make_rule(tenant, rules["phone-desk"], name="Phoned in", channel="phone")
    case = new_case(tenant, rules["missed_bin"], answers={"bin_type": "general"}, channel="phone")
    assert case.team == rules["phone-desk"] and case.routed_by == "Rule “Phoned in” (channel Telephone)"


@pytest.mark.parametrize(
    ("prefix", "postcode", "matches"),
    [
        ("EC1", "EC1A 1BB", True),
        ("EC1A", "EC1A 1BB", True),
        ("E", "EC1A 1BB", False),
        ("E", "E1 6AN", True),
        ("NF1 2AB", "NF1 2AB", True),
        ("", "NF1 2AB", False),
    ],
)
def test_postcode_units(prefix, postcode, matches):
    assert postcode_matches(prefix, postcode) is matches


def test_keyword_found_reports_the_word():
    assert keyword_found("rats, mice", ["There are MICE in the kitchen"]) == "mice"
    assert keyword_found(" , ", ["anything"]) is None
