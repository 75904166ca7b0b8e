"""The resident's council tax pages: proving the account (and the limit on tries), what the account page shows,
and each request (single person discount, moving, e-billing) becoming a CRM case with its answers."""

from datetime import date
from decimal import Decimal

import pytest

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.crm.models import Case, Service
from borough.portal.session import signed_entry
from borough.revenues.billing.services import bill_issue
from borough.revenues.models import Account, Bill, LedgerEntry, Reduction
from borough.revenues.portal import prove
from borough.revenues.portal.forms import NOT_MATCHED
from borough.revenues.services import precept_set
from borough.revenues.tests.web.conftest import account_in
from borough.tenancy.scope import tenant_scope

START = "/council-tax/"
ACCOUNT = "/council-tax/account/"


def page(response) -> str:
    return response.content.decode()


def proven(resident, account, postcode="NF1 2AB"):
    response = resident.post(START, {"number": account.number, "postcode": postcode})
    assert response.status_code == 302 and response.url == ACCOUNT, page(response)
    return resident


def cases(tenant) -> list[Case]:
    with tenant_scope(tenant):
        return list(Case.objects.select_related("service", "requester").order_by("pk"))


# Proving the account


def test_the_right_number_and_postcode_open_the_account(resident, account):
    proven(resident, account, postcode="nf12ab")  # typed any old way
    text = page(resident.get(ACCOUNT))
    assert account.number in text and "12 Mill Lane" in text and "Ann Example" in text
    assert "We have not sent you a bill for 2026-27 yet" in text
    assert resident.get(START).url == ACCOUNT  # already open: straight to it


@pytest.mark.parametrize("wrong", ["postcode", "number", "both"])
def test_a_wrong_detail_gets_the_same_answer_whichever_it_was(resident, account, tenant_a, wrong):
    data = {
        "number": "NOR-999999" if wrong in ("number", "both") else account.number,
        "postcode": "NF9 9ZZ" if wrong in ("postcode", "both") else "NF1 2AB",
    }
    response = resident.post(START, data)
    assert response.status_code == 400
    assert NOT_MATCHED in page(response)
    assert resident.get(ACCOUNT).status_code == 302  # still not open
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action=prove.FAILED).count() == 1


def test_another_councils_account_cannot_be_opened_here(resident, other_account):
    response = resident.post(START, {"number": other_account.number, "postcode": "SV1 1AA"})
    assert response.status_code == 400 and NOT_MATCHED in page(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"number": "", "postcode": ""}, "Enter your council tax account number"),
        ({"number": "NOR-000001", "postcode": ""}, "Enter the postcode of the property"),
        ({"number": "NOR-000001", "postcode": "nope"}, "Enter a full UK postcode"),
        ({"number": "N" * 21, "postcode": "NF1 2AB"}, "Use 20 characters or fewer"),
    ],
)
def test_the_proving_form_explains_bad_input(resident, account, data, message):
    response = resident.post(START, data)
    assert response.status_code == 400 and message in page(response)


def test_tries_on_one_account_are_limited_even_with_the_right_details_after(client_for, tenant_a, account):
    for attempt in range(prove.MAX_FAILURES_PER_NUMBER):
        # Each from a different address: the limit is on the account number.
        client = client_for(tenant_a)
        client.defaults["REMOTE_ADDR"] = f"10.0.0.{attempt}"
        assert client.post(START, {"number": account.number, "postcode": "NF9 9ZZ"}).status_code == 400
    client = client_for(tenant_a)
    response = client.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    assert response.status_code == 429 and "Wait 15 minutes" in page(response)
    assert client.get(ACCOUNT).status_code == 302


def test_tries_from_one_address_are_limited(resident, tenant_a, account):
    for number in range(prove.MAX_FAILURES_PER_CLIENT):
        assert resident.post(START, {"number": f"NOR-{number:06d}9", "postcode": "NF1 2AB"}).status_code == 400
    response = resident.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    assert response.status_code == 429


def test_signing_out_closes_the_account(resident, account):
    proven(resident, account)
    assert resident.post("/council-tax/account/sign-out/").status_code == 302
    assert resident.get(ACCOUNT).url == START


def test_the_pages_need_a_proven_account(resident):
    for path in (ACCOUNT, "/council-tax/moving/date/", "/council-tax/ebilling/check-your-answers/"):
        response = resident.get(path)
        assert response.status_code == 302 and response.url == START
    assert resident.get("/council-tax/account/bills/1/pdf/").status_code == 404


def test_a_session_proven_on_one_council_opens_nothing_on_another(resident, account, client_for, tenant_b):
    proven(resident, account)
    other = client_for(tenant_b)
    other.cookies = resident.cookies
    assert other.get(ACCOUNT).status_code == 302


def test_council_tax_pages_need_the_revenues_module(make_tenant, client_for):
    tenant = make_tenant("eastby", enabled_modules=["crm"])
    assert client_for(tenant).get(START).status_code == 404


# The account page


def test_the_account_page_shows_balance_instalments_and_bills(resident, account, tenant_a):
    with tenant_scope(tenant_a):
        bill = Bill.objects.create(
            tenant=tenant_a,
            account=account,
            financial_year="2026-27",
            kind="annual",
            number=f"2026-27/{account.number}",
            issued_on=date(2026, 3, 9),
            charge=Decimal("1200.00"),
            balance=Decimal("1200.00"),
            instalments=[["2026-04-01", "400.00"], ["2026-05-01", "400.00"], ["2099-06-01", "400.00"]],
        )
        LedgerEntry.objects.create(
            tenant=tenant_a,
            account=account,
            financial_year="2026-27",
            kind="payment",
            method="card",
            amount=Decimal("-500.00"),
            posted_on=date(2026, 4, 1),
            source_key="portal-test",
        )
    proven(resident, account)
    text = page(resident.get(ACCOUNT))
    assert '<dd class="govuk-summary-list__value" id="balance">£700.00</dd>' in text
    assert "Paid" in text and "Part paid, £300.00 overdue" in text and "Due" in text
    assert bill.number in text


def test_a_bill_downloads_as_a_pdf(resident, account, tenant_a, other_account, tenant_b):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        precept_set(tenant=tenant_a, financial_year="2026-27", kind="billing", authority="Northfield", band_d="2000")
        bill = bill_issue(account=account, financial_year="2026-27", issued_on=date(2026, 3, 9))
    with tenant_scope(tenant_b):
        theirs = Bill.objects.create(
            tenant=tenant_b, account=other_account, financial_year="2026-27", kind="annual", number="X/1",
            issued_on=date(2026, 3, 9), charge=Decimal("1"), balance=Decimal("1"), instalments=[],
        )  # fmt: skip
    proven(resident, account)
    assert f"/council-tax/account/bills/{bill.pk}/pdf/" in page(resident.get(ACCOUNT))
    response = resident.get(f"/council-tax/account/bills/{bill.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert resident.get(f"/council-tax/account/bills/{theirs.pk}/pdf/").status_code == 404


# The requests


SPD = "/council-tax/single-person-discount/"


def test_single_person_discount_becomes_a_case_with_the_answers(resident, account, tenant_a):
    proven(resident, account)
    assert resident.get(SPD + "only-adult/").status_code == 200
    assert resident.post(SPD + "only-adult/", {"only_adult": "yes"}).url == SPD + "date/"
    assert resident.post(SPD + "date/", {"day": "14", "month": "6", "year": "2026"}).url == SPD + "contact/"
    response = resident.post(SPD + "contact/", {"name": "Ann Example", "email": "Ann@Example.com", "phone": ""})
    assert response.url == SPD + "check-your-answers/"
    text = page(resident.get(SPD + "check-your-answers/"))
    assert "14 June 2026" in text and "ann@example.com" in text and account.number in text
    response = resident.post(SPD + "check-your-answers/")
    assert response.status_code == 302 and response.url == SPD + "sent/"
    [case] = cases(tenant_a)
    assert case.service.code == "council-tax-single-person-discount"
    assert case.answers == {
        "account_number": account.number,
        "only_adult": "yes",
        "alone_since": "2026-06-14",
        "name": "Ann Example",
    }
    assert case.requester.display_name == "Ann Example"
    assert case.postcode == "NF1 2AB" and "12 Mill Lane" in case.address
    assert case.reference in page(resident.get(SPD + "sent/"))
    # Sent once: the answers are gone, so a second send starts again.
    assert resident.post(SPD + "check-your-answers/").url == SPD + "only-adult/"
    assert len(cases(tenant_a)) == 1


def test_someone_who_does_not_live_alone_is_told_so_and_no_case_is_made(resident, account, tenant_a):
    proven(resident, account)
    response = resident.post(SPD + "only-adult/", {"only_adult": "no"})
    assert response.status_code == 200 and "You cannot get a single person discount" in page(response)
    resident.post(SPD + "date/", {"day": "1", "month": "5", "year": "2026"})
    resident.post(SPD + "contact/", {"name": "Ann Example", "email": "ann@example.com"})
    response = resident.post(SPD + "check-your-answers/")
    assert response.status_code == 400 and "only for an adult who lives alone" in page(response)
    assert cases(tenant_a) == []


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("only-adult/", {}, "Select yes if you are the only adult"),
        ("only-adult/", {"only_adult": "maybe"}, "Select a valid choice"),
        ("date/", {"day": "", "month": "", "year": ""}, "must include a day and a month and a year"),
        ("date/", {"day": "31", "month": "2", "year": "2026"}, "must be a real date"),
        ("date/", {"day": "1", "month": "1", "year": "26"}, "Year must include 4 numbers"),
        ("date/", {"day": "1", "month": "1", "year": "1990"}, "must be after"),
        ("contact/", {"name": "", "email": ""}, "Enter your full name"),
        ("contact/", {"name": "Ann", "email": "", "phone": ""}, "Enter an email address or a phone number"),
        ("contact/", {"name": "Ann", "email": "ann@", "phone": ""}, "Enter an email address in the correct format"),
        ("contact/", {"name": "Ann", "email": "", "phone": "12"}, "Enter a phone number"),
    ],
)
def test_single_person_discount_pages_explain_bad_input(resident, account, step, data, message):
    proven(resident, account)
    response = resident.post(SPD + step, data)
    assert response.status_code == 400
    text = page(response)
    assert message in text and "There is a problem" in text and "Error:" in text


def test_check_your_answers_sends_back_to_the_first_unanswered_page(resident, account):
    proven(resident, account)
    resident.post(SPD + "only-adult/", {"only_adult": "yes"})
    assert resident.get(SPD + "check-your-answers/").url == SPD + "date/"


MOVE = "/council-tax/moving/"


def test_moving_becomes_a_case_with_the_date_and_new_address(resident, account, tenant_a):
    proven(resident, account)
    assert resident.post(MOVE + "date/", {"day": "30", "month": "9", "year": "2026"}).url == MOVE + "new-address/"
    response = resident.post(MOVE + "new-address/", {"new_address": "4 New Road\nSouthtown", "new_postcode": "st12ab"})
    assert response.url == MOVE + "contact/"
    resident.post(MOVE + "contact/", {"name": "Ann Example", "email": "", "phone": "07700 900123"})
    assert resident.post(MOVE + "check-your-answers/").url == MOVE + "sent/"
    [case] = cases(tenant_a)
    assert case.service.code == "council-tax-move"
    assert case.answers == {
        "account_number": account.number,
        "moving_on": "2026-09-30",
        "new_address": "4 New Road\nSouthtown",
        "new_postcode": "ST1 2AB",
    }
    assert "Moving out on: 30 September 2026" in case.description
    assert case.reference in page(resident.get(MOVE + "sent/"))
    with tenant_scope(tenant_a):
        assert Account.objects.get(pk=account.pk).status == "open"  # staff end the liability, not the resident


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("date/", {"day": "1", "month": "13", "year": "2026"}, "must be a real date"),
        ("date/", {"day": "1", "month": "1", "year": "2099"}, "must be before"),
        ("new-address/", {"new_address": ""}, "Enter your new address"),
        ("new-address/", {"new_address": "4 New Road", "new_postcode": "nowhere"}, "Enter a full UK postcode"),
        ("new-address/", {"new_address": "x" * 301}, "Use 300 characters or fewer"),
    ],
)
def test_moving_pages_explain_bad_input(resident, account, step, data, message):
    proven(resident, account)
    response = resident.post(MOVE + step, data)
    assert response.status_code == 400 and message in page(response)


EBILL = "/council-tax/ebilling/"


def test_ebilling_sets_the_accounts_email_audited_and_records_a_case(resident, account, tenant_a):
    proven(resident, account)
    response = resident.post(EBILL + "email/", {"name": "Ann Example", "email": "Ann@Example.COM", "agree": "on"})
    assert response.url == EBILL + "check-your-answers/"
    assert resident.post(EBILL + "check-your-answers/").url == EBILL + "sent/"
    with tenant_scope(tenant_a):
        assert Account.objects.get(pk=account.pk).ebilling_email == "ann@example.com"
        event = AuditEvent.objects.get(action="revenues.ebilling_set")
        assert event.object_id == str(account.pk)
        assert event.changes == {"ebilling_email": ["", "ann@example.com"]}
    [case] = cases(tenant_a)
    assert case.service.code == "council-tax-ebilling"
    assert case.answers == {"account_number": account.number, "email": "ann@example.com"}
    assert case.requester.display_name == "Ann Example"
    text = page(resident.get(EBILL + "sent/"))
    assert "You will get your bills by email" in text and case.reference in text
    assert "By email to ann@example.com" in page(resident.get(ACCOUNT))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Ann", "email": "ann@example.com"}, "Confirm that you want your bills by email"),
        ({"name": "Ann", "email": "", "agree": "on"}, "Enter the email address to send your bills to"),
        ({"name": "Ann", "email": "not-an-email", "agree": "on"}, "Enter an email address in the correct format"),
        ({"name": "", "email": "ann@example.com", "agree": "on"}, "Enter your full name"),
    ],
)
def test_ebilling_explains_bad_input_and_changes_nothing(resident, account, tenant_a, data, message):
    proven(resident, account)
    response = resident.post(EBILL + "email/", data)
    assert response.status_code == 400 and message in page(response)
    with tenant_scope(tenant_a):
        assert Account.objects.get(pk=account.pk).ebilling_email == ""


def test_a_tampered_session_makes_no_case(resident, account, tenant_a):
    proven(resident, account)
    key, value = signed_entry(tenant_a, "ctax.ebilling", {"name": "Ann", "email": "bad@", "agree": True})
    session = resident.session
    session[key] = value
    session.save()
    assert resident.post(EBILL + "check-your-answers/").url == EBILL + "email/"
    assert cases(tenant_a) == []


def test_requests_need_the_crm(make_tenant, client_for):
    tenant = make_tenant("westby", enabled_modules=["revenues"])
    account = account_in(tenant, postcode="WB1 1AA")
    resident = client_for(tenant)
    proven(resident, account, postcode="WB1 1AA")
    assert "Tell us about a change" not in page(resident.get(ACCOUNT))
    assert resident.get(SPD + "only-adult/").status_code == 404


def test_the_request_services_are_added_to_the_catalogue_once(resident, account, tenant_a):
    proven(resident, account)
    for _ in range(2):
        resident.post(EBILL + "email/", {"name": "Ann Example", "email": "ann@example.com", "agree": "on"})
        resident.post(EBILL + "check-your-answers/")
    with tenant_scope(tenant_a):
        service = Service.objects.get(code="council-tax-ebilling")
        assert service.questions.count() == 2
    assert len(cases(tenant_a)) == 2


def test_a_business_rates_account_offers_no_single_person_discount(resident, shop_account):
    proven(resident, shop_account, postcode="NF1 3CD")
    text = page(resident.get(ACCOUNT))
    assert "3 Market Place" in text and "Get your bills by email" in text
    assert "Apply for a single person discount" not in text
    assert resident.get(SPD + "only-adult/").status_code == 404
    assert resident.get("/council-tax/moving/date/").status_code == 200


def test_an_account_with_the_discount_is_not_offered_it_again(resident, account, tenant_a):
    with tenant_scope(tenant_a):
        Reduction.objects.create(
            tenant=tenant_a, account=account, kind="discount", code="single_person", start=date(2026, 4, 1)
        )
    proven(resident, account)
    assert "Apply for a single person discount" not in page(resident.get(ACCOUNT))
    assert resident.get(SPD + "only-adult/").status_code == 404


def test_the_portal_home_of_a_council_in_england_or_wales_links_to_council_tax(resident, make_tenant, client_for):
    assert "/council-tax/" in page(resident.get("/"))
    scottish = make_tenant("highland", nation="scotland")
    business = make_tenant("bakery", kind="business")
    assert "/council-tax/" not in page(client_for(scottish).get("/"))
    assert "/council-tax/" not in page(client_for(business).get("/"))
