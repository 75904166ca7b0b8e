"""The business rates JSON input's new fields (part year, empty, transitional, instalments): read into the engine's
input, and every mistake named by its field, nested ones as `empty.code`."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from borough.revenues.calc.errors import InputError
from borough.revenues.calc.parse import business_rates_input

BASE = {"financial_year": "2026-27", "rateable_value": "30000"}


def test_the_new_fields_are_read():
    given = business_rates_input(
        {**BASE, "liability_start": "2026-10-01", "liability_end": "2027-02-28",
         "empty": {"code": "industrial", "since": "2026-09-15"}, "transitional": {"base_liability": "9500.00"},
         "instalments": 12, "first_instalment_date": "2026-10-15", "issued_on": "2026-10-02"}
    )  # fmt: skip
    assert (given.liability_start, given.liability_end) == (date(2026, 10, 1), date(2027, 2, 28))
    assert (given.empty, given.empty_since, given.transitional_base) == (
        "industrial",
        date(2026, 9, 15),
        Decimal("9500.00"),
    )
    assert (given.instalments, given.first_instalment_date, given.issued_on) == (
        12,
        date(2026, 10, 15),
        date(2026, 10, 2),
    )
    plain = business_rates_input(BASE)
    assert (plain.empty, plain.empty_since, plain.transitional_base, plain.instalments) == (None, None, None, 10)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"liability_start": "1 October"}, "liability_start"),
        ({"empty": "ordinary"}, "empty"),
        ({"empty": {}}, "empty.code"),
        ({"empty": {"code": "ordinary", "since": "2026-13-01"}}, "empty.since"),
        ({"empty": {"code": "ordinary", "when": "2026-05-01"}}, "empty.when"),
        ({"transitional": {"base_liability": "12.345"}}, "transitional.base_liability"),
        ({"transitional": {}}, "transitional.base_liability"),
        ({"transitional": 9500}, "transitional"),
        ({"instalments": 10.5}, "instalments"),
        ({"issued_on": 20260401}, "issued_on"),
    ],
)
def test_mistakes_name_their_field(extra, field):
    with pytest.raises(InputError) as error:
        business_rates_input({**BASE, **extra})
    assert error.value.field == field


def run(*lines):
    out = io.StringIO()
    failure = None
    try:
        call_command("revenues_calc", "business-rates", stdin=io.StringIO("".join(f"{json.dumps(x)}\n" for x in lines)),
                     stdout=out)  # fmt: skip
    except CommandError as error:
        failure = error
    return [json.loads(line) for line in out.getvalue().splitlines()], failure


def test_the_command_answers_part_year_empty_and_transitional_lines_in_order():
    results, failure = run(
        {**BASE, "liability_start": "2026-10-01", "empty": {"code": "ordinary", "since": "2026-10-01"}},
        {**BASE, "transitional": {"base_liability": "10000.00"}, "instalments": 12},
        {**BASE, "empty": {"code": "derelict"}},
    )
    assert "1 of 3 lines" in str(failure)
    empty, capped, bad = results
    # 12,960.00 a year × 182/365 = 6,462.25; the free months to 31 December are 92 days: 3,266.63 off.
    assert (empty["gross_charge"], empty["net_charge"]) == ("6462.25", "3195.62")
    assert empty["reliefs"] == [{"name": "empty_property_free_months", "amount": "3266.63"}]
    assert len(empty["instalments"]) == 6  # October to March
    # Medium property: capped at 10,000 × 115% = 11,500.00.
    assert (capped["net_charge"], capped["annual_net_charge"]) == ("11500.00", "11500.00")
    # 11,500 ÷ 12 = 958.33: £958.00 each after the first, which takes 11,500 − 11 × 958 = 962.00 (para 1(5)).
    assert [i["amount"] for i in capped["instalments"]] == ["962.00"] + ["958.00"] * 11
    assert bad["field"] == "empty.code"
