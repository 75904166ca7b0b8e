"""`borough revenues_calc council-tax|business-rates`: the revenues engine on JSON lines, for checking and "what if".

Reads one JSON object per line on standard input and writes one JSON line per input line, in order: the result,
or {"line": n, "field": ..., "error": ...} naming the field at fault. Blank lines are skipped. Exits 1 when any
line had an error (every other line is still answered). Touches no database and no tenant.
"""

import json
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from borough.revenues.calc.business_rates import business_rates_calculate
from borough.revenues.calc.council_tax import council_tax_calculate
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.output import business_rates_output, council_tax_output
from borough.revenues.calc.parse import business_rates_input, council_tax_input

Engine = Callable[[Any], dict[str, Any]]


def _council_tax(raw: Any) -> dict[str, Any]:
    return council_tax_output(council_tax_calculate(council_tax_input(raw)))


def _business_rates(raw: Any) -> dict[str, Any]:
    return business_rates_output(business_rates_calculate(business_rates_input(raw)))


ENGINES: dict[str, Engine] = {"council-tax": _council_tax, "business-rates": _business_rates}


def answer_line(engine: Engine, line: str, number: int) -> dict[str, Any]:
    """The result of one line, or an error line naming the field (null when the line is not JSON)."""
    try:
        # Decimal for every JSON number, so 0.1 stays 0.1 and no float reaches the engine.
        raw = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as error:
        return {"line": number, "field": None, "error": f"not valid JSON: {error.msg} at column {error.colno}"}
    except (ValueError, RecursionError):  # an integer of thousands of digits, or nesting past the limit
        return {"line": number, "field": None, "error": "not valid JSON: a number too long or nesting too deep"}
    try:
        return engine(raw)
    except InputError as error:
        return {"line": number, "field": error.field, "error": error.message}


class Command(BaseCommand):
    help = (
        "Work out council tax or business rates for JSON lines on standard input (one object per line), "
        "writing one JSON result per line, in order. See docs/revenues.md for the fields."
    )
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(ENGINES), help="Which engine to run.")

    def handle(self, *args, kind: str, **options):
        engine = ENGINES[kind]
        stream = options.get("stdin") or sys.stdin
        answered = failed = 0
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            answered += 1
            answer = answer_line(engine, line, number)
            failed += "error" in answer
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
        if failed:
            raise CommandError(f"{failed} of {answered} lines had errors", returncode=1)
