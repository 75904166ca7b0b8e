"""The one hearing rule (calc.recovery.earliest_hearing, CT reg. 35(2A)) where it is used: the settings page, the
run's hearing date (form, run parameters, command) and the recording of liability orders, each at its boundary.

A summons issued on Wednesday 29 April 2026 is deemed served by post on Friday 1 May; 14 days elapse from Saturday
2 May to Friday 15 May: 15 May is the last day refused, Saturday 16 May the first allowed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from borough.core.models import Run
from borough.core.runs import run_start
from borough.revenues.models import RecoveryAction, RevenuesSettings
from borough.revenues.recovery.practice import hearing_days_limits, recovery_settings_update
from borough.revenues.recovery.services import liability_order_record
from borough.revenues.tests.recovery.conftest import bill_account, run_on

pytestmark = pytest.mark.django_db
ISSUED = date(2026, 4, 29)
LAST_REFUSED, FIRST_ALLOWED = date(2026, 5, 15), date(2026, 5, 16)
GOOD = {"reminder_after_days": 7, "arrangement_grace_days": 7, "minimum_reminder": "0.00"}


def to_final_notice(council):
    account = bill_account(council)
    for day in (date(2026, 4, 8), date(2026, 4, 22)):
        run_on(council, day)
    return account


def test_the_settings_refuse_fewer_days_than_the_worst_day_of_the_year_needs(council):
    today = date(2026, 11, 26)
    with pytest.raises(ValidationError) as error:
        recovery_settings_update(tenant=council, hearing_after_days=20, today=today, **GOOD)
    [message] = error.value.message_dict["hearing_after_days"]
    assert message.startswith("Enter 21 days or more") and "reg. 35(2A)" in message
    # The summons posted the Wednesday before Christmas is served on Tuesday 29th: heard from 13 January.
    assert "Wednesday 23 December 2026" in message and "Wednesday 13 January 2027" in message
    assert not RevenuesSettings.objects.exists()
    saved = recovery_settings_update(tenant=council, hearing_after_days=21, today=today, **GOOD)
    assert saved.recovery_hearing_after_days == 21


def test_the_settings_page_gives_the_least_days_and_refuses_one_fewer(council, make_staff, client_for):
    manager = client_for(council, make_staff(council, roles=("revenues.manager",)))
    (least, _most), _why = hearing_days_limits()
    assert f"At least {least}:" in manager.get("/staff/revenues/recovery/settings/").content.decode()
    refused = manager.post("/staff/revenues/recovery/settings/", {**GOOD, "hearing_after_days": least - 1})
    assert refused.status_code == 400 and f"Enter {least} days or more" in refused.content.decode()
    saved = manager.post("/staff/revenues/recovery/settings/", {**GOOD, "hearing_after_days": least})
    assert saved.status_code == 302 and RevenuesSettings.objects.get().recovery_hearing_after_days == least


def test_the_runs_hearing_date_last_refused_and_first_allowed(council):
    parameters = {"date": ISSUED.isoformat(), "hearing_date": LAST_REFUSED.isoformat()}
    with pytest.raises(ValidationError) as error:
        run_start(tenant=council, kind="revenues.recovery_daily", parameters=parameters, dispatch=False)
    [message] = error.value.message_dict["hearing_date"]
    assert "on or after 2026-05-16" in message and "served by post on 2026-05-01" in message
    assert not Run.objects.exists()
    run = run_start(
        tenant=council,
        kind="revenues.recovery_daily",
        parameters={**parameters, "hearing_date": FIRST_ALLOWED.isoformat()},
        dispatch=False,
    )
    assert run.parameters["hearing_date"] == "2026-05-16"


def test_the_command_and_the_page_refuse_the_last_refused_day(council, make_staff, client_for):
    with pytest.raises(CommandError, match="on or after 2026-05-16"):
        call_command(
            "revenues_recovery_run", "--tenant", council.slug, "--date", "2026-04-29",
            "--hearing-date", "2026-05-15", "--wait",
        )  # fmt: skip
    officer = client_for(council, make_staff(council, roles=("revenues.officer",)))
    response = officer.post("/staff/revenues/recovery/run/", {"date": "2026-04-29", "hearing_date": "2026-05-15"})
    assert response.status_code == 400 and "on or after 2026-05-16" in response.content.decode()
    assert not Run.objects.exists()


def test_a_hearing_from_old_settings_is_moved_to_the_earliest_lawful_day(council, media):
    RevenuesSettings.objects.create(tenant=council, recovery_hearing_after_days=15)  # saved under the old limit
    account = to_final_notice(council)
    run_on(council, ISSUED)
    summons = RecoveryAction.objects.get(account=account, stage="summons")
    # The earliest lawful day, Saturday 16 May, is not a court day: the run books Monday 18th.
    assert summons.hearing_date == date(2026, 5, 18)
    assert summons.detail["steps"][-1] == (
        "The hearing is moved to Monday 18 May 2026, the earliest lawful day on which the court sits "
        "(not a weekend or bank holiday)."
    )


def test_the_default_hearing_is_lawful_and_its_steps_are_kept(council, media):
    account = to_final_notice(council)
    run_on(council, ISSUED)
    summons = RecoveryAction.objects.get(account=account, stage="summons")
    assert summons.hearing_date == date(2026, 5, 20)
    assert any("deemed served on Friday 1 May 2026" in step for step in summons.detail["steps"])


def test_a_liability_order_last_refused_and_first_allowed(council, media):
    account = to_final_notice(council)
    run_on(council, ISSUED, hearing_date=FIRST_ALLOWED.isoformat())
    summons = RecoveryAction.objects.get(account=account, stage="summons")
    with pytest.raises(ValidationError) as error:
        liability_order_record(summonses=[summons], hearing_date=LAST_REFUSED, costs=Decimal("0"), today=FIRST_ALLOWED)
    [message] = error.value.message_dict["hearing_date"]
    assert "deemed served by post on 2026-05-01" in message and "not before 2026-05-16" in message
    assert not RecoveryAction.objects.filter(stage="liability_order").exists()
    [order] = liability_order_record(
        summonses=[summons], hearing_date=FIRST_ALLOWED, costs=Decimal("0"), today=FIRST_ALLOWED
    )
    assert order.hearing_date == FIRST_ALLOWED
    assert any("lawful (14 whole days after service)" in step for step in order.detail["steps"])
