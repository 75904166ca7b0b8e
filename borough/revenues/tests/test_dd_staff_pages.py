"""The account page's direct debit and refund actions: set up a direct debit (bank details typed with spaces or
hyphens, the instalment scheme switched), cancel it, refund a credit; bad input answers 400 with field errors,
another role 403, another council's account 404."""

from datetime import date
from decimal import Decimal

import pytest

from borough.core.models import AuditEvent
from borough.revenues.models import Account, DirectDebitMandate, LedgerEntry
from borough.revenues.payments.balances import payment_record, year_balance
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.payments.helpers import make_bill
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(council):
    return make_account(council)


@pytest.fixture
def officer(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.officer",)))


def url(account, action: str) -> str:
    return f"/staff/revenues/accounts/{account.number}/{action}"


GOOD = {
    "payer_name": "a  example",
    "sort_code": "30-94-30",
    "account_number": "1234 5678",
    "collection_day": "15",
    "instalment_scheme": "12",
}


def test_set_up_a_direct_debit(council, officer, account):
    page = officer.get(url(account, "direct-debit/new/"))
    assert page.status_code == 200 and "Set up a direct debit" in page.content.decode()
    response = officer.post(url(account, "direct-debit/new/"), GOOD)
    assert response.status_code == 302 and response["Location"] == url(account, "")
    mandate = DirectDebitMandate.objects.get()
    assert (mandate.payer_name, mandate.sort_code, mandate.account_number) == ("A EXAMPLE", "309430", "12345678")
    assert (mandate.collection_day, mandate.reference, mandate.status) == (15, account.number, "new")
    account.refresh_from_db()
    assert account.instalment_scheme == 12
    scheme = AuditEvent.objects.get(action="revenues.instalment_scheme_set")
    assert scheme.changes == {"instalment_scheme": [10, 12]}
    assert AuditEvent.objects.filter(action="revenues.mandate_create", object_id=str(account.pk)).exists()
    shown = officer.get(response["Location"]).content.decode()
    assert "Direct debit" in shown and "account ending 5678" in shown and "Cancel the direct debit" in shown


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sort_code", "30-94-3", "Enter a sort code of 6 digits, like 30-94-30"),
        ("sort_code", "", "Enter the sort code"),
        ("account_number", "1234567A", "Enter an account number of 8 digits"),
        ("payer_name", "A VERY LONG NAME INDEED", "Use at most 18 characters"),
        ("payer_name", "A EXAMPLE!", "Use only letters, digits, spaces and . &amp; / -"),
        ("collection_day", "31", "Choose a day of the month from 1 to 28"),
        ("instalment_scheme", "11", "Choose 10 or 12 instalments"),
    ],
)
def test_bad_direct_debit_details_are_field_errors(council, officer, account, field, value, message):
    response = officer.post(url(account, "direct-debit/new/"), {**GOOD, field: value})
    text = response.content.decode()
    assert response.status_code == 400 and message in text and "There is a problem" in text
    assert f'id="id_{field}-error"' in text or field == "payer_name" and "id_payer_name-error" in text
    assert not DirectDebitMandate.objects.exists()
    account.refresh_from_db()
    assert account.instalment_scheme == 10


def test_a_second_direct_debit_is_refused_and_the_scheme_is_left(council, officer, account):
    officer.post(url(account, "direct-debit/new/"), {**GOOD, "instalment_scheme": "10"})
    response = officer.post(url(account, "direct-debit/new/"), GOOD)
    assert response.status_code == 400 and "has a direct debit already" in response.content.decode()
    account.refresh_from_db()
    assert account.instalment_scheme == 10 and DirectDebitMandate.objects.count() == 1


def test_cancel_the_direct_debit(council, officer, account):
    officer.post(url(account, "direct-debit/new/"), GOOD)
    empty = officer.post(url(account, "direct-debit/cancel/"), {"reason": "  "})
    assert empty.status_code == 400 and "Say why the direct debit is cancelled" in empty.content.decode()
    done = officer.post(url(account, "direct-debit/cancel/"), {"reason": "Payer phoned"})
    assert done.status_code == 302
    mandate = DirectDebitMandate.objects.get()
    assert (mandate.status, mandate.cancel_reason, mandate.cancelled_on) == ("cancelled", "Payer phoned", date.today())
    again = officer.post(url(account, "direct-debit/cancel/"), {"reason": "Again"})
    assert again.status_code == 400 and "no live direct debit" in again.content.decode()


@pytest.fixture
def in_credit(council, account):
    """2026-27 billed £100 and paid £150: £50 in credit."""
    make_bill(account, charge="100.00")
    payment_record(
        account=account, financial_year="2026-27", amount=Decimal("150.00"), method="bank",
        posted_on=date(2026, 4, 2), source_key="test:overpaid",
    )  # fmt: skip
    return account


def refund_data(page, **values):
    key = page.context["form"].initial["key"]
    data = {"financial_year": "2026-27", "amount": "50.00", "method": "bacs", "payee_name": "Ann Example"}
    data |= {"sort_code": "30 94 30", "account_number": "12-34-56-78", "reason": "Overpaid", "key": key}
    return data | values


def test_refund_a_credit_by_bacs_once(council, officer, in_credit):
    page = officer.get(url(in_credit, "refund/"))
    assert page.status_code == 200 and "2026-27: £50.00 in credit" in page.content.decode()
    data = refund_data(page)
    assert officer.post(url(in_credit, "refund/"), data).status_code == 302
    assert officer.post(url(in_credit, "refund/"), data).status_code == 302  # the same form twice: one refund
    refund = LedgerEntry.objects.get(kind="refund")
    assert (refund.amount, refund.method, refund.note) == (Decimal("50.00"), "bank", "Overpaid")
    assert refund.reference == "BACS 309430 12345678 Ann Example"
    assert year_balance(account=in_credit, financial_year="2026-27") == 0
    payee = AuditEvent.objects.get(action="revenues.refund_payee")
    assert "BACS 309430 ****5678 Ann Example" in str(payee.changes) and "12345678" not in str(payee.changes)
    nothing = officer.get(url(in_credit, "refund/"))
    assert "nothing to refund" in nothing.content.decode()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"amount": "50.01"}, "amount", "The credit for 2026-27 is £50.00: refund at most that"),
        ({"amount": "0"}, "amount", "Enter an amount more than £0"),
        ({"amount": "ten"}, "amount", "Enter an amount in pounds, like 120.50"),
        ({"sort_code": "3094"}, "sort_code", "Enter a sort code of 6 digits"),
        ({"account_number": ""}, "account_number", "Enter an account number of 8 digits"),
        ({"payee_name": ""}, "payee_name", "Enter the name the refund is paid to"),
        ({"method": "cash"}, "method", "Choose how the refund is paid"),
        ({"reason": ""}, "reason", "Say why the refund is made"),
        ({"financial_year": "2025-26"}, "financial_year", "Select a valid choice"),
        ({"key": "forged"}, "key", "The form has expired"),
    ],
)
def test_bad_refunds_are_field_errors(council, officer, in_credit, values, field, message):
    data = refund_data(officer.get(url(in_credit, "refund/")), **values)
    response = officer.post(url(in_credit, "refund/"), data)
    text = response.content.decode()
    assert response.status_code == 400 and message in text and "There is a problem" in text
    assert not LedgerEntry.objects.filter(kind="refund").exists()


@pytest.mark.parametrize(("method", "ledger", "reference"), [("cheque", "cheque", "Cheque to Ann Example"),
                                                              ("card", "card", "Card refund")])  # fmt: skip
def test_refund_by_cheque_or_card(council, officer, in_credit, method, ledger, reference):
    data = refund_data(officer.get(url(in_credit, "refund/")), method=method, sort_code="", account_number="",
                       amount="20.00")  # fmt: skip
    assert officer.post(url(in_credit, "refund/"), data).status_code == 302
    refund = LedgerEntry.objects.get(kind="refund")
    assert (refund.method, refund.reference, refund.amount) == (ledger, reference, Decimal("20.00"))


def test_no_credit_no_refund(council, officer, account):
    make_bill(account, charge="100.00")
    assert "nothing to refund" in officer.get(url(account, "refund/")).content.decode()
    assert officer.post(url(account, "refund/"), {"amount": "1"}).status_code == 400


def test_roles_and_tenants(council, make_staff, client_for, account, tenant_b):
    clerk = client_for(council, make_staff(council, roles=("crm.agent",)))
    for action in ("direct-debit/new/", "direct-debit/cancel/", "refund/"):
        assert clerk.get(url(account, action)).status_code == 403
    with tenant_scope(tenant_b):
        other = make_account(tenant_b)
    officer_b = client_for(tenant_b, make_staff(tenant_b, roles=("revenues.officer",)))
    assert officer_b.get(url(account, "direct-debit/new/")).status_code == 404
    assert officer_b.post(url(account, "refund/"), {}).status_code == 404
    assert Account.objects.filter(pk=account.pk).exists() and other.pk != account.pk


@pytest.mark.parametrize("tail", ["direct-debit/new/", "direct-debit/cancel/", "refund/"])
def test_the_pages_are_structured(council, officer, in_credit, tail):
    from borough.revenues.tests.web.test_page_structure import problems

    if tail == "direct-debit/cancel/":
        officer.post(url(in_credit, "direct-debit/new/"), GOOD)
    path = url(in_credit, tail)
    assert problems(officer.get(path)) == []
    response = officer.post(path, {})
    assert response.status_code == 400 and problems(response) == []
    assert problems(officer.get(url(in_credit, ""))) == []
