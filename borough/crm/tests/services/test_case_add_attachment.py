"""Adding a file to a case: checked as at creation; the file, a timeline entry and an audit event, or nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.crm import services
from borough.crm.attachments import MAX_ATTACHMENT_BYTES
from borough.crm.models import CaseAttachment, CaseEvent
from borough.crm.tests.case_factories import PDF, new_case, png
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
PDF_TYPE = "application/pdf"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant), acting_as(Actor.system("agent")):
        yield new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "general"})


def written() -> tuple[int, int, int]:
    return CaseAttachment.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()


def test_an_internal_file_by_default(case, media):
    before = written()
    attachment = services.case_add_attachment(case=case, file=SimpleUploadedFile("report.pdf", PDF))
    assert (attachment.case_id, attachment.original_name, attachment.content_type) == (case.pk, "report.pdf", PDF_TYPE)
    assert (attachment.size, attachment.is_public) == (len(PDF), False)
    assert attachment.file.name.startswith("crm/attachments/") and case.reference in attachment.file.name
    assert (media / attachment.file.name).read_bytes() == PDF
    assert written() == (before[0] + 1, before[1] + 1, before[2] + 1)
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ATTACHMENT).get()
    assert (event.body, event.is_public, event.data) == ("Added report.pdf.", False, {"attachments": [attachment.pk]})
    assert event.actor_label == "agent"
    audit = AuditEvent.objects.get(action="case.attachment")
    assert audit.object_id == str(case.pk)
    assert audit.detail == {
        "event": event.pk,
        "attachment": attachment.pk,
        "original_name": "report.pdf",
        "content_type": PDF_TYPE,
        "size": len(PDF),
        "is_public": False,
    }


def test_a_public_file_is_on_the_residents_timeline(case):
    attachment = services.case_add_attachment(case=case, file=png("hole.png"), is_public=True)
    assert attachment.is_public and attachment.content_type == "image/png"
    assert CaseEvent.objects.get(kind=CaseEvent.Kind.ATTACHMENT).is_public


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (None, "Choose a file to attach: a photo or a PDF"),
        (SimpleUploadedFile("empty.png", b""), "empty.png is empty"),
        (SimpleUploadedFile("script.png", b"<script>alert(1)</script>"), "script.png must be a photo or a PDF"),
        (
            SimpleUploadedFile("huge.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES),
            "huge.pdf is 10.0 MB: it must be 10 MB or smaller",
        ),
        ("a string", "the file is not a file"),
    ],
    ids=["missing", "empty", "wrong-type", "too-big", "not-a-file"],
)
def test_a_bad_file_is_refused_and_nothing_is_written(case, media, file, message):
    before = written()
    with pytest.raises(ValidationError) as raised:
        services.case_add_attachment(case=case, file=file)
    assert raised.value.message_dict["file"][0].startswith(message)
    assert written() == before
    assert not (media / "crm").exists()


def test_is_public_must_be_true_or_false(case):
    with pytest.raises(ValidationError) as raised:
        services.case_add_attachment(case=case, file=png(), is_public="yes")
    assert raised.value.message_dict == {"is_public": ["Say whether the resident may see the file: true or false"]}
    assert not CaseAttachment.objects.exists()
