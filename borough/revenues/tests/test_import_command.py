"""`borough revenues_import_voa`: the report on stdout and the exit status."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from borough.revenues.models import Dwelling
from borough.tenancy.scope import tenant_scope

FIXTURES = Path(__file__).parent / "fixtures"


def _run(tenant, name, *extra):
    out = StringIO()
    code = 0
    try:
        call_command(
            "revenues_import_voa",
            "--tenant",
            tenant.slug,
            "--kind",
            "council-tax",
            "--file",
            str(FIXTURES / name),
            *extra,
            stdout=out,
        )
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue()


def test_clean_file_exits_0(tenant_a):
    code, out = _run(tenant_a, "council_tax_list.csv")
    assert (code, out) == (0, "3 rows read: 3 created, 0 updated, 0 deleted, 0 unchanged, 0 rejected\n")
    with tenant_scope(tenant_a):
        assert Dwelling.objects.count() == 3


def test_rejected_rows_exit_1_and_are_listed(tenant_a):
    _run(tenant_a, "council_tax_list.csv")
    code, out = _run(tenant_a, "council_tax_schedule.csv")
    assert code == 1
    assert "9 rows read: 1 created, 1 updated, 1 deleted, 0 unchanged, 6 rejected" in out
    assert "line 7: 1004: duplicate reference: also on line 3" in out


def test_dry_run_and_unreadable_files(tenant_a, tmp_path):
    code, out = _run(tenant_a, "council_tax_list.csv", "--dry-run")
    assert code == 0 and out.startswith("Dry run (nothing saved)")
    with tenant_scope(tenant_a):
        assert not Dwelling.objects.exists()
    with pytest.raises(CommandError, match="Cannot read"):
        _run(tenant_a, "no-such-file.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("hello\n")
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "revenues_import_voa", "--tenant", tenant_a.slug, "--kind", "council-tax", "--file", str(bad), stdout=out
        )
    assert exit_.value.code == 2
    assert "file not imported: The header row lacks" in out.getvalue()
