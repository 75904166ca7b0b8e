"""The staff page (start a dry run or, as a manager, the real run; follow its progress; see the totals) and the
command (`borough revenues_annual_billing`)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from borough.core.models import Run
from borough.revenues.models import Bill

HOME = "/staff/revenues/billing/"


@pytest.fixture
def officer(council, make_staff, client_for):
    return client_for(council, make_staff(council, ("revenues.officer",), username="olive"))


@pytest.fixture
def manager(council, make_staff, client_for):
    return client_for(council, make_staff(council, ("revenues.manager",), username="manny"))


def test_an_officer_starts_a_dry_run_and_sees_its_totals(tiny_council, officer, django_capture_on_commit_callbacks):
    page = officer.get(HOME)
    assert page.status_code == 200 and "Only a revenues manager may start the real run" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        started = officer.post(HOME, {"financial_year": "2026-27", "mode": "dry"})
    run = Run.objects.get(kind="revenues.annual_billing")
    assert started.status_code == 302 and started["Location"] == f"{HOME}{run.pk}/"
    page = officer.get(f"{HOME}{run.pk}/")
    assert page.status_code == 200 and "Reconciliation with the tax base" in page.text
    assert "hx-trigger" not in page.text  # finished: no more polling
    assert "£3,726.26" in page.text or "£3726.26" in page.text
    assert not Bill.objects.exists()
    assert officer.post(HOME, {"financial_year": "2026-27", "mode": "real"}).status_code == 403


def test_a_running_run_polls_its_progress(tiny_council, manager):
    run = Run.objects.create(
        tenant=tiny_council["D"].tenant,
        kind="revenues.annual_billing",
        parameters={"financial_year": "2026-27", "dry_run": False},
        status="running",
        total_items=8,
        processed_items=2,
    )
    page = manager.get(f"{HOME}{run.pk}/")
    assert f'hx-get="{HOME}{run.pk}/progress/" hx-trigger="every 2s"' in page.text and "25% done" in page.text
    partial = manager.get(f"{HOME}{run.pk}/progress/")
    assert partial.status_code == 200 and "<html" not in partial.text and "25% done" in partial.text


def test_bad_input_gets_400_with_messages_and_starts_nothing(tiny_council, manager):
    page = manager.post(HOME, {"financial_year": "2026/27", "mode": "real", "first_instalment_date": "soon"})
    assert page.status_code == 400 and "There is a problem" in page.text
    assert "not a financial year" in page.text and 'href="#id_financial_year"' in page.text
    assert manager.post(HOME, {"financial_year": "", "mode": ""}).status_code == 400
    assert not Run.objects.exists()


def test_a_member_without_a_revenues_role_is_refused(council, make_staff, client_for):
    crm = client_for(council, make_staff(council, ("crm.agent",), username="carl"))
    assert crm.get(HOME).status_code == 403


def test_the_command_bills_with_a_progress_bar_and_reports_the_reconciliation(tiny_council):
    out = StringIO()
    call_command("revenues_annual_billing", "--tenant", "northfield", "--year", "2026-27", "--wait",
                 "--issued-on", "2026-03-02", stdout=out)  # fmt: skip
    text = out.getvalue()
    assert "4 accounts, 0 failed, 4 bills written" in text and "chunks" in text
    assert "expected yield £3,726.26" in text and "rounding £0.00" in text
    assert Bill.objects.count() == 4


def test_the_command_dry_run_writes_nothing_and_bad_years_are_errors(tiny_council):
    out = StringIO()
    call_command(
        "revenues_annual_billing", "--tenant", "northfield", "--year", "2026-27", "--dry-run", "--wait", stdout=out
    )
    assert "0 bills written" in out.getvalue() and not Bill.objects.exists()
    with pytest.raises(CommandError, match="financial_year"):
        call_command("revenues_annual_billing", "--tenant", "northfield", "--year", "26-27", stdout=StringIO())
