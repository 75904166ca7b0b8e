"""Turns a JSON object (one line of `borough revenues_calc`, or an API body) into an engine input.

Every problem is an InputError naming the field (`band_d[1].amount` inside a list). Amounts may be strings
("1234.50") or JSON numbers read as Decimal; floats never reach here (the reader uses parse_float=Decimal).
"""

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from borough.core.calc.money import to_money
from borough.revenues.calc.business_rates import BusinessRatesInput
from borough.revenues.calc.council_tax import CouncilTaxInput, Precept
from borough.revenues.calc.errors import InputError

LIMIT = Decimal(10) ** 12  # what a DecimalField(max_digits=14, decimal_places=2) holds
PLACES = Decimal("0.000001")

COUNCIL_TAX_FIELDS = frozenset(
    {
        "financial_year",
        "country",
        "band",
        "band_d",
        "liability_start",
        "liability_end",
        "discounts",
        "premium_percent",
        "disabled_band_reduction",
        "exemption_class",
        "council_tax_reduction",
        "instalments",
        "first_instalment_date",
    }
)
BUSINESS_RATES_FIELDS = frozenset(
    {
        "financial_year",
        "rateable_value",
        "retail_hospitality_leisure",
        "small_business_relief",
        "charity",
        "liability_start",
        "liability_end",
        "empty",
        "transitional",
        "london",
        "rural",
        "supporting_small_business",
        "instalments",
        "first_instalment_date",
        "issued_on",
    }
)
EMPTY_FIELDS = frozenset({"code", "since"})
TRANSITIONAL_FIELDS = frozenset({"base_liability"})
RURAL_FIELDS = frozenset({"use"})


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(name, "must be a non-empty string")
    return value.strip()


def _number(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InputError(name, 'must be a number, like "12.5"')
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise InputError(name, f"{value!r} is not a number") from None
    if not number.is_finite():
        raise InputError(name, f"{value!r} is not a number")
    if abs(number) >= LIMIT:
        raise InputError(name, f"{value!r} is too large")
    if number != number.quantize(PLACES):
        raise InputError(name, f"{value!r} has too many decimal places (at most six)")
    return number


def _money(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InputError(name, 'must be an amount of money, like "1234.50"')
    try:
        amount = to_money(value)
    except (ValueError, TypeError, InvalidOperation):
        raise InputError(name, f'{value!r} is not an amount in pounds and pence, like "1234.50"') from None
    if abs(amount) >= LIMIT:
        raise InputError(name, f"{value!r} is too large")
    return amount


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(name, "must be true or false")
    return value


def _day(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(_text(value, name))
    except ValueError:
        raise InputError(name, f"{value!r} is not a date: write it as YYYY-MM-DD") from None


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise InputError(name, "must be a whole number")
    number = _number(value, name)
    if number != number.to_integral_value():
        raise InputError(name, "must be a whole number")
    return int(number)


def _optional[T](raw: Mapping[str, Any], name: str, read: Callable[[Any, str], T]) -> T | None:
    value = raw.get(name)
    return None if value is None else read(value, name)


def _required(raw: Mapping[str, Any], name: str) -> Any:
    if raw.get(name) is None:
        raise InputError(name, "is required")
    return raw[name]


def _check_object(raw: Any, fields: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise InputError("(line)", 'each line must be a JSON object, like {"financial_year": "2026-27", ...}')
    unknown = sorted(set(raw) - fields)
    if unknown:
        raise InputError(unknown[0], f"unknown field: the fields are {', '.join(sorted(fields))}")
    return raw


def _precepts(value: Any) -> tuple[Precept, ...]:
    if not isinstance(value, list):
        return (Precept("Council tax", _money(value, "band_d")),)
    if not value:
        raise InputError("band_d", "the list is empty: give each authority's band D amount")
    precepts = []
    for index, item in enumerate(value):
        where = f"band_d[{index}]"
        if not isinstance(item, dict) or set(item) - {"authority", "amount"}:
            raise InputError(where, 'must be an object with "authority" and "amount"')
        precepts.append(
            Precept(
                _text(item.get("authority"), f"{where}.authority"),
                _money(item.get("amount"), f"{where}.amount"),
            )
        )
    return tuple(precepts)


def council_tax_input(raw: Any) -> CouncilTaxInput:
    data = _check_object(raw, COUNCIL_TAX_FIELDS)
    discounts = data.get("discounts")
    discounts = [] if discounts is None else discounts
    if not isinstance(discounts, list) or not all(isinstance(item, str) for item in discounts):
        raise InputError("discounts", 'must be a list of discount names, like ["single_person"]')
    exemption = _optional(data, "exemption_class", _text)
    instalments = _optional(data, "instalments", _whole)
    return CouncilTaxInput(
        financial_year=_text(_required(data, "financial_year"), "financial_year"),
        country=_text(_required(data, "country"), "country").lower(),
        band=_text(_required(data, "band"), "band").upper(),
        band_d=_precepts(_required(data, "band_d")),
        liability_start=_optional(data, "liability_start", _day),
        liability_end=_optional(data, "liability_end", _day),
        discounts=tuple(discounts),
        premium_percent=_optional(data, "premium_percent", _number) or Decimal(0),
        disabled_band_reduction=_optional(data, "disabled_band_reduction", _flag) or False,
        exemption_class=exemption.upper() if exemption else None,
        council_tax_reduction=_optional(data, "council_tax_reduction", _money) or Decimal(0),
        instalments=10 if instalments is None else instalments,
        first_instalment_date=_optional(data, "first_instalment_date", _day),
    )


def _part(raw: Mapping[str, Any], name: str, fields: frozenset[str], example: str) -> Mapping[str, Any] | None:
    """An optional nested object, its unknown fields named `name.field`."""
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InputError(name, f"must be an object, like {example}")
    unknown = sorted(set(value) - fields)
    if unknown:
        raise InputError(f"{name}.{unknown[0]}", f"unknown field: the fields are {', '.join(sorted(fields))}")
    return value


def business_rates_input(raw: Any) -> BusinessRatesInput:
    data = _check_object(raw, BUSINESS_RATES_FIELDS)
    empty = _part(data, "empty", EMPTY_FIELDS, '{"code": "ordinary", "since": "2026-05-01"}')
    transitional = _part(data, "transitional", TRANSITIONAL_FIELDS, '{"base_liability": "9500.00"}')
    rural = _part(data, "rural", RURAL_FIELDS, '{"use": "general_store"}')
    ssb = _part(data, "supporting_small_business", TRANSITIONAL_FIELDS, '{"base_liability": "2400.00"}')
    instalments = _optional(data, "instalments", _whole)
    empty_code = None if empty is None else _text(empty.get("code"), "empty.code")
    empty_since = None if empty is None or empty.get("since") is None else _day(empty["since"], "empty.since")
    base = None if transitional is None else _money(transitional.get("base_liability"), "transitional.base_liability")
    ssb_base = None if ssb is None else _money(ssb.get("base_liability"), "supporting_small_business.base_liability")
    return BusinessRatesInput(
        financial_year=_text(_required(data, "financial_year"), "financial_year"),
        rateable_value=_number(_required(data, "rateable_value"), "rateable_value"),
        retail_hospitality_leisure=_optional(data, "retail_hospitality_leisure", _flag) or False,
        small_business_relief=_optional(data, "small_business_relief", _flag) or False,
        charity=_optional(data, "charity", _flag) or False,
        liability_start=_optional(data, "liability_start", _day),
        liability_end=_optional(data, "liability_end", _day),
        empty=empty_code,
        empty_since=empty_since,
        transitional_base=base,
        london=_optional(data, "london", _flag) or False,
        rural_use=None if rural is None else _text(rural.get("use"), "rural.use"),
        supporting_small_business_base=ssb_base,
        instalments=10 if instalments is None else instalments,
        first_instalment_date=_optional(data, "first_instalment_date", _day),
        issued_on=_optional(data, "issued_on", _day),
    )
