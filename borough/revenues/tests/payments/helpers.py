"""Bills made directly (as billing writes them) so payments can be tested on their own."""

from datetime import date
from decimal import Decimal

from borough.revenues.models import Bill

_numbers = iter(range(1, 10**6))


def make_bill(account, *, charge="1000.00", instalments=None, credited="0.00", year="2026-27", issued_on=None):
    """A current bill; `instalments` defaults to ten monthly ones of charge/10 from 1 April."""
    if instalments is None:
        tenth = (Decimal(charge) / 10).quantize(Decimal("0.01"))
        instalments = [[date(2026, 4 + i, 1).isoformat() if i < 9 else "2027-01-01", str(tenth)] for i in range(10)]
    return Bill.objects.create(
        tenant=account.tenant,
        account=account,
        financial_year=year,
        kind=Bill.Kind.ANNUAL if Decimal(credited) == 0 else Bill.Kind.AMENDED,
        number=f"{year}/T{next(_numbers):06d}",
        issued_on=issued_on or date(2026, 3, 10),
        charge=Decimal(charge),
        credited=Decimal(credited),
        balance=Decimal(charge) - Decimal(credited),
        instalments=instalments,
    )
