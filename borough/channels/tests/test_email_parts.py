"""The small parts of the email channel: quoted history, references in subjects, mailbox rules."""

import pytest
from django.core.exceptions import ValidationError

from borough.channels.email.quotes import new_text
from borough.channels.email.threading import reference_in
from borough.channels.services import mailbox_create
from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.crm.tests.case_factories import add_question, make_service
from borough.tenancy.scope import tenant_scope


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Still broken.\n\nOn Mon, 23 Nov 2026, Northfield <c@n.gov.uk> wrote:\n> Thanks", "Still broken."),
        ("Yes please.\n> quoted\n> more", "Yes please."),
        ("Fine.\n\n-----Original Message-----\nFrom: Northfield\nSent: Monday", "Fine."),
        ("Fine.\n________________________________\nFrom: Northfield\nSent: Monday", "Fine."),
        ("Thanks\nFrom: Northfield Council\nSent: 23 November 2026\nTo: me", "Thanks"),
        ("Diolch.\n\nAr 23 Tach 2026, ysgrifennodd Cyngor <c@n.gov.uk>:\n> Diolch", "Diolch."),
        ("See you.\n-- \nJane Smith\n07700 900123", "See you."),
        ("Sent from my iPhone", "Sent from my iPhone"),  # nothing else: keep what was written
        ("From: a list of things I need\n1. a bin", "From: a list of things I need\n1. a bin"),
        ("> everything quoted", "> everything quoted"),
    ],
)
def test_the_new_text_of_a_reply(text, expected):
    assert new_text(text) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Your reference NOR-000123: Missed bin", "NOR-000123"),
        ("RE: [nor-000123]", "NOR-000123"),
        ("Fwd: NOR-1234567", "NOR-1234567"),
        ("About NOR-123", ""),
        ("XNOR-000123", ""),
        ("SOU-000123", ""),
    ],
)
def test_a_reference_in_a_subject(subject, expected):
    assert reference_in(subject, "NOR") == expected


@pytest.mark.django_db
def test_a_mailbox_needs_a_service_email_can_serve(tenant_a, tenant_b):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        pothole = make_service(tenant_a, "pothole", needs_location=True)
        asked = make_service(tenant_a, "asked")
        add_question(asked, "which", required=True)
        enquiry = make_service(tenant_a, "enquiry", name="Enquiry")
        for local_part, service, field in [
            ("contact", pothole, "service"),
            ("contact", asked, "service"),
            ("bad address!", enquiry, "local_part"),
        ]:
            with pytest.raises(ValidationError) as refused:
                mailbox_create(tenant=tenant_a, local_part=local_part, name="Contact", service=service)
            assert field in refused.value.message_dict
        mailbox = mailbox_create(tenant=tenant_a, local_part=" Contact ", name="Contact us", service=enquiry)
        assert mailbox.local_part == "contact"
        assert AuditEvent.objects.filter(action="mailbox.create", object_id=str(mailbox.pk)).exists()
        with pytest.raises(ValidationError, match="already a mailbox called contact"):
            mailbox_create(tenant=tenant_a, local_part="contact", name="Again", service=enquiry)
    with tenant_scope(tenant_b), acting_as(Actor.system("test")), pytest.raises(ValidationError) as refused:
        mailbox_create(tenant=tenant_b, local_part="contact", name="Contact", service=enquiry)
    assert "service" in refused.value.message_dict
