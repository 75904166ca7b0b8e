"""Small helpers that put amounts and dates the way a letter says them: "£1,234.50", "1 April 2026"."""

from datetime import date
from decimal import Decimal

from borough.core.calc.money import format_gbp

ZERO = Decimal("0.00")


def money(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def gbp(value) -> str:
    return format_gbp(money(value))


def day(value: date | str) -> str:
    value = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{value.day} {value:%B %Y}"


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def listed(items: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def sentence_case(text: str) -> str:
    """ "Single person discount" -> "single person discount", for the middle of a sentence; "VOA ..." stays."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]
