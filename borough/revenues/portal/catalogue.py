"""The CRM services the resident's council tax requests become cases of, in the tenant's own catalogue.

A council that has not set them up gets them the first time they are needed (or from the demo), handled by its
revenues team when it has one ("revenues"), else by triage like any unrouted case. Once made they are the
council's to edit like any other service; only a missing one is added, and a missing question of one.
"""

from dataclasses import dataclass

from django.db import transaction

from borough.core.audit import audit_record
from borough.crm.models import Service, ServiceQuestion, Team

Kind = ServiceQuestion.Kind


@dataclass(frozen=True)
class Question:
    code: str
    prompt: str
    kind: str = Kind.TEXT
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RevenuesService:
    code: str
    name: str
    description: str
    keywords: str
    questions: tuple[Question, ...]


ACCOUNT = Question("account_number", "Council tax account number", required=True)
SINGLE_PERSON_DISCOUNT = RevenuesService(
    "council-tax-single-person-discount",
    "Council tax single person discount",
    "Apply for a 25% discount because you are the only adult living in your home. Apply from your council "
    "tax account online, at /council-tax/.",
    "council tax, single person discount, live alone, discount",
    (
        ACCOUNT,
        Question(
            "only_adult",
            "Are you the only adult (18 or over) living at the property?",
            Kind.SINGLE_CHOICE,
            True,
            (("yes", "Yes"), ("no", "No")),
        ),  # fmt: skip
        Question("alone_since", "Date you started living alone", Kind.DATETIME, True),
        Question("name", "Name of the adult living at the property", required=True),
    ),
)
MOVE = RevenuesService(
    "council-tax-move",
    "Council tax: tell us you are moving",
    "Tell us the date you move out of your home and your new address, so we can end your council tax there. "
    "Tell us from your council tax account online, at /council-tax/.",
    "council tax, moving home, move out, change of address",
    (
        ACCOUNT,
        Question("moving_on", "Date you move out", Kind.DATETIME, True),
        Question("new_address", "Your new address", required=True),
        Question("new_postcode", "Your new postcode"),
    ),
)
EBILLING = RevenuesService(
    "council-tax-ebilling",
    "Council tax bills by email",
    "Get your council tax bills by email instead of by post. Choose it in your council tax account online, "
    "at /council-tax/.",
    "council tax, e-billing, paperless, email bill",
    (ACCOUNT, Question("email", "Email address for bills", required=True)),
)
REVENUES_SERVICES = (SINGLE_PERSON_DISCOUNT, MOVE, EBILLING)


@transaction.atomic
def revenues_service(*, tenant, spec: RevenuesService) -> Service:
    """The tenant's service for `spec`, made (with its questions) if it has none."""
    service = Service.objects.filter(tenant=tenant, code=spec.code).first()
    if service is None:
        service = Service.objects.create(
            tenant=tenant,
            code=spec.code,
            name=spec.name,
            description=spec.description,
            group="Council tax",
            keywords=spec.keywords,
            team=Team.objects.filter(tenant=tenant, code="revenues").first(),
        )
        audit_record(tenant=tenant, action="crm.service_create", obj=service, after={"code": spec.code})
    have = set(ServiceQuestion.objects.filter(service=service).values_list("code", flat=True))
    for order, question in enumerate(spec.questions):
        if question.code not in have:
            ServiceQuestion.objects.create(
                tenant=tenant,
                service=service,
                code=question.code,
                prompt=question.prompt,
                kind=question.kind,
                required=question.required,
                order=order,
                choices=[{"key": key, "name": name} for key, name in question.choices],
            )
    return service
