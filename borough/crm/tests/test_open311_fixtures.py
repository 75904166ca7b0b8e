"""Set-up shared by the Open311 tests (no tests here): a catalogue, an open311 API key, cases, parsing helpers.

Other test_open311_* modules import these fixtures by name.
"""

import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from borough.core.audit import Actor, acting_as
from borough.crm.models import Case, Service, ServiceQuestion, Team
from borough.crm.services import case_create
from borough.identity.services import apikey_create
from borough.tenancy.scope import tenant_scope

# A real 1x1 PNG, and the first bytes of a JPEG (what the type sniffing reads).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
Kind = ServiceQuestion.Kind


def add_catalogue(tenant) -> SimpleNamespace:
    """A located service with every kind of question that may be reported anonymously, an enquiry that is never
    published and needs the resident's contact details, and a retired one."""
    with tenant_scope(tenant):
        team = Team.objects.create(tenant=tenant, code="highways", name="Highways team")
        pothole = Service.objects.create(
            tenant=tenant,
            code="pothole",
            name="Pothole",
            description="A hole in a road or pavement",
            group="Roads",
            keywords="pothole, hole, road",
            needs_location=True,
            allow_anonymous=True,
            team=team,
        )
        questions = [
            ("hazard", "How dangerous is it?", Kind.SINGLE_CHOICE, False, 1, "", [("low", "Low"), ("high", "High")]),
            ("depth", "How deep is it?", Kind.NUMBER, True, 2, "In centimetres", []),
            ("surfaces", "Where is it?", Kind.MULTI_CHOICE, False, 3, "", [("road", "Road"), ("pavement", "Pavement")]),
            ("noticed", "When did you notice it?", Kind.DATETIME, False, 4, "", []),
            ("notes", "Anything else?", Kind.TEXT, False, 5, "", []),
        ]
        for code, prompt, kind, required, order, hint, choices in questions:
            ServiceQuestion.objects.create(
                tenant=tenant,
                service=pothole,
                code=code,
                prompt=prompt,
                kind=kind,
                required=required,
                order=order,
                hint=hint,
                choices=[{"key": key, "name": name} for key, name in choices],
            )
        council_tax = Service.objects.create(
            tenant=tenant, code="council-tax", name="Council tax enquiry", group="Money", needs_location=False
        )
        retired = Service.objects.create(
            tenant=tenant, code="retired", name="Old service", needs_location=True, is_active=False
        )
    return SimpleNamespace(tenant=tenant, team=team, pothole=pothole, council_tax=council_tax, retired=retired)


@pytest.fixture
def catalogue(tenant_a):
    return add_catalogue(tenant_a)


def make_key(tenant, scopes=("open311",), name="FixMyStreet") -> str:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return apikey_create(tenant=tenant, name=name, scopes=list(scopes))[1]


@pytest.fixture
def open311_key(tenant_a) -> str:
    return make_key(tenant_a)


@pytest.fixture
def api(client_for, tenant_a):
    """A client on tenant A's host (northfield.localhost)."""
    return client_for(tenant_a)


def make_case(tenant, service, *, description="A deep pothole outside number 4", **fields) -> Case:
    """A case made as the portal would (web channel), through the real service."""
    fields.setdefault("latitude", "52.100000")
    fields.setdefault("longitude", "-1.200000")
    if service.code == "pothole":
        fields.setdefault("answers", {"depth": "7"})
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return case_create(tenant=tenant, service=service, channel="web", description=description, **fields)


def pothole_fields(api_key: str, **extra) -> dict:
    """What a client sends to report a pothole (form-encoded)."""
    return {
        "api_key": api_key,
        "service_code": "pothole",
        "lat": "52.123456",
        "long": "-1.654321",
        "description": "Deep pothole by the bus stop",
        "attribute[depth]": "12",
        "email": "resident@example.com",
        "first_name": "Rita",
        "last_name": "Resident",
        **extra,
    }


def as_xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8", response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def as_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8", response["Content-Type"]
    return json.loads(response.content)


def parsed(response, fmt: str):
    return as_xml(response) if fmt == "xml" else as_json(response)


def error_descriptions(response, fmt: str) -> list[tuple[int, str]]:
    """The spec's error body as (code, description) pairs, checking its shape in either format."""
    if fmt == "xml":
        root = as_xml(response)
        assert root.tag == "errors"
        errors = [(int(e.findtext("code")), e.findtext("description")) for e in root.findall("error")]
    else:
        body = as_json(response)
        assert isinstance(body, list)
        errors = [(e["code"], e["description"]) for e in body]
    assert errors, "an error body lists at least one error"
    assert all(code == response.status_code for code, _ in errors)
    return errors


def xml_requests(root: ET.Element) -> list[dict]:
    assert root.tag == "service_requests"
    return [{child.tag: child.text or "" for child in request} for request in root.findall("request")]
