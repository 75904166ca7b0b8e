"""Subject access: everything held about a person as JSON, and as a readable PDF."""

import contextlib
import json
import re
import zlib

import pytest
from django.core.files.base import ContentFile

from borough.core.audit import audit_history
from borough.crm.models import CaseAttachment, CaseEvent
from borough.people.export import person_subject_access_export, person_subject_access_pdf
from borough.people.merge import person_merge
from borough.people.services import consent_record, person_create
from borough.people.tests.conftest import make_case, make_interaction


def pdf_page_count(pdf: bytes) -> int:
    """Pages in a PDF, reading through the compressed object streams WeasyPrint writes."""
    parts = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):  # not every stream is compressed
            parts.append(zlib.decompress(stream.group(1)))
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", b"\n".join(parts)))


@pytest.fixture
def held(in_a):
    """A resident with something of everything."""
    person = person_create(
        tenant=in_a,
        given_name="Zoë",
        family_name="O'Brien",
        email="zoe@example.com",
        phone="07700 900123",
        address={"line_1": "1 High Street", "town": "Northfield", "postcode": "NF1 2AB"},
    )
    consent_record(person=person, purpose="email_updates", granted=True, channel="web", note="Portal form")
    case = make_case(in_a, person, answers={"bin_type": "Black bag", "count": 2}, latitude="52.100000")
    CaseEvent.objects.create(tenant=in_a, case=case, kind="note", body="Rang back, no answer", actor_label="Amy")
    CaseEvent.objects.create(tenant=in_a, case=case, kind="update", is_public=True, body="Crew sent", actor_label="Amy")
    CaseAttachment.objects.create(
        tenant=in_a,
        case=case,
        file=ContentFile(b"%PDF-1.4 x", name="letter.pdf"),
        original_name="my letter.pdf",
        content_type="application/pdf",
        size=10,
    )
    make_interaction(in_a, person, case=case, body="My bin was missed again")
    return person, case


def test_the_json_export_has_everything_held(in_a, held):
    person, case = held
    duplicate = person_create(tenant=in_a, given_name="Zoe", family_name="OBrien")
    person_merge(survivor=person, duplicate=duplicate)
    data = person_subject_access_export(person=person)
    json.dumps(data)  # JSON-ready as it is
    assert data["organisation"] == "Northfield District Council"
    assert data["person"]["given_name"] == "Zoë" and data["person"]["family_name"] == "O'Brien"
    assert [m["id"] for m in data["merged_records"]] == [duplicate.pk]
    assert {p["value"] for p in data["contact_points"]} == {"zoe@example.com", "07700 900123"}
    assert data["addresses"][0]["postcode"] == "NF1 2AB"
    assert data["consents"] == [
        {
            "purpose": "Updates by email",
            "granted": True,
            "channel": "Web",
            "note": "Portal form",
            "recorded_at": data["consents"][0]["recorded_at"],
        }
    ]
    assert [i["body"] for i in data["interactions"]] == ["My bin was missed again"]
    assert data["interactions"][0]["case_reference"] == case.reference
    [exported] = data["cases"]
    assert exported["reference"] == case.reference and exported["service"] == "Missed bin collection"
    assert exported["answers"] == {"bin_type": "Black bag", "count": 2} and exported["latitude"] == "52.100000"
    timeline = {(e["text"], e["visible_to_you"]) for e in exported["timeline"]}
    assert {("Rang back, no answer", False), ("Crew sent", True)} <= timeline
    assert exported["attachments"][0]["name"] == "my letter.pdf"
    event = audit_history(person).get(action="person.export")
    assert event.detail == {
        "format": "json",
        "counts": {"contact_points": 2, "addresses": 1, "consents": 1, "interactions": 1, "cases": 1},
    }


def test_the_pdf_export_is_a_real_pdf(in_a, held):
    person, _case = held
    pdf = person_subject_access_pdf(person=person)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf_page_count(pdf) >= 1
    assert audit_history(person).get(action="person.export").detail["format"] == "pdf"


def test_a_long_history_runs_over_several_pages(in_a, held):
    person, case = held
    for n in range(60):
        make_interaction(in_a, person, case=case, body=f"Contact number {n}: " + "words " * 30)
    assert pdf_page_count(person_subject_access_pdf(person=person)) > 2


def test_the_pdf_template_reads_in_plain_english(in_a, held):
    from django.template.loader import render_to_string

    from borough.people.export import _readable, subject_access_data

    person, case = held
    html = render_to_string(
        "people/subject_access.html", {"data": _readable(subject_access_data(person)), "person": person}
    )
    assert "<h1>Information we hold about you</h1>" in html and "<h2>Your cases</h2>" in html
    assert '<th scope="col">When</th>' in html and "<caption>" in html
    assert f"Case {case.reference}: Missed bin collection" in html
    assert "O&#x27;Brien" in html and "No (internal note)" in html and "my letter.pdf" in html
    assert not re.search(r"\d{4}-\d\d-\d\dT", html)  # times in words, not ISO
