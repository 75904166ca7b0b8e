"""Helpers of the portal tests: a catalogue, photo bytes, walking the report journey, reading queued emails."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from borough.core.audit import Actor, acting_as
from borough.core.models import OutboxMessage
from borough.crm.models import Case, Service, ServiceQuestion, Team
from borough.crm.services import case_create
from borough.people.services import person_create
from borough.tenancy.scope import tenant_scope

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def png(name: str = "bin.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def question(service: Service, code: str, kind: str, prompt: str, **extra) -> ServiceQuestion:
    return ServiceQuestion.objects.create(
        tenant_id=service.tenant_id, service=service, code=code, kind=kind, prompt=prompt, **extra
    )


def add_catalogue(tenant) -> dict[str, Service]:
    """A missed bin (questions of every kind, needs a location), a pothole (both may be reported anonymously) and a
    council tax question (which may not)."""
    with tenant_scope(tenant):
        waste = Team.objects.create(tenant=tenant, code="waste", name="Waste and recycling")
        bins = Service.objects.create(
            tenant=tenant,
            code="missed-bin",
            name="Report a missed bin collection",
            description="Tell us if your bin was not emptied on your collection day.",
            group="Bins and recycling",
            keywords="rubbish, refuse, wheelie bin, collection",
            needs_location=True,
            allow_anonymous=True,
            team=waste,
            sla_amount=2,
        )
        question(
            bins,
            "bin_type",
            "single_choice",
            "Which bin was missed?",
            required=True,
            order=1,
            choices=[
                {"key": "general", "name": "General waste (black bin)"},
                {"key": "recycling", "name": "Recycling (blue bin)"},
            ],
        )
        question(bins, "bags", "number", "How many extra bags were left out?", order=2)
        question(bins, "collection_day", "datetime", "When should it have been collected?", order=3)
        question(
            bins,
            "problems",
            "multi_choice",
            "Was there anything else wrong?",
            order=4,
            choices=[{"key": "spilled", "name": "Rubbish was spilled"}, {"key": "lid", "name": "The lid was broken"}],
        )
        question(bins, "details", "text", "Tell us anything else we should know", order=5)
        pothole = Service.objects.create(
            tenant=tenant,
            code="pothole",
            name="Report a pothole",
            description="Holes and damage in roads and pavements.",
            group="Roads and streets",
            keywords="road, pavement, hole",
            needs_location=True,
            allow_anonymous=True,
            sla_amount=24,
            sla_unit="working_hours",
        )
        tax = Service.objects.create(
            tenant=tenant,
            code="council-tax",
            name="Ask about your council tax",
            description="Questions about your bill, discounts and paying.",
            group="Council tax",
            keywords="bill, band, discount",
        )
        Service.objects.create(tenant=tenant, code="retired", name="Report a retired thing", is_active=False)
    return {"bins": bins, "pothole": pothole, "tax": tax}


def cases(tenant) -> list[Case]:
    with tenant_scope(tenant):
        return list(Case.objects.select_related("service", "requester").order_by("id"))


COLLECTION_DAY = {"answer_day": "3", "answer_month": "3", "answer_year": "2025", "answer_time": "7am"}


def walk_to_check(client, answers: dict | None = None, *, anonymous: bool = False, photo=None) -> None:
    """Answer the missed-bin journey from its start page to check your answers."""
    steps = [
        ("questions/bin_type/", {"answer": "general"}),
        ("questions/bags/", {"answer": "2"}),
        ("questions/collection_day/", COLLECTION_DAY),
        ("questions/problems/", {"answer": ["spilled"]}),
        ("questions/details/", {"answer": ""}),
        ("description/", {"description": "The black bin was not emptied on Monday."}),
        ("postcode/", {"postcode": "nf1 2ab"}),
        ("location/", {"address": "12 Mill Lane, Northfield", "latitude": "", "longitude": ""}),
        ("photos/", {"action": "continue", **({"photo": photo} if photo else {})}),
        ("about-you/", {"identity": "anonymous" if anonymous else "named"}),
    ]
    if not anonymous:
        steps += [
            ("contact-details/", {"given_name": "Ann", "family_name": "Example", "email": "Ann@Example.org"}),
            ("contact-preferences/", {"preferred_channel": "email", "consents": ["email_updates"]}),
        ]
    assert client.post("/report/missed-bin/").status_code == 302
    for path, data in steps:
        data = {**data, **(answers or {}).get(path, {})}
        response = client.post(f"/report/missed-bin/{path}", data)
        assert response.status_code == 302, (path, response.content.decode()[:3000])


def report_missed_bin(client, **kwargs) -> str:
    walk_to_check(client, **kwargs)
    response = client.post("/report/missed-bin/check-your-answers/")
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def emails(tenant) -> list[dict]:
    """The emails queued in the outbox (delivery runs after a commit, which these tests roll back)."""
    with tenant_scope(tenant):
        return [m.payload for m in OutboxMessage.objects.filter(kind="email.smtp").order_by("id")]


def emailed_code(tenant) -> str:
    body = emails(tenant)[-1]["body"]
    match = re.search(r" is (\d{6})\.", body)
    assert match, body
    return match[1]


def make_case(tenant, *, email="ann@example.org", phone="", **extra) -> Case:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        person = person_create(tenant=tenant, given_name="Ann", family_name="Example", email=email, phone=phone)
        service = Service.objects.get(code="missed-bin")
        values = {
            "description": "Not emptied",
            "address": "12 Mill Lane",
            "answers": {"bin_type": "general"},
            **extra,
        }
        return case_create(tenant=tenant, service=service, channel="web", requester=person, **values)
