"""The staff revenues pages: finding accounts, the account page and its audit trail, who may see them, and the
actions (move out, add and end a reduction, re-bill) through the revenues services."""

from datetime import date
from decimal import Decimal

import pytest

from borough.core.audit import Actor, acting_as
from borough.people.services import person_create
from borough.revenues.billing.services import bill_issue
from borough.revenues.models import Account, Bill, LedgerEntry, LiabilityPeriod, Reduction
from borough.revenues.services import account_move_out, account_party_link_person, precept_set
from borough.revenues.tests.web.conftest import account_in
from borough.tenancy.scope import tenant_scope


def page(response) -> str:
    return response.content.decode()


def url(account, tail: str = "") -> str:
    return f"/staff/revenues/accounts/{account.number}/{tail}"


def test_search_by_number_goes_straight_to_the_account(officer, account):
    response = officer.get("/staff/revenues/", {"q": account.number.lower()})
    assert response.status_code == 302 and response.url == url(account)


@pytest.mark.parametrize("query", ["nf1 2ab", "NF12AB", "nf1", "mill lane", "12 mill", "bob example", "EXAMPLE"])
def test_search_by_postcode_address_or_name(officer, account, tenant_a, query):
    elsewhere = account_in(tenant_a, postcode="NF9 9ZZ", address_line_1="3 High Street", names=("Cy Other",))
    text = page(officer.get("/staff/revenues/", {"q": query}))
    assert account.number in text
    assert elsewhere.number not in text


def test_search_needs_every_word_and_says_when_nothing_matches(officer, account):
    text = page(officer.get("/staff/revenues/", {"q": "mill nowhere"}))
    assert account.number not in text and "No account matches" in text


def test_search_never_finds_another_councils_accounts(officer, account, other_account):
    for query in (other_account.number, "SV1 1AA", "other road"):
        response = officer.get("/staff/revenues/", {"q": query})
        assert response.status_code == 200 and "No account matches" in page(response)
        assert f'href="{url(other_account)}"' not in page(response)


def test_a_too_long_search_is_a_field_error(officer):
    response = officer.get("/staff/revenues/", {"q": "x" * 201})
    assert response.status_code == 400 and "Use 200 characters or fewer" in page(response)


def test_the_account_page_shows_property_parties_liability_and_the_linked_person(officer, account, tenant_a):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        person = person_create(tenant=tenant_a, given_name="Ann", family_name="Example", email="ann@example.com")
        account_party_link_person(party=account.parties.first(), person=person)
    text = page(officer.get(url(account)))
    assert "12 Mill Lane" in text and "D (from 1 Apr 1993)" in text
    assert "Ann Example" in text and "Bob Example" in text
    assert f'href="/staff/people/{person.pk}/"' in text
    assert "1 Apr 2026" in text and "Still liable" in text
    assert "No bills yet" in text and "No recovery action" in text


def test_the_account_page_shows_bills_balance_instalments_and_ledger(officer, account, tenant_a):
    with tenant_scope(tenant_a):
        Bill.objects.create(
            tenant=tenant_a,
            account=account,
            financial_year="2026-27",
            kind="annual",
            number=f"2026-27/{account.number}",
            issued_on=date(2026, 3, 9),
            charge=Decimal("1000.00"),
            balance=Decimal("1000.00"),
            instalments=[["2026-04-01", "500.00"], ["2026-05-01", "500.00"]],
        )
        LedgerEntry.objects.create(
            tenant=tenant_a,
            account=account,
            financial_year="2026-27",
            kind="payment",
            method="bank",
            amount=Decimal("-600.00"),
            posted_on=date(2026, 4, 2),
            source_key="test-1",
        )
    text = page(officer.get(url(account)))
    assert f"2026-27/{account.number}" in text
    assert '<dd class="govuk-summary-list__value" id="balance">£400.00</dd>' in text
    assert "−£600.00" in text  # the ledger's payment
    assert "£100.00" in text  # paid of the second instalment


def test_another_councils_account_and_an_unknown_number_answer_404(officer, other_account):
    assert officer.get(url(other_account)).status_code == 404
    assert officer.get(url(other_account, "history/")).status_code == 404
    assert officer.get("/staff/revenues/accounts/NFD-999999/").status_code == 404


def test_only_revenues_staff_may_see_the_pages(make_staff, client_for, tenant_a, tenant_b, account):
    agent = client_for(tenant_a, make_staff(tenant_a, roles=("crm.agent",)))
    assert agent.get("/staff/revenues/").status_code == 403
    assert agent.get(url(account)).status_code == 403
    assert client_for(tenant_a).get(url(account)).status_code == 302  # to sign in
    outsider = client_for(tenant_b, make_staff(tenant_b, roles=("revenues.officer",), username="b-officer"))
    assert outsider.get(url(account)).status_code == 404


def test_revenues_is_in_the_staff_navigation(officer):
    assert 'href="/staff/revenues/"' in page(officer.get("/staff/"))


def test_the_audit_trail_lists_the_accounts_events(officer, account, tenant_a):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        account_move_out(account=account, end=date(2026, 6, 30))
    text = page(officer.get(url(account, "history/")))
    assert "revenues.account_open" in text and "revenues.account_move_out" in text


def test_move_out_ends_liability_and_closes_the_account(officer, account, tenant_a):
    response = officer.post(url(account, "move-out/"), {"end": "30/06/2026"})
    assert response.status_code == 302 and response.url == url(account)
    with tenant_scope(tenant_a):
        period = LiabilityPeriod.objects.get(account=account)
        assert period.end == date(2026, 6, 30) and period.end_reason == "move_out"
        assert Account.objects.get(pk=account.pk).status == "closed"
    assert "Liability ended on 30 June 2026" in page(officer.get(url(account)))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"end": ""}, "Enter the last day liable"),
        ({"end": "31/02/2026"}, "Enter a real date"),
        ({"end": "2026-03-01"}, "is before the start"),
    ],
)
def test_move_out_with_a_bad_date_says_what_is_wrong_and_changes_nothing(officer, account, tenant_a, data, message):
    response = officer.post(url(account, "move-out/"), data)
    assert response.status_code == 400 and message in page(response)
    with tenant_scope(tenant_a):
        assert LiabilityPeriod.objects.get(account=account).end is None


def test_add_and_end_a_reduction(officer, account, tenant_a):
    response = officer.post(
        url(account, "reductions/new/"),
        {"kind": "discount", "code": "single_person", "start": "2026-05-01", "reason": "Lives alone"},
    )
    assert response.status_code == 302, page(response)
    with tenant_scope(tenant_a):
        reduction = Reduction.objects.get(account=account)
    assert (reduction.code, reduction.start, reduction.end) == ("single_person", date(2026, 5, 1), None)
    assert "Discount: single person" in page(officer.get(url(account)))
    response = officer.post(url(account, f"reductions/{reduction.pk}/end/"), {"end": "2026-08-31"})
    assert response.status_code == 302, page(response)
    with tenant_scope(tenant_a):
        reduction.refresh_from_db()
    assert reduction.end == date(2026, 8, 31)
    assert "revenues.reduction_end" in page(officer.get(url(account, "history/")))


def test_a_bad_reduction_is_refused_field_by_field(officer, account, tenant_a):
    response = officer.post(url(account, "reductions/new/"), {"kind": "discount", "code": "nonsense", "start": ""})
    text = page(response)
    assert response.status_code == 400
    assert "Enter the start date" in text
    response = officer.post(
        url(account, "reductions/new/"), {"kind": "discount", "code": "nonsense", "start": "2026-05-01"}
    )
    assert response.status_code == 400 and "nonsense" in page(response)
    response = officer.post(
        url(account, "reductions/new/"),
        {"kind": "discount", "code": "single_person", "start": "2026-05-01", "case": "NFD-424242"},  # fmt: skip
    )
    assert response.status_code == 400 and "There is no case with this reference" in page(response)
    with tenant_scope(tenant_a):
        assert not Reduction.objects.filter(account=account).exists()


def test_another_councils_reduction_answers_404(officer, account, other_account, tenant_b):
    with tenant_scope(tenant_b):
        theirs = Reduction.objects.create(
            tenant=tenant_b, account=other_account, kind="discount", code="single_person", start=date(2026, 4, 1)
        )
    assert officer.get(url(account, f"reductions/{theirs.pk}/end/")).status_code == 404


def _bill_the_year(tenant, account):
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        precept_set(tenant=tenant, financial_year="2026-27", kind="billing", authority="Northfield", band_d="2000.00")
        return bill_issue(account=account, financial_year="2026-27", issued_on=date(2026, 3, 9))


def test_rebill_and_move_out_amend_the_bill(officer, account, tenant_a):
    first = _bill_the_year(tenant_a, account)
    response = officer.post(url(account, "rebill/"), {"financial_year": "2026-27", "reason": "checked the band"})
    assert response.status_code == 302, page(response)
    response = officer.post(url(account, "move-out/"), {"end": "2026-09-30", "rebill": "on"})
    assert response.status_code == 302, page(response)
    with tenant_scope(tenant_a):
        bills = list(Bill.objects.filter(account=account).order_by("pk"))
    assert [b.kind for b in bills] == ["annual", "amended", "amended"]
    assert bills[0].pk == first.pk and bills[-1].is_current
    assert bills[-1].charge < first.charge  # liable for half the year now
    text = page(officer.get(url(account)))
    assert bills[-1].number in text


def test_rebill_needs_a_reason_and_a_year_with_a_bill(officer, account, tenant_a):
    _bill_the_year(tenant_a, account)
    response = officer.post(url(account, "rebill/"), {"financial_year": "2025-26", "reason": ""})
    text = page(response)
    assert response.status_code == 400
    assert "Say why the bill is amended" in text and "Select a valid choice" in text


def test_a_business_rates_account_shows_its_rateable_value_and_firm(officer, shop_account):
    text = page(officer.get("/staff/revenues/", {"q": "corner shop"}))
    assert shop_account.number in text and "£14,500" in text
    text = page(officer.get(url(shop_account)))
    assert "Business rates account" in text and "£14,500 (from 1 Apr 2023)" in text
    assert "retail, hospitality or leisure" in text and "Corner Shop Ltd" in text


def test_a_bill_opens_as_a_pdf_from_the_account_page(officer, account, tenant_a, other_account, tenant_b):
    bill = _bill_the_year(tenant_a, account)
    pdf_url = url(account, f"bills/{bill.pk}/pdf/")
    assert f'href="{pdf_url}"' in page(officer.get(url(account)))
    response = officer.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with tenant_scope(tenant_b):
        theirs = Bill.objects.create(
            tenant=tenant_b, account=other_account, financial_year="2026-27", kind="annual", number="X/1",
            issued_on=date(2026, 3, 9), charge=Decimal("1"), balance=Decimal("1"), instalments=[],
        )  # fmt: skip
    assert officer.get(url(account, f"bills/{theirs.pk}/pdf/")).status_code == 404
