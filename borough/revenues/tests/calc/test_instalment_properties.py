"""Properties of every instalment plan: it pays exactly the charge, in whole pounds after the first."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from borough.revenues.calc.instalments import instalment_plan
from borough.revenues.calc.params import FinancialYear

YEAR = FinancialYear.parse("2026-27")
pennies = st.integers(min_value=1, max_value=5_000_000).map(lambda p: Decimal(p) / 100)
first_dates = st.integers(min_value=0, max_value=YEAR.days - 1).map(lambda n: YEAR.start + timedelta(days=n))


@given(total=pennies, scheme=st.sampled_from((10, 12)), first=first_dates)
def test_instalments_sum_to_the_charge_in_whole_pounds_after_the_first(total, scheme, first):
    plan, steps = instalment_plan(total, scheme=scheme, first_due=first, year=YEAR)
    amounts = [item.amount for item in plan]
    assert sum(amounts) == total
    assert 1 <= len(plan) <= scheme
    assert all(amount == amount.to_integral_value() for amount in amounts[1:])
    assert all(amount > 0 for amount in amounts) or (len(plan) == 1)
    if len(plan) > 1:
        assert min(amounts) >= 5  # Sch. 1 para 3
    dates = [item.due_date for item in plan]
    assert dates[0] == first
    assert all(YEAR.start <= day <= YEAR.end for day in dates)
    assert all((b.year * 12 + b.month) - (a.year * 12 + a.month) == 1 for a, b in zip(dates, dates[1:]))
    assert steps


@given(total=pennies, first=first_dates)
def test_the_ten_instalment_scheme_ends_by_february(total, first):
    plan, _ = instalment_plan(total, scheme=10, first_due=first, year=YEAR)
    if first < date(2027, 3, 1):
        assert plan[-1].due_date < date(2027, 3, 1)
