"""The one form of an email address, a phone number, a postcode and a name that matching compares.

Pure functions (no database): a value that cannot be normalised raises ValueError with a message fit to show to
the person who typed it. Each is idempotent: normalising a normalised value gives it back unchanged.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

_email_validator = EmailValidator()

# Separators people type inside phone numbers.
_PHONE_SEPARATORS = re.compile(r"[\s\-./()]")
# "+44 (0)20 ..." is a common way of writing a UK number: the "(0)" is dropped when dialling from abroad.
_UK_TRUNK_IN_BRACKETS = re.compile(r"^\+44\s*\(0\)")
# The national significant number (after the 0): geographic 1/2, non-geographic 3, corporate 5, mobile 7,
# freephone and special rate 8 and 9. Nine digits exist for some older area codes and 0800 numbers.
_UK_NATIONAL = re.compile(r"^[1235789]\d{8,9}$")
_UK_MOBILE = re.compile(r"^7\d{9}$")
_INTERNATIONAL = re.compile(r"^[1-9]\d{7,14}$")

# A postcode's shape: outward code A9, A99, AA9, AA99, A9A or AA9A, then the inward code 9AA.
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?|[A-Z]{1,2}\d{2})(\d[A-Z]{2})$")
_GIRO_POSTCODE = "GIR0AA"

# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans(
    {"æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "œ": "oe", "ß": "ss", "ı": "i"}
)
# Apostrophes join (O'Brien -> obrien); any other punctuation separates words (Smith-Jones -> smith jones).
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_WORD = re.compile(r"[\W_]+")  # letters of any script and digits stay


def normalise_email(value: str) -> str:
    """Trimmed and lower-case: "  Ann@Example.COM " -> "ann@example.com"."""
    email = (value or "").strip().lower()
    if not email:
        raise ValueError("Enter an email address")
    try:
        _email_validator(email)
    except ValidationError:
        raise ValueError(f"{value.strip()!r} is not an email address: use the form name@example.com") from None
    return email


def normalise_phone(value: str) -> str:
    """A phone number in E.164: "07700 900123", "+44 (0)7700 900123" and "01632 960001" become "+44...".

    UK numbers may be written nationally (leading 0) or internationally (+44, 0044, or 44 as SMS gateways send
    them). Other countries' numbers are accepted only in international form (+ or 00 and the country code).
    """
    text = (value or "").strip()
    if not text:
        raise ValueError("Enter a phone number")
    digits = _PHONE_SEPARATORS.sub("", _UK_TRUNK_IN_BRACKETS.sub("+44", text))
    if digits.startswith("+"):
        digits = digits[1:]
        international = True
    elif digits.startswith("00"):
        digits = digits[2:]
        international = True
    else:
        international = False
    if not digits.isdigit():
        raise ValueError(f"{text!r} is not a phone number: use digits only, like 07700 900123 or +44 7700 900123")
    if international or (digits.startswith("44") and len(digits) in (11, 12)):
        if digits.startswith("44"):
            return "+44" + _uk_national_number(digits[2:], text)
        if _INTERNATIONAL.match(digits):
            return "+" + digits
        raise ValueError(f"{text!r} is not a phone number: an international number has 8 to 15 digits")
    if not digits.startswith("0"):
        raise ValueError(f"{text!r} is not a phone number: start a UK number with 0 (or +44), like 07700 900123")
    return "+44" + _uk_national_number(digits[1:], text)


def _uk_national_number(national: str, original: str) -> str:
    if national.startswith("0"):  # "+44 07700..." written without the brackets around the 0
        national = national[1:]
    if not _UK_NATIONAL.match(national) or (national.startswith("7") and not _UK_MOBILE.match(national)):
        raise ValueError(
            f"{original!r} is not a UK phone number: it should have 11 digits starting with 0, like 01632 960001"
        )
    return national


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: "nf12ab" -> "NF1 2AB" (the shape, not that it exists)."""
    text = (value or "").strip()
    if not text:
        raise ValueError("Enter a postcode")
    compact = re.sub(r"\s+", "", text).upper()
    if compact != _GIRO_POSTCODE and not _POSTCODE.match(compact):
        raise ValueError(f"{text!r} is not a UK postcode: enter a postcode like NF1 2AB")
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_outward(postcode: str) -> str:
    """The outward code (district) of a normalised postcode: "NF1 2AB" -> "NF1"."""
    return postcode.split(" ", 1)[0] if postcode else ""


def search_name(text: str) -> str:
    """What name search and duplicate detection compare: "  Seán  O'Brien-Smith " -> "sean obrien smith"."""
    # Compatibility forms first (𝔸 -> A), then case, then again: folding the case can make new accents (İ -> i̇).
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text or "").casefold())
    without_accents = "".join(ch for ch in folded if not unicodedata.combining(ch))
    plain = _APOSTROPHES.sub("", without_accents.translate(_LETTERS_WITHOUT_DECOMPOSITION))
    return _NOT_WORD.sub(" ", plain).strip()


def full_search_name(*parts: str) -> str:
    """The search name of a person from their name parts (blank parts are left out)."""
    return search_name(" ".join(part for part in parts if part))
