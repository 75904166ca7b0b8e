"""`borough revenues_calc`: JSON lines in, JSON lines out, in order, errors naming the field."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[3]

HARROW_A_SINGLE = {
    "financial_year": "2025-26",
    "country": "england",
    "band": "A",
    "band_d": "2395.86",
    "discounts": ["single_person"],
}
PEMBROKESHIRE_I = {
    "financial_year": "2025-26",
    "country": "wales",
    "band": "I",
    "band_d": [
        {"authority": "Pembrokeshire County Council", "amount": "1651.97"},
        {"authority": "Police and Crime Commissioner Dyfed-Powys", "amount": 360.68},
    ],
    "instalments": 12,
    "first_instalment_date": "2025-07-15",
}


def run(kind: str, *lines: str) -> tuple[list[dict], CommandError | None]:
    out = io.StringIO()
    failure = None
    try:
        call_command("revenues_calc", kind, stdin=io.StringIO("".join(f"{line}\n" for line in lines)), stdout=out)
    except CommandError as error:
        failure = error
    return [json.loads(line) for line in out.getvalue().splitlines()], failure


def test_council_tax_lines_in_order():
    results, failure = run("council-tax", json.dumps(HARROW_A_SINGLE), json.dumps(PEMBROKESHIRE_I))
    assert failure is None
    first, second = results
    assert (first["annual_charge"], first["charge"]) == ("1197.93", "1197.93")
    assert first["instalments"][0] == {"due_date": "2025-04-01", "amount": "117.93"}
    assert [i["amount"] for i in first["instalments"][1:]] == ["120.00"] * 9
    assert second["charge"] == "4696.19"  # 3,854.60 + 841.59, Pembrokeshire's published band I amounts
    assert [a["amount"] for a in second["band_amounts"]] == ["3854.60", "841.59"]
    assert len(second["instalments"]) == 9  # July to March
    assert sum(float(i["amount"]) * 100 for i in second["instalments"]) == pytest.approx(469619)
    assert all(isinstance(step, str) for step in second["steps"])


def test_business_rates_lines():
    results, failure = run(
        "business-rates",
        json.dumps({"financial_year": "2025-26", "rateable_value": 13500, "small_business_relief": True}),
        json.dumps({"financial_year": "2026-27", "rateable_value": "600000", "retail_hospitality_leisure": True}),
    )
    assert failure is None
    assert results[0]["gross_charge"] == "6736.50"
    assert results[0]["reliefs"] == [{"name": "small_business_rate_relief", "amount": "3368.25"}]
    assert results[0]["net_charge"] == "3368.25"
    assert (results[1]["multiplier"], results[1]["net_charge"]) == ("high_value", "304800.00")


def test_bad_lines_get_error_lines_and_the_rest_are_answered_in_order():
    results, failure = run(
        "council-tax",
        json.dumps(HARROW_A_SINGLE),
        "{not json",
        "",
        json.dumps(HARROW_A_SINGLE | {"band": "Q"}),
        json.dumps(HARROW_A_SINGLE | {"band_d": [{"authority": "County", "amount": "12.345"}]}),
        "[1, 2]",
        json.dumps(HARROW_A_SINGLE | {"charge": "5"}),
        json.dumps(PEMBROKESHIRE_I),
    )
    assert [r.get("field", "ok") for r in results] == [
        "ok",
        None,
        "band",
        "band_d[0].amount",
        "(line)",
        "charge",
        "ok",
    ]
    assert [r.get("line") for r in results] == [None, 2, 4, 5, 6, 7, None]  # the blank line 3 is skipped
    assert "not valid JSON" in results[1]["error"]
    assert "A to H" in results[2]["error"]
    assert results[-1]["charge"] == "4696.19"
    assert failure is not None and "5 of 7 lines" in str(failure)
    assert failure.returncode == 1


def test_hostile_lines_get_error_lines():
    results, failure = run(
        "council-tax",
        "1" * 5000,
        "[" * 100_000,
        json.dumps(HARROW_A_SINGLE | {"premium_percent": "1e-999999"}),
        json.dumps(HARROW_A_SINGLE),
    )
    assert [r.get("field") for r in results] == [None, None, "premium_percent", None]
    assert results[-1]["charge"] == "1197.93"
    assert failure is not None


def test_an_unknown_kind_is_refused():
    with pytest.raises(CommandError):
        call_command("revenues_calc", "poll-tax", stdin=io.StringIO(""))


def test_the_installed_command_reads_stdin_and_exits_1_on_errors():
    lines = json.dumps({"financial_year": "2026-27", "rateable_value": "14000", "charity": True}) + "\n{}\n"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test")}
    done = subprocess.run(
        [sys.executable, "-m", "config.cli", "revenues_calc", "business-rates"],
        input=lines,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert answers[0]["net_charge"] == "1209.60"  # 14,000 × 43.2p = 6,048.00, less 80%
    assert answers[1] == {"line": 2, "field": "financial_year", "error": "is required"}
    assert done.returncode == 1
    assert "1 of 2 lines had errors" in done.stderr
