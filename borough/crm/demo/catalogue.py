"""The shape of a demo council's CRM data (filled in by northfield.py and southvale.py)."""

from dataclasses import dataclass, field

from borough.crm.models import Service, ServiceQuestion

DAYS, HOURS = Service.SlaUnit.WORKING_DAYS, Service.SlaUnit.WORKING_HOURS
Q = ServiceQuestion.Kind
YES_NO = (("yes", "Yes"), ("no", "No"))


@dataclass(frozen=True)
class DemoQuestion:
    code: str
    prompt: str
    kind: str = Q.TEXT
    required: bool = False
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DemoService:
    code: str
    name: str
    group: str
    team: str
    sla: tuple[int, str]
    description: str
    keywords: str = ""
    needs_location: bool = False
    allow_anonymous: bool = False  # street problems may be reported anonymously; enquiries need someone to answer
    priority: str = "normal"
    questions: tuple[DemoQuestion, ...] = ()


@dataclass(frozen=True)
class DemoRule:
    order: int
    name: str
    team: str
    service: str = ""
    keywords: str = ""
    postcode_prefixes: str = ""
    channel: str = ""


@dataclass(frozen=True)
class DemoCase:
    service: str
    description: str
    answers: dict
    resident: dict | None = None
    channel: str = "web"
    location: dict = field(default_factory=dict)
    statuses: tuple[str, ...] = ()
    update: str = ""


@dataclass(frozen=True)
class DemoCatalogue:
    teams: tuple[tuple[str, str, bool], ...]  # code, name, is_triage
    services: tuple[DemoService, ...]
    rules: tuple[DemoRule, ...]
    templates: tuple[tuple[str, str, str], ...]  # title, body, service code ("" for any)
    articles: tuple[tuple[str, str, str, str], ...]  # title, body, keywords, service code
    cases: tuple[DemoCase, ...]
