"""The council's recovery practice on RevenuesSettings: the run follows it (a run argument still overrides), values
that would breach the regulations are refused with the regulation named, and managers set it on a staff page."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.models import AuditEvent
from borough.revenues.models import Arrangement, RecoveryAction, RevenuesSettings
from borough.revenues.recovery.practice import recovery_settings_update
from borough.revenues.recovery.services import arrangement_make
from borough.revenues.tests.recovery.conftest import bill_account, pay, run_on, stages

pytestmark = pytest.mark.django_db
PAGE = "/staff/revenues/recovery/settings/"
GOOD = {"reminder_after_days": 3, "hearing_after_days": 28, "arrangement_grace_days": 2, "minimum_reminder": "0.00"}


def practice(council, **changes):
    return recovery_settings_update(tenant=council, **{**GOOD, **changes})


def test_the_settings_are_saved_and_audited(council):
    settings = practice(council, minimum_reminder="£12.50")
    assert (
        settings.recovery_reminder_after_days,
        settings.recovery_hearing_after_days,
        settings.recovery_arrangement_grace_days,
        settings.recovery_minimum_reminder,
    ) == (3, 28, 2, Decimal("12.50"))
    event = AuditEvent.objects.get(action="revenues.recovery_settings_update")
    assert event.changes["recovery_hearing_after_days"] == [21, 28]


def test_the_run_sends_the_reminder_after_the_councils_days(council, media):
    account = bill_account(council)
    practice(council)
    run_on(council, date(2026, 4, 3))
    assert stages(account) == []
    run_on(council, date(2026, 4, 4))
    assert stages(account) == [("reminder", "issued")]


def test_a_run_argument_still_overrides_the_setting(council, media):
    account = bill_account(council)
    practice(council)
    run_on(council, date(2026, 4, 4), reminder_after_days=5)
    assert stages(account) == []
    run_on(council, date(2026, 4, 6), reminder_after_days=5)
    assert stages(account) == [("reminder", "issued")]


def test_the_hearing_is_booked_the_councils_days_after_the_summons(council, media):
    account = bill_account(council)
    practice(council, reminder_after_days=7)
    for day in (date(2026, 4, 8), date(2026, 4, 22), date(2026, 4, 29)):
        run_on(council, day)
    summons = RecoveryAction.objects.get(account=account, stage="summons")
    assert summons.hearing_date == date(2026, 4, 29) + timedelta(days=28)


def test_no_reminder_below_the_councils_minimum(council, media):
    small, large = bill_account(council), bill_account(council)
    pay(small, date(2026, 4, 1), "145.00")  # £5 short
    practice(council, minimum_reminder="10.00")
    run_on(council, date(2026, 4, 8))
    assert stages(small) == [] and stages(large) == [("reminder", "issued")]


def test_the_arrangement_grace_days_come_from_the_settings(council, media):
    account = bill_account(council)
    practice(council, arrangement_grace_days=0)
    arrangement_make(
        account=account,
        financial_year="2026-27",
        instalments=[(date(2026, 4, 10), Decimal("750.00")), (date(2026, 5, 10), Decimal("750.00"))],
        made_on=date(2026, 4, 2),
    )
    run_on(council, date(2026, 4, 11))  # 7 days' grace by default; the council gives none
    assert Arrangement.objects.get().status == Arrangement.Status.BROKEN


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hearing_after_days": 14}, "hearing_after_days", "reg. 35(2A)"),
        ({"hearing_after_days": 91}, "hearing_after_days", "at most 90"),
        ({"reminder_after_days": 0}, "reminder_after_days", "reg. 23(1)"),
        ({"reminder_after_days": "seven"}, "reminder_after_days", "whole number"),
        ({"reminder_after_days": True}, "reminder_after_days", "whole number"),
        ({"arrangement_grace_days": -1}, "arrangement_grace_days", "0 days or more"),
        ({"minimum_reminder": "1.234"}, "minimum_reminder", "pounds and pence"),
        ({"minimum_reminder": "-1"}, "minimum_reminder", "£0.00 or more"),
        ({"minimum_reminder": "lots"}, "minimum_reminder", "Enter an amount"),
    ],
)
def test_values_breaching_the_rules_are_refused_and_nothing_changes(council, changes, field, message):
    RevenuesSettings.objects.create(tenant=council)
    with pytest.raises(ValidationError) as error:
        practice(council, **changes)
    assert message in " ".join(error.value.message_dict[field])
    assert RevenuesSettings.objects.get().recovery_hearing_after_days == 21
    assert not AuditEvent.objects.filter(action="revenues.recovery_settings_update").exists()


@pytest.fixture
def manager(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.manager",)))


def test_the_settings_page_shows_and_saves_the_practice(council, manager):
    page = manager.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="hearing_after_days"' in text and 'value="21"' in text
    response = manager.post(PAGE, {**GOOD, "minimum_reminder": "5.00"})
    assert response.status_code == 302
    assert RevenuesSettings.objects.get().recovery_minimum_reminder == Decimal("5.00")


def test_the_settings_page_explains_a_refusal(council, manager):
    response = manager.post(PAGE, {**GOOD, "hearing_after_days": "10"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "reg. 35(2A)" in text and "Error:" in text
    response = manager.post(PAGE, {**GOOD, "reminder_after_days": ""})
    assert response.status_code == 400 and "Enter the days after a missed instalment" in response.content.decode()
    assert not RevenuesSettings.objects.exists()


def test_only_managers_change_the_settings(council, make_staff, client_for):
    officer = client_for(council, make_staff(council, roles=("revenues.officer",)))
    assert officer.get(PAGE).status_code == 403
    assert officer.post(PAGE, GOOD).status_code == 403


def test_recovery_is_reachable_from_the_revenues_home_and_links_its_settings(council, manager):
    home = manager.get("/staff/revenues/").content.decode()
    assert 'href="/staff/revenues/recovery/"' in home
    recovery = manager.get("/staff/revenues/recovery/").content.decode()
    assert f'href="{PAGE}"' in recovery
