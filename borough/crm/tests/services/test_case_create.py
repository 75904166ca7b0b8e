"""case_create: what a new case gets (reference, due time, team, timeline, interaction, audit, usage, the
acknowledgement email) and how bad input is refused with field messages, leaving nothing behind."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from borough.core.models import AuditEvent, OutboxMessage, ReferenceCounter, UsageRecord
from borough.crm.attachments import MAX_ATTACHMENT_BYTES
from borough.crm.calc.sla import SlaTarget, due_time
from borough.crm.models import Case, CaseAttachment, CaseEvent, Interaction
from borough.crm.settings import crm_calendar
from borough.crm.tests.case_factories import (
    JPEG,
    PDF,
    make_person,
    make_service,
    new_case,
    png,
)
from borough.people.models import ContactPoint
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


def counts(tenant) -> dict[str, int]:
    with tenant_scope(tenant):
        counter = ReferenceCounter.objects.filter(tenant=tenant, sequence="case").first()
        return {
            "cases": Case.objects.count(),
            "events": CaseEvent.objects.count(),
            "interactions": Interaction.objects.count(),
            "attachments": CaseAttachment.objects.count(),
            "outbox": OutboxMessage.objects.count(),
            "usage": sum(UsageRecord.objects.values_list("quantity", flat=True)),
            "case_audit": AuditEvent.objects.filter(action="case.create").count(),
            "last_reference": counter.last_value if counter else 0,
        }


def errors_of(raised) -> dict[str, list[str]]:
    return raised.value.message_dict


def test_a_case_from_a_resident_with_an_email(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant):
        jane = make_person(tenant)
        case = new_case(
            tenant,
            catalogue["missed_bin"],
            requester=jane,
            answers={"bin_type": "general", "collection_day": "2026-01-19"},
            postcode="nf1 2ab",
        )
        case.refresh_from_db()
        assert case.reference == f"{tenant.reference_prefix}-000001"
        assert (case.status, case.channel, case.priority) == ("new", "web", "normal")
        assert case.answers == {"bin_type": "general", "collection_day": "2026-01-19"}
        assert case.postcode == "NF1 2AB"
        assert case.team == catalogue["waste"]
        assert case.routed_by == "No rule matched: the team of Missed bin collection"
        expected = due_time(case.created_at, SlaTarget(2, "working_days"), crm_calendar(tenant))
        assert case.due_at == expected.due_at

        created = CaseEvent.objects.get(case=case)
        assert (created.kind, created.is_public, created.actor_label) == ("created", True, "test")
        assert created.data["sla_steps"] == list(expected.steps)
        inbound = Interaction.objects.get(case=case, direction="in")
        assert (inbound.person, inbound.channel, inbound.body) == (jane, "web", case.description)
        audit = AuditEvent.objects.get(action="case.create")
        assert audit.object_id == str(case.pk) and audit.changes["reference"] == [None, case.reference]
        assert UsageRecord.objects.filter(service="crm.case").aggregate(total=Sum("quantity"))["total"] == 1

        email = OutboxMessage.objects.get()
        assert (email.kind, email.idempotency_key) == ("email.smtp", f"case-ack-{case.pk}")
        assert email.payload["to"] == ["jane.smith@example.org"]
        assert case.reference in email.payload["subject"] and case.reference in email.payload["body"]
        assert Interaction.objects.filter(case=case, direction="out", channel="email").count() == 1


def test_references_follow_on_and_an_anonymous_case_sends_no_email(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant):
        first = new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "recycling"})
        second = new_case(tenant, "missed-bin", answers={"bin_type": "General waste"}, channel="phone")
        assert [first.reference[-6:], second.reference[-6:]] == ["000001", "000002"]
        assert second.answers == {"bin_type": "general"}  # a choice may be given by its name
        assert OutboxMessage.objects.count() == 0
        assert Interaction.objects.get(case=second).person is None
        assert UsageRecord.objects.filter(service="crm.case").aggregate(total=Sum("quantity"))["total"] == 2


def test_an_agent_logging_a_case_is_recorded(catalogue, make_staff):
    tenant = catalogue["tenant"]
    agent = make_staff(tenant, roles=("crm.agent",), first_name="Nathan", last_name="Agent")
    with tenant_scope(tenant):
        case = new_case(
            tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, channel="staff", logged_by=agent
        )
        assert case.logged_by == agent
        assert CaseEvent.objects.get(case=case).body == "Logged by Nathan Agent on the resident's behalf (staff)."
        interaction = Interaction.objects.get(case=case)
        assert (interaction.channel, interaction.recorded_by) == ("phone", agent)


def test_answers_are_typed_and_located_cases_keep_their_place(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant):
        case = new_case(
            tenant,
            catalogue["pothole"],
            description="A deep pothole outside the school.",
            answers={"depth": "12.5", "unknown_extra": "ignored"},
            latitude="52.630900",
            longitude=-1.1398,
        )
        case.refresh_from_db()
        assert case.answers == {"depth": 12.5}
        assert (case.latitude, case.longitude) == (Decimal("52.630900"), Decimal("-1.139800"))


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({}, "answers.bin_type", "Select an answer to “Which bin was missed?”"),
        ({"bin_type": "  "}, "answers.bin_type", "Select an answer"),
        ({"bin_type": "garden"}, "answers.bin_type", "“garden” is not one of the choices: General waste, Recycling"),
        ({"bin_type": ["general", "recycling"]}, "answers.bin_type", "Give one answer"),
        ({"bin_type": "general", "collection_day": "last Monday"}, "answers.collection_day", "Enter a date"),
        ({"bin_type": {"nested": 1}}, "answers.bin_type", "Give the answer as text"),
    ],
)
def test_bad_answers_are_refused(catalogue, answers, field, message):
    tenant = catalogue["tenant"]
    before = counts(tenant)
    with tenant_scope(tenant), pytest.raises(ValidationError) as raised:
        new_case(tenant, catalogue["missed_bin"], answers=answers)
    assert message in errors_of(raised)[field][0]
    assert counts(tenant) == before


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({}, "postcode", "Give the location of the pothole"),
        ({"latitude": "52.6"}, "longitude", "Give both the latitude and the longitude"),
        ({"latitude": "200", "longitude": "1"}, "latitude", "between -90 and 90"),
        ({"latitude": "north", "longitude": "1"}, "latitude", "as a number"),
        ({"latitude": True, "longitude": "1"}, "latitude", "as a number"),
        ({"postcode": "12345"}, "postcode", "not a UK postcode"),
        ({"postcode": "NF1 2AB", "uprn": "ABC"}, "uprn", "up to 12 digits"),
        ({"postcode": "NF1 2AB", "answers": {"depth": "deep"}}, "answers.depth", "Enter a number"),
        ({"postcode": "NF1 2AB", "answers": {"depth": "NaN"}}, "answers.depth", "Enter a number"),
    ],
)
def test_bad_locations_are_refused(catalogue, values, field, message):
    tenant = catalogue["tenant"]
    before = counts(tenant)
    with tenant_scope(tenant), pytest.raises(ValidationError) as raised:
        new_case(tenant, catalogue["pothole"], **values)
    assert message in errors_of(raised)[field][0]
    assert counts(tenant) == before


def test_every_problem_is_reported_at_once(catalogue, tenant_b):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant), pytest.raises(ValidationError) as raised:
        new_case(tenant, catalogue["missed_bin"], channel="pigeon", description="  ", priority="whenever")
    assert set(errors_of(raised)) == {"channel", "description", "priority", "answers.bin_type"}


@pytest.mark.parametrize("service", ["no-such-service", "", None, "inactive", "other-tenant"])
def test_unknown_inactive_or_foreign_services_are_refused(catalogue, tenant_b, service):
    tenant = catalogue["tenant"]
    if service == "other-tenant":
        with tenant_scope(tenant_b):
            service = make_service(tenant_b, "missed-bin")
    with tenant_scope(tenant):
        if service == "inactive":
            service = make_service(tenant, "closed-service", is_active=False)
        with pytest.raises(ValidationError) as raised:
            new_case(tenant, service)
        assert set(errors_of(raised)) == {"service"}
        assert Case.objects.count() == 0


def test_a_requester_of_another_tenant_is_refused(catalogue, tenant_b):
    with tenant_scope(tenant_b):
        stranger = make_person(tenant_b)
    tenant = catalogue["tenant"]
    with tenant_scope(tenant), pytest.raises(ValidationError) as raised:
        new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, requester=stranger)
    assert set(errors_of(raised)) == {"requester"}


def test_attachments_are_stored_under_their_real_type_and_a_name_of_our_own(catalogue):
    tenant = catalogue["tenant"]
    photo = SimpleUploadedFile("../../etc/passwd.png", JPEG, content_type="text/plain")
    with tenant_scope(tenant):
        case = new_case(
            tenant,
            catalogue["missed_bin"],
            answers={"bin_type": "general"},
            attachments=[photo, SimpleUploadedFile("letter.pdf", PDF)],
        )
        stored = list(CaseAttachment.objects.filter(case=case).order_by("id"))
        assert [(a.original_name, a.content_type) for a in stored] == [
            ("passwd.png", "image/jpeg"),
            ("letter.pdf", "application/pdf"),
        ]
        assert all(a.file.name.startswith("crm/attachments/") and case.reference in a.file.name for a in stored)
        assert stored[0].file.name.endswith(".jpg") and stored[0].size == len(JPEG)
        assert CaseEvent.objects.get(case=case).data["attachments"] == [a.pk for a in stored]


class Oversized:
    """An upload that says it is bigger than the limit (the check reads the size before any byte)."""

    name = "huge.png"
    size = MAX_ATTACHMENT_BYTES + 1

    def seek(self, offset):
        pass

    def read(self, size=-1):
        return b""


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("script.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg"),
            "script.jpg must be a photo or a PDF",
        ),
        (SimpleUploadedFile("page.html", b"<html><body>hi</body></html>"), "page.html must be a photo or a PDF"),
        (SimpleUploadedFile("empty.png", b""), "empty.png is empty"),
        (Oversized(), "huge.png is 10.0 MB: it must be 10 MB or smaller"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_written(catalogue, upload, message):
    tenant = catalogue["tenant"]
    before = counts(tenant)
    with tenant_scope(tenant), pytest.raises(ValidationError) as raised:
        new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, attachments=[png(), upload])
    (only,) = errors_of(raised)["attachments"]
    assert only.startswith(message) and set(errors_of(raised)) == {"attachments"}
    assert counts(tenant) == before


def test_too_many_attachments_are_refused(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant), pytest.raises(ValidationError) as raised:
        new_case(
            tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, attachments=[png() for _ in range(11)]
        )
    assert "Attach 10 files or fewer" in errors_of(raised)["attachments"][0]


def test_a_failure_in_the_last_step_leaves_nothing_half_created(catalogue, monkeypatch):
    """A failure after everything else is written (here metering) rolls back the case, its reference, timeline,
    interactions, queued acknowledgement, audit event and usage (the attachment included)."""
    tenant = catalogue["tenant"]
    with tenant_scope(tenant):
        jane = make_person(tenant)
    before = counts(tenant)

    def broken_meter(**kwargs):
        raise RuntimeError("metering is down")

    monkeypatch.setattr("borough.crm.services.create.meter_record", broken_meter)
    with tenant_scope(tenant), pytest.raises(RuntimeError):
        new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, requester=jane, attachments=[png()])
    assert counts(tenant) == before


def test_an_email_address_the_outbox_refuses_does_not_lose_the_case(catalogue):
    """A stored address the outbox refuses is noted on the case; the resident's report is kept."""
    tenant = catalogue["tenant"]
    with tenant_scope(tenant):
        jane = make_person(tenant, email="")
        ContactPoint.objects.create(tenant=tenant, person=jane, kind="email", value="broken", normalised="broken")
        case = new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, requester=jane)
        notified = case.created_event.data["notified"]
        assert (notified["sent"], notified["channel"]) == (False, "email")
        assert "'broken' is not an email address" in notified["reason"]
        assert not OutboxMessage.objects.exists()
