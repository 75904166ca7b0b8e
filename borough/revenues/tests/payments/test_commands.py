from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from borough.revenues.models import BacsFile, LedgerEntry, PaymentFile, RevenuesSettings
from borough.revenues.payments import bacs
from borough.revenues.payments.direct_debit import mandate_create
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.payments.helpers import make_bill

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_import_command(council, tmp_path):
    account = make_account(council)
    path = tmp_path / "statement.csv"
    path.write_bytes(f"Date,Amount,Reference\n03/04/2026,25.00,{account.number}\n03/04/2026,9.00,NOBODY\n".encode())
    code, out, _err = run("revenues_payments_import", "--tenant", council.slug, "--source", "bank", str(path))
    assert code == 1
    assert "2 rows, 1 posted (£25.00), 1 kept for review" in out and "line 3: No account matches" in out
    code, _out, err = run("revenues_payments_import", "--tenant", council.slug, "--source", "bank", str(path))
    assert code == 2 and "imported already" in err
    assert PaymentFile.objects.count() == 1 and LedgerEntry.objects.count() == 1


def test_auddis_and_collect_commands(council, tmp_path):
    RevenuesSettings.objects.create(
        tenant=council, bacs_service_user_number="123456", bacs_sort_code="401234", bacs_account_number="87654321"
    )
    account = make_account(council)
    make_bill(account)
    mandate_create(account=account, payer_name="Ann Example", sort_code="112233", account_number="12345678")
    out_file = tmp_path / "auddis.txt"
    code, out, _ = run(
        "revenues_payments_auddis",
        "--tenant",
        council.slug,
        "--processing-day",
        "2026-03-20",
        "--output",
        str(out_file),
    )
    assert code == 0 and "1 instructions" in out
    assert [r.code for r in bacs.read_standard18(out_file.read_text()).records] == ["0N"]
    code, out, _ = run("revenues_payments_collect", "--tenant", council.slug, "--due-date", "2026-04-01")
    assert code == 0 and "1 collections, £100.00" in out
    code, out, _ = run("revenues_payments_collect", "--tenant", council.slug, "--due-date", "2026-04-01")
    assert BacsFile.objects.filter(kind="collection").count() == 1
    assert LedgerEntry.objects.get().posted_on == date(2026, 3, 31)
    code, out, _ = run("revenues_payments_collect", "--tenant", council.slug, "--due-date", "2026-04-02")
    assert "Nothing to collect" in out
