"""The resident's council tax requests, each a few question pages, check your answers, and a CRM case.

A journey's answers live in the signed session (borough.portal.session) until sent; sending checks them all again
(a tampered or stale session makes no case), then writes the person, the case (and for e-billing the account's
email) in one transaction.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from borough.core.audit import acting_as
from borough.crm.models import Case, CaseChannel
from borough.crm.services import case_create
from borough.people.services import person_find_or_create
from borough.portal.services import portal_actor
from borough.revenues.models import Account
from borough.revenues.portal import forms
from borough.revenues.portal.catalogue import EBILLING, MOVE, SINGLE_PERSON_DISCOUNT, RevenuesService, revenues_service
from borough.revenues.services.ebilling import ebilling_set


@dataclass(frozen=True)
class Step:
    slug: str  # the page's URL name within the journey
    form: type
    title: str  # the page title (and the check page's row label)


@dataclass(frozen=True)
class Journey:
    code: str
    title: str
    service: RevenuesService
    steps: tuple[Step, ...]

    def step(self, slug: str) -> Step:
        return next(step for step in self.steps if step.slug == slug)

    def next_slug(self, slug: str) -> str:
        slugs = [step.slug for step in self.steps]
        index = slugs.index(slug)
        return slugs[index + 1] if index + 1 < len(slugs) else "check"

    def first_incomplete(self, answers: dict, *, today: date) -> Step | None:
        for step in self.steps:
            if step_form(step, answers, today=today, bound=True).is_valid() is False:
                return step
        return None


def step_form(step: Step, answers: dict, *, today: date, data=None, bound: bool = False):
    """The step's form: bound to `data` (a POST), or to the saved answers when `bound` (to re-check them)."""
    kwargs = {"today": today} if issubclass(step.form, forms.DateForm) else {}
    if data is not None:
        return step.form(data, **kwargs)
    initial = _initial(step, answers)
    if bound:
        return step.form(initial, **kwargs)
    return step.form(initial=initial, **kwargs)


def _initial(step: Step, answers: dict) -> dict:
    if issubclass(step.form, forms.DateForm):
        return step.form.initial_from(answers)
    values = {}
    for name in step.form.base_fields:
        if name in answers:
            values[name] = "on" if answers[name] is True else answers[name]
    return values


def answers_of(step: Step, form) -> dict:
    """What a valid step's form adds to the journey's answers (text, as the session keeps it)."""
    if isinstance(form, forms.DateForm):
        return {form.date_name: form.cleaned_data[form.date_name]}
    return {name: form.cleaned_data[name] for name in form.fields}


JOURNEYS = {
    "single-person-discount": Journey(
        "single-person-discount",
        "Apply for a single person discount",
        SINGLE_PERSON_DISCOUNT,
        (
            Step("only-adult", forms.OnlyAdultForm, "Only adult living there"),
            Step("date", forms.AloneSinceForm, "Living alone since"),
            Step("contact", forms.ContactForm, "Your contact details"),
        ),
    ),
    "moving": Journey(
        "moving",
        "Tell us you are moving",
        MOVE,
        (
            Step("date", forms.MovingOnForm, "Moving out on"),
            Step("new-address", forms.NewAddressForm, "New address"),
            Step("contact", forms.ContactForm, "Your contact details"),
        ),
    ),
    "ebilling": Journey(
        "ebilling",
        "Get your bills by email",
        EBILLING,
        (Step("email", forms.EbillingForm, "Bills by email"),),
    ),
}


def check_rows(journey: Journey, answers: dict) -> list[tuple[str, list[str], str]]:
    """(label, lines, step slug) for the check your answers page."""
    shown = {
        "only_adult": ("Are you the only adult living there?", lambda v: "Yes" if v == "yes" else "No"),
        "alone_since": ("Living alone since", _long_date),
        "moving_on": ("Moving out on", _long_date),
        "new_address": ("New address", str),
        "new_postcode": ("New postcode", str),
        "name": ("Name", str),
        "email": ("Email address", str),
        "phone": ("Phone number", str),
    }
    rows = []
    for step in journey.steps:
        names = [step.form.date_name] if issubclass(step.form, forms.DateForm) else list(step.form.base_fields)
        for name in names:
            if name in shown and answers.get(name):
                label, show = shown[name]
                rows.append((label, str(show(answers[name])).splitlines(), step.slug))
    return rows


def _long_date(value: str) -> str:
    return f"{date.fromisoformat(value):%-d %B %Y}"


def _description(journey: Journey, account: Account, answers: dict) -> str:
    lines = [f"{journey.title} (council tax account {account.number}, {account.property.address})."]
    lines += [f"{label}: {' '.join(text)}" for label, text, _slug in check_rows(journey, answers)]
    return "\n".join(lines)


def _case_answers(journey: Journey, account: Account, answers: dict) -> dict:
    asked = {question.code for question in journey.service.questions}
    values = {"account_number": account.number}
    values.update({name: value for name, value in answers.items() if name in asked and value not in ("", None)})
    return values


def journey_send(*, tenant, journey: Journey, account: Account, answers: dict, today: date) -> Case:
    """Check the answers again and create the case (e-billing: set the account's email too, in one transaction).
    ValidationError({step slug: [messages]}) when an answer is missing or wrong."""
    problem = journey.first_incomplete(answers, today=today)
    if problem is not None:
        raise ValidationError({problem.slug: [f"Answer this: {problem.title}"]})
    if journey.code == "single-person-discount" and answers.get("only_adult") != "yes":
        raise ValidationError({"only-adult": ["A single person discount is only for an adult who lives alone"]})
    given, _, family = answers["name"].strip().rpartition(" ")
    with transaction.atomic(), acting_as(portal_actor()):
        service = revenues_service(tenant=tenant, spec=journey.service)
        requester = person_find_or_create(
            tenant=tenant,
            email=answers.get("email", ""),
            phone=answers.get("phone", ""),
            given_name=given or family,
            family_name=family if given else "",
            channel="web",
        )
        if journey.code == "ebilling":
            ebilling_set(account=account, email=answers["email"])
        try:
            return case_create(
                tenant=tenant,
                service=service,
                channel=CaseChannel.WEB,
                description=_description(journey, account, answers),
                answers=_case_answers(journey, account, answers),
                requester=requester,
                postcode=account.property.postcode,
                address=account.property.address[:300],
                uprn=account.property.uprn,
                from_resident=True,
            )
        except ValidationError as error:
            raise ValidationError({"check": error.messages}) from None
