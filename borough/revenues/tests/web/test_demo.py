"""The demo councils get revenues data: dwellings, accounts with parties, precepts, discounts, bills, payments."""

from datetime import date
from io import StringIO

from django.core.management import call_command

from borough.core.audit import Actor, acting_as
from borough.crm.models import Service
from borough.revenues.demo import revenues_demo_seed
from borough.revenues.models import (
    Account,
    AccountParty,
    Bill,
    Dwelling,
    LedgerEntry,
    Parish,
    Precept,
    Reduction,
)
from borough.revenues.payments.balances import arrears_for_accounts
from borough.revenues.portal.catalogue import REVENUES_SERVICES
from borough.revenues.tests.factories import make_account
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope


def test_demo_seed_gives_both_english_councils_revenues_accounts(db, monkeypatch):
    monkeypatch.setenv("BOROUGH_DEMO", "1")
    monkeypatch.setenv("BOROUGH_DEMO_DWELLINGS", "150")
    call_command("demo_seed", stdout=StringIO())
    for slug in ("northfield", "southvale"):
        with tenant_scope(Tenant.objects.get(slug=slug)):
            assert Dwelling.objects.count() == 150
            assert 130 <= Account.objects.count() < 150  # a few stand empty
    with tenant_scope(Tenant.objects.get(slug="brightside")):
        assert not Account.objects.exists()  # a business is not a billing authority


def test_a_demo_council_has_accounts_precepts_discounts_bills_and_arrears(tenant_a):
    with tenant_scope(tenant_a), acting_as(Actor.system("demo seed")):
        assert revenues_demo_seed(tenant_a, today=date(2026, 11, 26), dwellings=300) is True
        assert revenues_demo_seed(tenant_a, dwellings=300) is False  # once only
        accounts = Account.objects.count()
        assert 270 <= accounts < 300
        assert Parish.objects.filter(dwellings__isnull=False).distinct().count() == 2
        assert len(set(Dwelling.objects.values_list("band", flat=True))) >= 6
        assert set(Precept.objects.values_list("financial_year", flat=True)) == {"2025-26", "2026-27"}
        assert Reduction.objects.filter(code="single_person").count() > accounts // 5
        assert AccountParty.objects.filter(account__isnull=False).count() > accounts
        assert {s.code for s in Service.objects.all()} >= {spec.code for spec in REVENUES_SERVICES}
        assert Bill.objects.filter(financial_year="2026-27").count() == accounts
        assert LedgerEntry.objects.filter(kind="payment").count() > accounts // 2
        first_100 = list(Account.objects.order_by("pk").values_list("pk", flat=True)[:100])
        in_arrears = arrears_for_accounts(financial_year="2026-27", account_ids=first_100, as_of=date(2026, 11, 26))
        assert 0 < len(in_arrears) < 40
        # The account number sequence continues after the demo's numbers.
        assert make_account(tenant_a).number.endswith(f"{accounts + 1:06d}")


def test_the_demos_accounts_open_on_the_staff_and_resident_pages(tenant_a, make_staff, client_for):
    with tenant_scope(tenant_a), acting_as(Actor.system("demo seed")):
        revenues_demo_seed(tenant_a, today=date(2026, 11, 26), dwellings=60)
        account = Account.objects.select_related("dwelling").filter(bills__isnull=False).first()
    officer = client_for(tenant_a, make_staff(tenant_a, roles=("revenues.manager",)))
    assert officer.get(f"/staff/revenues/accounts/{account.number}/").status_code == 200
    assert officer.get("/staff/revenues/", {"q": account.dwelling.postcode}).status_code == 200
    resident = client_for(tenant_a)
    response = resident.post("/council-tax/", {"number": account.number, "postcode": account.dwelling.postcode})
    assert response.status_code == 302
    text = resident.get("/council-tax/account/").content.decode()
    assert account.dwelling.address_line_1 in text
    assert "Your instalments" in text
