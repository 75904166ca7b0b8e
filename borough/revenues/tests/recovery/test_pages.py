"""The staff recovery pages: run, summons list, holds and arrangements, liability orders; bad input answers 400
with the field's message and changes nothing; another role is refused."""

from datetime import date
from decimal import Decimal

import pytest

from borough.core.models import Run
from borough.revenues.models import Arrangement, LedgerEntry, RecoveryAction, RecoveryHold
from borough.revenues.tests.recovery.conftest import bill_account, run_on

pytestmark = pytest.mark.django_db
BASE = "/staff/revenues/recovery/"


@pytest.fixture
def officer(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.officer",)))


def test_home_starts_a_run_and_lists_what_it_issued(council, officer, media, django_capture_on_commit_callbacks):
    account = bill_account(council)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(f"{BASE}run/", {"date": "2026-04-08", "hearing_date": ""})
    assert response.status_code == 302
    run = Run.objects.get(kind="revenues.recovery_daily")
    assert (run.status, run.created_by.username) == (Run.Status.SUCCEEDED, "northfield-revenues_officer")
    page = officer.get(BASE)
    assert page.status_code == 200
    text = page.content.decode()
    assert account.number in text and "Reminder" in text and "Issued on 8 April 2026: 1" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2026-13-01"}, "Enter a real date"),
        ({"date": "2099-01-01"}, "today or in the past"),
        ({"date": "2026-04-29", "hearing_date": "2026-05-01"}, "reg. 35(2A)"),
    ],
)
def test_bad_run_input_is_explained(council, officer, data, message):
    response = officer.post(f"{BASE}run/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Run.objects.exists()


def test_summons_list_downloads_as_csv(council, officer, media):
    account = bill_account(council)
    for day in (date(2026, 4, 8), date(2026, 4, 22)):
        run_on(council, day)
    run = run_on(council, date(2026, 4, 29))
    response = officer.get(f"{BASE}summons-list/", {"run": run.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("account_number,financial_year")
    assert account.number in body
    assert officer.get(f"{BASE}summons-list/", {"run": "nope"}).status_code == 404
    assert officer.get(f"{BASE}summons-list/", {"run": run.pk + 999}).status_code == 404


def test_hold_placed_and_released_from_the_account_page(council, officer):
    account = bill_account(council)
    page = officer.get(f"{BASE}account/", {"number": account.number})
    assert page.status_code == 200 and "Hold recovery" in page.content.decode()
    bad = officer.post(f"{BASE}account/hold/", {"number": account.number, "reason": "", "until": "soon"})
    assert bad.status_code == 400
    assert "Say why recovery is held" in bad.content.decode() and "Enter a real date" in bad.content.decode()
    assert not RecoveryHold.objects.exists()
    done = officer.post(f"{BASE}account/hold/", {"number": account.number, "reason": "Disputes liability"})
    assert done.status_code == 302
    hold = RecoveryHold.objects.get()
    officer.post(f"{BASE}account/hold/release/", {"number": account.number, "hold": hold.pk})
    hold.refresh_from_db()
    assert hold.released_at is not None


def test_arrangement_made_from_the_account_page(council, officer, media):
    account = bill_account(council)
    run_on(council, date(2026, 4, 8))
    bad = officer.post(
        f"{BASE}account/arrangement/",
        {"number": account.number, "financial_year": "2026-27", "first_date": "2026-13-40", "count": "0"},
    )
    assert bad.status_code == 400
    assert "Enter a real date" in bad.content.decode() and "Enter at least 1 payment" in bad.content.decode()
    assert not Arrangement.objects.exists()
    first = date.today().replace(day=1).replace(year=date.today().year + 1).isoformat()
    done = officer.post(
        f"{BASE}account/arrangement/",
        {"number": account.number, "financial_year": "2026-27", "first_date": first, "count": "3"},
    )
    assert done.status_code == 302, done.content.decode()
    arrangement = Arrangement.objects.get()
    assert sum(Decimal(a) for _d, a in arrangement.instalments) == arrangement.total > 0


def test_unknown_account_answers_404(council, officer):
    assert officer.get(f"{BASE}account/", {"number": "NOPE"}).status_code == 404
    assert officer.post(f"{BASE}account/hold/", {"number": "NOPE", "reason": "x"}).status_code == 404
    assert officer.get(f"{BASE}account/").status_code == 200


def test_liability_orders_recorded_for_a_hearing(council, officer, media):
    account = bill_account(council)
    for day in (date(2026, 4, 8), date(2026, 4, 22)):
        run_on(council, day)
    run_on(council, date(2026, 4, 29), hearing_date="2026-05-20")
    summons = RecoveryAction.objects.get(stage="summons")
    page = officer.get(f"{BASE}liability-orders/", {"hearing": "2026-05-20"})
    assert page.status_code == 200 and account.number in page.content.decode()
    bad = officer.post(f"{BASE}liability-orders/", {"hearing_date": "2026-05-20", "costs": "-5"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Choose the summonses" in text and "Costs cannot be negative" in text
    too_soon = officer.post(
        f"{BASE}liability-orders/", {"hearing_date": "2026-05-01", "costs": "10", "summonses": [summons.pk]}
    )
    assert too_soon.status_code == 400 and "reg. 35(2A)" in too_soon.content.decode()
    done = officer.post(
        f"{BASE}liability-orders/", {"hearing_date": "2026-05-20", "costs": "12.50", "summonses": [summons.pk]}
    )
    assert done.status_code == 302
    order = RecoveryAction.objects.get(stage="liability_order")
    assert order.costs == Decimal("12.50")
    assert LedgerEntry.objects.filter(kind="costs", amount=Decimal("12.50")).exists()


def test_notice_page_shows_what_was_sent(council, officer, media):
    bill_account(council)
    run_on(council, date(2026, 4, 8))
    action = RecoveryAction.objects.get()
    page = officer.get(f"{BASE}notice/", {"id": action.pk})
    assert page.status_code == 200
    assert "Council tax: reminder notice" in page.content.decode()
    assert officer.get(f"{BASE}notice/", {"id": "x"}).status_code == 404


def test_other_roles_are_refused(council, make_staff, client_for):
    outsider = client_for(council, make_staff(council, roles=("crm.agent",)))
    assert outsider.get(BASE).status_code == 403


def test_notice_as_pdf(council, officer, media):
    bill_account(council)
    run_on(council, date(2026, 4, 8))
    action = RecoveryAction.objects.get()
    response = officer.get(f"{BASE}notice/", {"id": action.pk, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_another_councils_objects_answer_404(tenant_a, tenant_b, make_staff, client_for, media):
    """The recovery pages name their objects in the query string, which the isolation sweep does not walk:
    another council's notice, account, run or hold answers 404 here, and its summons is no choice."""
    from borough.core.audit import Actor, acting_as
    from borough.tenancy.scope import tenant_scope

    with tenant_scope(tenant_b), acting_as(Actor.system("test")):
        account = bill_account(tenant_b)
        for day in (date(2026, 4, 8), date(2026, 4, 22)):
            run_on(tenant_b, day)
        run = run_on(tenant_b, date(2026, 4, 29))
        summons = RecoveryAction.objects.get(stage="summons")
        hold = RecoveryHold.objects.create(tenant=tenant_b, account=account, reason="B's hold")
    officer_a = client_for(tenant_a, make_staff(tenant_a, roles=("revenues.officer",)))
    assert officer_a.get(f"{BASE}notice/", {"id": summons.pk}).status_code == 404
    assert officer_a.get(f"{BASE}account/", {"number": account.number}).status_code == 404
    assert officer_a.get(f"{BASE}summons-list/", {"run": run.pk}).status_code == 404
    release = officer_a.post(f"{BASE}account/hold/release/", {"number": account.number, "hold": hold.pk})
    assert release.status_code == 404
    response = officer_a.post(
        f"{BASE}liability-orders/", {"hearing_date": "2026-05-20", "costs": "1", "summonses": [summons.pk]}
    )
    assert response.status_code == 400  # not a choice here
    with tenant_scope(tenant_b):
        assert not RecoveryAction.objects.filter(stage="liability_order").exists()
        assert RecoveryHold.objects.get(pk=hold.pk).released_at is None
