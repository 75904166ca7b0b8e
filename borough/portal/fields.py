"""Parsing what residents type, the GOV.UK way: forgiving about format, precise about what is wrong."""

import re
from datetime import date, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from borough.people.normalise import normalise_email, normalise_phone, normalise_postcode

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
PHONE_FORMAT = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
POSTCODE_FORMAT = "Enter a full UK postcode, like NF1 2AB"
NUMBER_FORMAT = "Enter a number, like 3 or 2.5"
TIME_FORMAT = "Enter a real time, like 14:30 or 2:30pm"

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


def clean_email(value: str) -> str:
    try:
        return normalise_email(value)
    except ValueError:
        raise ValidationError(EMAIL_FORMAT) from None


def clean_phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except ValueError:
        raise ValidationError(PHONE_FORMAT) from None


def clean_postcode(value: str) -> str:
    try:
        return normalise_postcode(value)
    except ValueError:
        raise ValidationError(POSTCODE_FORMAT) from None


def clean_number(value: str) -> str:
    text = value.strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(NUMBER_FORMAT) from None
    if not number.is_finite():
        raise ValidationError(NUMBER_FORMAT)
    return text


def clean_time(value: str) -> time:
    """ "14:30", "14.30", "2:30pm", "2pm", "9 am" -> a time; ValidationError otherwise."""
    match = _TIME.match(value.strip().lower())
    if match is None:
        raise ValidationError(TIME_FORMAT)
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise ValidationError(TIME_FORMAT)
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:  # "14" alone is too ambiguous to guess
        raise ValidationError(TIME_FORMAT)
    if hour > 23 or minute > 59:
        raise ValidationError(TIME_FORMAT)
    return time(hour, minute)


def clean_date_parts(day: str, month: str, year: str, *, what: str = "The date") -> date:
    """The GOV.UK date input's checks, with its messages: which part is missing, or that it is not a real date."""
    parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    missing = [name for name, text in parts.items() if not text]
    if missing:
        raise ValidationError(f"{what} must include a {' and a '.join(missing)}", code=missing[0])
    if not all(text.isdigit() for text in parts.values()):
        raise ValidationError(f"{what} must be a real date", code="date")
    if len(parts["year"]) != 4:
        raise ValidationError("Year must include 4 numbers", code="year")
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise ValidationError(f"{what} must be a real date", code="date") from None


def clean_coordinate(value: str, *, limit: int, name: str) -> Decimal | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"The {name} must be a number between -{limit} and {limit}") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValidationError(f"The {name} must be a number between -{limit} and {limit}")
    return number.quantize(Decimal("0.000001"))
