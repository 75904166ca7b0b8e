"""Engine results as JSON-ready dicts: amounts as decimal strings with two places, dates as ISO strings."""

from typing import Any

from borough.core.calc.money import to_money
from borough.revenues.calc.business_rates import BusinessRatesResult
from borough.revenues.calc.council_tax import CouncilTaxResult


def council_tax_output(result: CouncilTaxResult) -> dict[str, Any]:
    return {
        "annual_charge": str(to_money(result.annual_charge)),
        "charge": str(to_money(result.charge)),
        "band_amounts": [{"authority": a.authority, "amount": str(to_money(a.amount))} for a in result.band_amounts],
        "instalments": [
            {"due_date": item.due_date.isoformat(), "amount": str(to_money(item.amount))} for item in result.instalments
        ],
        "steps": list(result.steps),
    }


def business_rates_output(result: BusinessRatesResult) -> dict[str, Any]:
    return {
        "multiplier": result.multiplier,
        "gross_charge": str(to_money(result.gross_charge)),
        "reliefs": [{"name": r.name, "amount": str(to_money(r.amount))} for r in result.reliefs],
        "net_charge": str(to_money(result.net_charge)),
        "annual_gross_charge": str(to_money(result.annual_gross_charge)),
        "annual_net_charge": str(to_money(result.annual_net_charge)),
        "annual_supplement": str(to_money(result.annual_supplement)),
        "instalments": [
            {"due_date": item.due_date.isoformat(), "amount": str(to_money(item.amount))} for item in result.instalments
        ],
        "steps": list(result.steps),
    }
