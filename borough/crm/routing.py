"""Which team a new case goes to. Never drops a case: when no rule matches, the service's own team takes it, and
when the service has none, the tenant's triage team (made on demand).

A rule matches when every condition it gives matches (a condition left blank matches anything):
- service: the case's service;
- channel: the channel the case came in on;
- keywords: any one of them appears, as a whole word or phrase, in the description or the answers (any case);
- postcode prefixes: any one of them starts the case's postcode, by postcode units: an area ("NF") matches
  NF1 and NF12, a district ("NF1") matches NF1 2AB but not NF12 3AB, a sector ("NF1 2") matches NF1 2AB.
The first matching active rule, by `order` then age, chooses the team.
"""

import re
from collections.abc import Iterable
from typing import Any

from borough.core.audit import audit_record, snapshot
from borough.crm.models import CaseChannel, RoutingRule, Service, Team
from borough.tenancy.scope import scope_memo

TRIAGE_CODE = "triage"


def _words(text: str) -> list[str]:
    return [word.strip() for word in (text or "").split(",") if word.strip()]


def _answer_text(answers: dict[str, Any] | None) -> Iterable[str]:
    for value in (answers or {}).values():
        if isinstance(value, list):
            yield from (str(item) for item in value)
        elif value is not None:
            yield str(value)


def keyword_found(keywords: str, texts: Iterable[str]) -> str | None:
    """The first keyword that appears as a whole word (or phrase) in any of `texts`, ignoring case."""
    texts = list(texts)
    for keyword in _words(keywords):
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, keyword.split())) + r"(?!\w)", re.IGNORECASE)
        if any(pattern.search(text) for text in texts):
            return keyword
    return None


def postcode_matches(prefix: str, postcode: str) -> bool:
    """Whether a postcode ("NF1 2AB") is in the area, district or sector `prefix` (see the module docstring)."""
    prefix = " ".join(prefix.upper().split())
    postcode = " ".join((postcode or "").upper().split())
    if not prefix or not postcode.startswith(prefix):
        return False
    if len(postcode) == len(prefix) or " " in prefix:
        return True
    following = postcode[len(prefix)]
    if prefix.isalpha():
        return following.isdigit()  # an area: NF matches NF1, not NFA
    # A district: NF1 matches NF1 2AB but not NF12 3AB; EC1 matches its sub-districts EC1A, EC1M ...
    return following == " " or (prefix[-1].isdigit() and following.isalpha())


def _postcode_found(prefixes: str, postcode: str) -> str | None:
    return next((prefix for prefix in _words(prefixes) if postcode_matches(prefix, postcode)), None)


def _match(rule: RoutingRule, *, service, channel, texts, postcode) -> list[str] | None:
    """The reasons the rule matches, or None."""
    reasons = []
    if rule.service_id is not None:
        if service is None or rule.service_id != service.pk:
            return None
        reasons.append(f"service {service.name}")
    if rule.channel:
        if rule.channel != channel:
            return None
        reasons.append(f"channel {CaseChannel(rule.channel).label}")
    if rule.keywords:
        keyword = keyword_found(rule.keywords, texts)
        if keyword is None:
            return None
        reasons.append(f"keyword “{keyword}”")
    if rule.postcode_prefixes:
        prefix = _postcode_found(rule.postcode_prefixes, postcode)
        if prefix is None:
            return None
        reasons.append(f"postcode in {prefix.upper()}")
    return reasons


def triage_team(tenant) -> Team:
    """The tenant's triage team, made (and audited) the first time it is needed."""
    team = Team.objects.filter(tenant=tenant, is_triage=True).order_by("id").first()
    if team is not None:
        return team
    team, created = Team.objects.get_or_create(
        tenant=tenant, code=TRIAGE_CODE, defaults={"name": "Triage", "is_triage": True}
    )
    if created:
        audit_record(tenant=tenant, action="team.create", obj=team, after=snapshot(team, ["code", "name", "is_triage"]))
    elif not team.is_triage:
        team.is_triage = True
        team.save(update_fields=["is_triage"])
    return team


def _active_rules(tenant) -> list[RoutingRule]:
    return list(
        RoutingRule.objects.filter(tenant=tenant, is_active=True).select_related("team").order_by("order", "id")
    )


def route(
    tenant,
    *,
    service: Service | None,
    channel: str,
    description: str,
    postcode: str = "",
    answers: dict[str, Any] | None = None,
) -> tuple[Team, str]:
    """The team for a new case, and why (for the case's `routed_by` and its timeline)."""
    texts = [description or "", *_answer_text(answers)]
    rules = scope_memo(("routing_rules", tenant.pk), lambda: _active_rules(tenant))
    for rule in rules:
        reasons = _match(rule, service=service, channel=channel, texts=texts, postcode=postcode)
        if reasons is not None:
            because = f" ({', '.join(reasons)})" if reasons else ""
            return rule.team, f"Rule “{rule.name}”{because}"
    if service is not None and service.team_id is not None:
        return service.team, f"No rule matched: the team of {service.name}"
    return triage_team(tenant), "No rule matched and the service has no team: triage"
