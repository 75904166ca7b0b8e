"""Following a case: a 6-digit code to the email or phone given, 5 tries, 10 minutes, stored hashed, at most 5 a
reference an hour, and the same answer whether or not the reference exists or the contact matches."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.core.models import AuditEvent, OutboxMessage
from borough.portal.models import PortalVerification
from borough.portal.services import MAX_REQUESTS, verification_request
from borough.portal.tests.helpers import emailed_code, emails, make_case, report_missed_bin
from borough.tenancy.scope import tenant_scope


def ask_for_code(client, reference, contact):
    return client.post("/track/", {"reference": reference, "contact": contact})


def enter(client, code):
    return client.post("/track/code/", {"code": code})


def without_nonce(response) -> str:
    """The page less what differs on every response (the CSP nonce, the CSRF token)."""
    return re.sub(r'(nonce|name="csrfmiddlewaretoken" value)="[^"]+"', "", response.content.decode())


def verifications(tenant) -> list[PortalVerification]:
    with tenant_scope(tenant):
        return list(PortalVerification.objects.order_by("id"))


def test_the_right_code_opens_the_case_page(resident, catalogue, tenant_a):
    case = make_case(tenant_a)
    response = ask_for_code(resident, case.reference.lower(), " ANN@example.org ")
    assert response.status_code == 302 and response["Location"] == "/track/code/"
    page = resident.get("/track/code/").content.decode()
    assert "If the reference and email address match a report, we have sent a security code" in page
    code = emailed_code(tenant_a)
    assert emails(tenant_a)[-1]["to"] == ["ann@example.org"]
    response = enter(resident, code)
    assert response.status_code == 302 and response["Location"] == f"/track/{case.reference}/"
    page = resident.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Your report {case.reference}" in html
    assert "Received" in html and "We aim to deal with it by" in html
    assert "Report received" in html  # the public "created" event


def test_the_code_email_is_delivered_after_the_commit(
    resident, catalogue, tenant_a, django_capture_on_commit_callbacks
):
    case = make_case(tenant_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_code(resident, case.reference, "ann@example.org")
    [email] = mail.outbox
    assert email.to == ["ann@example.org"]
    assert case.reference in email.subject
    assert emailed_code(tenant_a) in email.body


def test_the_code_is_stored_only_as_a_hash(resident, catalogue, tenant_a):
    case = make_case(tenant_a)
    ask_for_code(resident, case.reference, "ann@example.org")
    code = emailed_code(tenant_a)
    [verification] = verifications(tenant_a)
    stored = [str(getattr(verification, field.attname)) for field in PortalVerification._meta.fields]
    assert not any(code in value for value in stored)
    assert len(verification.code_hash) == 64


def test_unknown_reference_wrong_contact_and_right_contact_get_the_same_answer(client_for, catalogue, tenant_a):
    case = make_case(tenant_a)
    seen = []
    for reference, contact in [
        ("NOR-999999", "ann@example.org"),  # no such case
        (case.reference, "someone.else@example.org"),  # not the case's contact
        (case.reference, "ann@example.org"),  # right
    ]:
        client = client_for(tenant_a)
        asked = ask_for_code(client, reference, contact)
        page = client.get("/track/code/")
        code = emailed_code(tenant_a) if len(emails(tenant_a)) > 1 else "123456"
        wrong = enter(client, "111111" if code != "111111" else "222222")
        seen.append(
            (
                asked.status_code,
                asked["Location"],
                without_nonce(page).replace(contact, "CONTACT"),
                wrong.status_code,
                wrong.context["form"].errors["code"],
            )
        )
    assert seen[0] == seen[1] == seen[2]
    assert len(emails(tenant_a)) == 2  # the acknowledgement and one code: only the match was sent one


def test_a_wrong_code_counts_down_and_five_wrong_codes_lock_it(resident, catalogue, tenant_a):
    case = make_case(tenant_a)
    ask_for_code(resident, case.reference, "ann@example.org")
    code = emailed_code(tenant_a)
    wrong = "111111" if code != "111111" else "222222"
    first = enter(resident, wrong)
    assert first.status_code == 400
    assert "The security code is not right. Check it and try again. You have 4 tries left" in first.content.decode()
    assert "<title>Error: " in first.content.decode()
    for _ in range(4):
        last = enter(resident, wrong)
    assert "You have entered a wrong code too many times" in last.content.decode()
    locked = enter(resident, code)  # even the right code, now
    assert locked.status_code == 400 and "too many times" in locked.content.decode()
    assert resident.get(f"/track/{case.reference}/").status_code == 404


def test_an_expired_code_is_refused(resident, catalogue, tenant_a):
    case = make_case(tenant_a)
    ask_for_code(resident, case.reference, "ann@example.org")
    with tenant_scope(tenant_a):
        PortalVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = enter(resident, emailed_code(tenant_a))
    assert response.status_code == 400
    assert "The security code has expired" in response.content.decode()


def test_a_code_works_once(client_for, catalogue, tenant_a):
    case = make_case(tenant_a)
    client = client_for(tenant_a)
    ask_for_code(client, case.reference, "ann@example.org")
    code = emailed_code(tenant_a)
    assert enter(client, code).status_code == 302
    assert client.post("/track/code/", {"code": code})["Location"] == "/track/"  # the pending code is gone


def test_code_requests_are_limited_per_reference_whether_it_exists_or_not(client_for, catalogue, tenant_a):
    case = make_case(tenant_a)
    for reference in (case.reference, "NOR-424242"):
        for _ in range(MAX_REQUESTS):
            assert ask_for_code(client_for(tenant_a), reference, "ann@example.org").status_code == 302
        limited = ask_for_code(client_for(tenant_a), reference, "ann@example.org")
        assert limited.status_code == 429
        assert "You have asked for too many codes for this reference" in limited.content.decode()
    with tenant_scope(tenant_a):
        PortalVerification.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    assert ask_for_code(client_for(tenant_a), case.reference, "ann@example.org").status_code == 302


def test_a_phone_number_gets_its_code_by_text_message(resident, catalogue, tenant_a):
    case = make_case(tenant_a, email="", phone="07700 900123")
    ask_for_code(resident, case.reference, "+44 7700 900 123")
    page = resident.get("/track/code/").content.decode()
    assert "Check your phone" in page and "by text message" in page
    with tenant_scope(tenant_a):
        [sms] = OutboxMessage.objects.filter(kind="sms.notify", idempotency_key__startswith="portal-code")
    assert sms.payload["to"] == "+447700900123"
    code = re.search(r" is (\d{6})\.", sms.payload["body"])[1]
    assert enter(resident, code)["Location"] == f"/track/{case.reference}/"


def test_bad_reference_and_contact_are_explained(resident, catalogue):
    response = resident.post("/track/", {"reference": "", "contact": "not a thing"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the reference of your report" in html
    assert "Enter an email address like name@example.com, or a phone number" in html
    assert 'href="#id_reference"' in html
    bad_code = resident.post("/track/code/", {"code": "12"})
    assert bad_code.status_code == 302  # no code was asked for in this session


def test_a_code_in_the_wrong_format_is_explained(resident, catalogue, tenant_a):
    case = make_case(tenant_a)
    ask_for_code(resident, case.reference, "ann@example.org")
    response = enter(resident, "12ab")
    assert response.status_code == 400
    assert "6 numbers, like 123456" in response.content.decode()
    with tenant_scope(tenant_a):
        assert PortalVerification.objects.get().attempts == 0  # not a try


def test_a_case_page_needs_a_verified_code_for_that_case(client_for, catalogue, tenant_a):
    mine, other = make_case(tenant_a), make_case(tenant_a, email="bob@example.org")
    client = client_for(tenant_a)
    page = client.get(f"/track/{mine.reference}/")
    assert page.status_code == 404 and "Report not found" in page.content.decode()
    unknown = client.get("/track/NOR-999999/")
    assert unknown.status_code == 404
    assert without_nonce(unknown) == without_nonce(page)
    ask_for_code(client, mine.reference, "ann@example.org")
    enter(client, emailed_code(tenant_a))
    assert client.get(f"/track/{mine.reference}/").status_code == 200
    assert client.get(f"/track/{other.reference}/").status_code == 404
    for action in ("add-information", "reopen", "feedback"):
        assert client.get(f"/track/{other.reference}/{action}/").status_code == 404


def test_the_reporter_can_follow_the_report_straight_away(resident, catalogue, tenant_a):
    report_missed_bin(resident)
    reference = resident.get("/report-sent/").context["case"].reference
    assert resident.get(f"/track/{reference}/").status_code == 200


def test_another_tenants_case_cannot_be_followed_here(client_for, catalogue, tenant_a, tenant_b):
    case = make_case(tenant_a)
    client = client_for(tenant_b)
    assert ask_for_code(client, case.reference, "ann@example.org").status_code == 302
    assert len(emails(tenant_a)) == 1  # the acknowledgement only
    assert client.get(f"/track/{case.reference}/").status_code == 404


def test_requests_and_verifications_are_audited_and_bad_kinds_refused(resident, catalogue, tenant_a):
    case = make_case(tenant_a)
    ask_for_code(resident, case.reference, "ann@example.org")
    enter(resident, emailed_code(tenant_a))
    with tenant_scope(tenant_a):
        actions = list(
            AuditEvent.objects.filter(action__startswith="portal.").order_by("id").values_list("action", "detail")
        )
        assert [action for action, _ in actions] == ["portal.code_request", "portal.code_verified"]
        assert actions[0][1]["matched"] is True
        labels = AuditEvent.objects.filter(action__startswith="portal.").values_list("actor_label", flat=True)
        assert set(labels) == {"citizen portal"}
        with pytest.raises(ValidationError, match="Enter an email address or a phone number"):
            verification_request(tenant=tenant_a, reference=case.reference, contact_kind="fax", contact="x")
