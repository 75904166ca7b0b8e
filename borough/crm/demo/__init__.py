"""The CRM's demo data: each demo council's own service catalogue, teams (with the demo users as members),
routing rules, response templates, knowledge articles and a few cases in different states.

Called by borough.core.demo for council tenants, inside the tenant's scope. Idempotent: a tenant that already
has services is left alone.
"""

from borough.core.audit import audit_record
from borough.crm import services
from borough.crm.demo.catalogue import DemoCatalogue
from borough.crm.demo.northfield import NORTHFIELD
from borough.crm.demo.southvale import SOUTHVALE
from borough.crm.models import (
    KnowledgeArticle,
    ResponseTemplate,
    RoutingRule,
    Service,
    ServiceQuestion,
    Team,
    TeamMember,
)
from borough.identity.models import Membership
from borough.people.services import consent_record, person_create

CATALOGUES = {"northfield": NORTHFIELD, "southvale": SOUTHVALE}


def _teams(tenant, catalogue: DemoCatalogue) -> dict[str, Team]:
    teams = {
        code: Team.objects.create(tenant=tenant, code=code, name=name, is_triage=is_triage)
        for code, name, is_triage in catalogue.teams
    }
    # The demo users with a CRM role: agents in every team, supervisors supervising them all.
    for membership in Membership.objects.filter(tenant=tenant, is_active=True).select_related("user"):
        roles = set(membership.roles)
        if roles & {"crm.agent", "crm.supervisor"}:
            for team in teams.values():
                TeamMember.objects.create(
                    tenant=tenant, team=team, user=membership.user, is_supervisor="crm.supervisor" in roles
                )
    return teams


def _services(tenant, catalogue: DemoCatalogue, teams: dict[str, Team]) -> dict[str, Service]:
    made = {}
    for spec in catalogue.services:
        service = Service.objects.create(
            tenant=tenant,
            code=spec.code,
            name=spec.name,
            description=spec.description,
            group=spec.group,
            keywords=spec.keywords,
            needs_location=spec.needs_location,
            allow_anonymous=spec.allow_anonymous,
            team=teams[spec.team],
            priority=spec.priority,
            sla_amount=spec.sla[0],
            sla_unit=spec.sla[1],
        )
        for order, question in enumerate(spec.questions):
            ServiceQuestion.objects.create(
                tenant=tenant,
                service=service,
                code=question.code,
                prompt=question.prompt,
                hint=question.hint,
                kind=question.kind,
                required=question.required,
                order=order,
                choices=[{"key": key, "name": name} for key, name in question.choices],
            )
        made[spec.code] = service
    return made


def _knowledge(tenant, catalogue: DemoCatalogue, teams, by_code: dict[str, Service]) -> None:
    for rule in catalogue.rules:
        RoutingRule.objects.create(
            tenant=tenant,
            order=rule.order,
            name=rule.name,
            team=teams[rule.team],
            service=by_code.get(rule.service),
            keywords=rule.keywords,
            postcode_prefixes=rule.postcode_prefixes,
            channel=rule.channel,
        )
    for title, body, service in catalogue.templates:
        ResponseTemplate.objects.create(tenant=tenant, title=title, body=body, service=by_code.get(service))
    for title, body, keywords, service in catalogue.articles:
        KnowledgeArticle.objects.create(
            tenant=tenant, title=title, body=body, keywords=keywords, service=by_code.get(service)
        )


def _cases(tenant, catalogue: DemoCatalogue, by_code: dict[str, Service]) -> None:
    for spec in catalogue.cases:
        requester = None
        if spec.resident:
            requester = person_create(tenant=tenant, **spec.resident)
            consent_record(person=requester, purpose="share_with_partners", granted=True, channel=spec.channel)
        case = services.case_create(
            tenant=tenant,
            service=by_code[spec.service],
            channel=spec.channel,
            description=spec.description,
            answers=spec.answers,
            requester=requester,
            **spec.location,
        )
        if spec.update:
            services.case_publish_update(case=case, body=spec.update)
        for status in spec.statuses:
            case = services.case_transition(case=case, to_status=status)


def crm_demo_seed(tenant) -> bool:
    """Give a demo council its CRM catalogue and a few cases; False (nothing done) if it has services already."""
    if Service.objects.filter(tenant=tenant).exists():
        return False
    catalogue = CATALOGUES.get(tenant.slug, NORTHFIELD)
    teams = _teams(tenant, catalogue)
    by_code = _services(tenant, catalogue, teams)
    _knowledge(tenant, catalogue, teams, by_code)
    _cases(tenant, catalogue, by_code)
    audit_record(tenant=tenant, action="crm.demo_seed", obj=tenant, detail={"services": sorted(by_code)})
    return True
