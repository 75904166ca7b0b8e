from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from borough.revenues.models import RecoveryAction
from borough.revenues.tests.recovery.conftest import bill_account

pytestmark = pytest.mark.django_db


def test_command_runs_the_day_and_reports(council, media):
    bill_account(council)
    out = StringIO()
    call_command("revenues_recovery_run", "--tenant", council.slug, "--date", "2026-04-08", "--wait", stdout=out)
    assert "succeeded" in out.getvalue() and "Reminder: 1" in out.getvalue()
    assert RecoveryAction.objects.get().issued_on == date(2026, 4, 8)


def test_command_bad_date(council):
    with pytest.raises(CommandError, match="date"):
        call_command("revenues_recovery_run", "--tenant", council.slug, "--date", "yesterday", "--wait")
