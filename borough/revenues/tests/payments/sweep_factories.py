"""Objects the payments pages' URLs point at, for the isolation sweep (borough.tenancy.sweep)."""

import hashlib
from datetime import date

from borough.revenues.models import BacsFile, PaymentFile, PaymentFileRow
from borough.tenancy.sweep import sweep_factory


def _file(tenant) -> PaymentFile:
    sha = hashlib.sha256(f"sweep-{tenant.pk}".encode()).hexdigest()
    file, _created = PaymentFile.objects.get_or_create(
        tenant=tenant, sha256=sha, defaults={"source": "bank", "name": "sweep.csv"}
    )
    return file


@sweep_factory("revenues_payments:file")
def a_payment_file(tenant):
    return {"pk": _file(tenant).pk}


@sweep_factory("revenues_payments:row_post", "revenues_payments:row_dismiss")
def a_rejected_row(tenant):
    file = _file(tenant)
    row = PaymentFileRow.objects.create(
        tenant=tenant,
        file=file,
        line_number=file.rows.count() + 2,
        raw="03/04/2026,10.00,WHO",
        status=PaymentFileRow.Status.REJECTED,
        error="No account matches",
        values={"paid_on": "2026-04-03", "amount": "10.00", "reference": "WHO"},
    )
    return {"pk": row.pk}


@sweep_factory("revenues_payments:bacs_download")
def a_bacs_file(tenant):
    file = BacsFile.objects.create(
        tenant=tenant, kind=BacsFile.Kind.AUDDIS, processing_date=date(2026, 4, 1), content="VOL1"
    )
    return {"pk": file.pk}
