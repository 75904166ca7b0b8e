"""Files on the desk's case page: a link to each (served only to staff of the tenant, a photo shown, anything else
downloaded), and the attach form (staff only or public), with and without JavaScript; bad files change nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from borough.core.models import AuditEvent
from borough.crm.attachments import MAX_ATTACHMENT_BYTES
from borough.crm.models import CaseAttachment, CaseEvent
from borough.crm.tests import test_desk_support as support
from borough.crm.tests.case_factories import PDF, PNG
from borough.crm.tests.test_desk_support import HTMX, log
from borough.tenancy.scope import tenant_scope

desk, agent_client = support.desk, support.agent_client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(desk):
    return log(desk, requester=desk.resident, attachments=[SimpleUploadedFile("bin.png", PNG)])


def attach_url(case) -> str:
    return f"/staff/crm/cases/{case.reference}/attach/"


def file_url(case, attachment) -> str:
    return f"/staff/crm/cases/{case.reference}/attachments/{attachment.pk}/"


def files(desk, case) -> list[CaseAttachment]:
    with tenant_scope(desk.tenant):
        return list(CaseAttachment.objects.filter(case=case).order_by("id"))


def written(desk) -> tuple[int, int, int]:
    with tenant_scope(desk.tenant):
        audits = AuditEvent.objects.filter(action="case.attachment").count()
        return CaseAttachment.objects.count(), CaseEvent.objects.count(), audits


def test_the_case_page_links_each_file_and_offers_the_attach_form(agent_client, desk, case):
    [photo] = files(desk, case)
    page = agent_client.get(f"/staff/crm/cases/{case.reference}/").content.decode()
    assert f'<a class="govuk-link" href="{file_url(case, photo)}">bin.png</a>' in page
    assert 'id="action-attach"' in page and 'enctype="multipart/form-data"' in page
    assert 'hx-encoding="multipart/form-data"' in page
    assert 'name="attach-file" type="file"' in page
    assert 'value="internal" checked' in page  # staff only unless the agent chooses otherwise


def test_a_photo_is_shown_and_a_pdf_downloaded(agent_client, desk, case):
    [photo] = files(desk, case)
    shown = agent_client.get(file_url(case, photo))
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == PNG
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"] == 'inline; filename="bin.png"'
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Content-Security-Policy"] == "default-src 'none'; sandbox"
    agent_client.post(attach_url(case), {"attach-file": SimpleUploadedFile("letter.pdf", PDF)})
    letter = files(desk, case)[-1]
    downloaded = agent_client.get(file_url(case, letter))
    assert downloaded["Content-Type"] == "application/pdf"
    assert downloaded["Content-Disposition"] == 'attachment; filename="letter.pdf"'


def test_attach_without_javascript_redirects_back_with_the_file_listed(agent_client, desk, case):
    response = agent_client.post(
        attach_url(case), {"attach-file": SimpleUploadedFile("crew.pdf", PDF), "attach-audience": "public"}
    )
    assert response.status_code == 302 and response["Location"] == f"/staff/crm/cases/{case.reference}/"
    added = files(desk, case)[-1]
    assert (added.original_name, added.content_type, added.is_public) == ("crew.pdf", "application/pdf", True)
    with tenant_scope(desk.tenant):
        event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ATTACHMENT)
        assert (event.is_public, event.actor_user) == (True, desk.agnes)
        assert AuditEvent.objects.get(action="case.attachment").actor_user == desk.agnes
    page = agent_client.get(response["Location"]).content.decode()
    assert "File attached" in page and f'href="{file_url(case, added)}">crew.pdf</a>' in page


def test_attach_with_htmx_answers_the_timeline_and_the_refreshed_summary(agent_client, desk, case):
    response = agent_client.post(attach_url(case), {"attach-file": SimpleUploadedFile("note.png", PNG)}, **HTMX)
    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="case-timeline"') and "Added note.png." in text
    added = files(desk, case)[-1]
    assert not added.is_public  # the radios say staff only unless changed
    assert '<div id="case-summary" hx-swap-oob="true">' in text and file_url(case, added) in text
    assert 'id="action-attach"' in text and "File attached" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a file to attach"),
        ({"attach-file": SimpleUploadedFile("empty.png", b"")}, "empty.png is empty"),
        ({"attach-file": SimpleUploadedFile("page.html", b"<html></html>")}, "page.html must be a photo or a PDF"),
        (
            {"attach-file": SimpleUploadedFile("photo.png", PNG), "attach-audience": "everyone"},
            "Choose who can see the file",
        ),
    ],
    ids=["missing", "empty", "wrong-type", "bad-audience"],
)
def test_a_bad_file_is_refused_with_and_without_javascript(agent_client, desk, case, data, message):
    before = written(desk)
    response = agent_client.post(attach_url(case), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text and message in text and "<title>Error: Case" in text
    field = "attach-audience_0" if "attach-audience" in data else "attach-file"
    assert f'href="#id_{field}"' in text
    for uploaded in data.values():
        if hasattr(uploaded, "seek"):
            uploaded.seek(0)
    response = agent_client.post(attach_url(case), data, **HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#action-attach"
    text = response.content.decode()
    assert text.lstrip().startswith('<section id="action-attach"') and "There is a problem" in text and message in text
    assert written(desk) == before


def test_an_oversize_file_is_refused(agent_client, desk, case):
    before = written(desk)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES)
    response = agent_client.post(attach_url(case), {"attach-file": big})
    assert response.status_code == 400 and b"big.pdf is 10.0 MB: it must be 10 MB or smaller" in response.content
    assert written(desk) == before


def test_files_are_for_crm_staff_of_the_tenant_only(client_for, make_staff, desk, case, tenant_b):
    [photo] = files(desk, case)
    assert client_for(desk.tenant).get(file_url(case, photo)).status_code == 302  # to sign in
    admin = make_staff(desk.tenant, roles=("tenant.admin",), username="admin-only")
    assert client_for(desk.tenant, admin).get(file_url(case, photo)).status_code == 403
    assert client_for(desk.tenant, admin).post(attach_url(case), {}).status_code == 403
    outsider = make_staff(tenant_b, roles=("crm.agent",), username="southvale-agent")
    assert client_for(tenant_b, outsider).get(file_url(case, photo)).status_code == 404
    assert client_for(desk.tenant, outsider).get(file_url(case, photo)).status_code == 404


def test_another_cases_file_or_a_missing_one_is_a_404(agent_client, desk, case, media):
    [photo] = files(desk, case)
    other = log(desk, requester=desk.resident)
    assert agent_client.get(file_url(other, photo)).status_code == 404
    assert agent_client.get(f"/staff/crm/cases/{case.reference}/attachments/{photo.pk + 1000}/").status_code == 404
    for stored in (media / "crm").rglob("*.png"):
        stored.unlink()
    assert agent_client.get(file_url(case, photo)).status_code == 404
    assert agent_client.post(file_url(case, photo)).status_code == 405
