"""GOV.UK Notify's template syntax, rendered here so that a tenant's template reads the same whichever provider
sends it: `((name))` is replaced by a value, `((name??text))` shows `text` only when `name` has a value.

Pure functions: no Django, no database. Names are case-insensitive, as in Notify.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\(\(([^()]+?)\)\)")

# GSM 03.38: the characters a text message can carry in 7 bits; the extension set costs two each.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")


def _parts(match: re.Match[str]) -> tuple[str, str | None]:
    inside = match.group(1)
    name, conditional, text = inside.partition("??")
    return name.strip().lower(), (text if conditional else None)


def placeholder_names(text: str) -> list[str]:
    """The names a template uses, in order of first use."""
    names: list[str] = []
    for match in PLACEHOLDER.finditer(text or ""):
        name = _parts(match)[0]
        if name not in names:
            names.append(name)
    return names


def unknown_placeholders(text: str, allowed: Iterable[str]) -> list[str]:
    """The names `text` uses that are not in `allowed`, in order of first use."""
    known = set(allowed)
    return [name for name in placeholder_names(text) if name not in known]


NESTED = re.compile(r"\(\(([^()?]+)\?\?[^()]*\(\(")


def nested_conditional(text: str) -> str:
    """The name of the first ((name??text)) whose text holds another placeholder (not supported, as in Notify),
    or ""."""
    match = NESTED.search(text or "")
    return match.group(1).strip().lower() if match else ""


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder replaced. A name without a value raises KeyError: templates are checked
    against the allowed names when they are saved, so that only happens to a template saved some other way."""

    def replace(match: re.Match[str]) -> str:
        name, conditional = _parts(match)
        value = values[name]
        if conditional is not None:
            return conditional if value else ""
        return str(value)

    return PLACEHOLDER.sub(replace, text or "")


@dataclass(frozen=True)
class SmsLength:
    characters: int  # as the network counts them (an extension character is two)
    fragments: int
    encoding: str  # "GSM-7", or "UCS-2" when any character is outside GSM-7 (Welsh ŵ and ŷ, for example)


def sms_length(text: str) -> SmsLength:
    """How long a text message is and how many fragments it is sent (and charged) as: 160 characters in one
    fragment and 153 each when split, in GSM-7; 70 and 67 in UCS-2."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        count = sum(2 if char in GSM_EXTENSION else 1 for char in text)
        single, each, encoding = 160, 153, "GSM-7"
    else:
        count = len(text.encode("utf-16-le")) // 2  # characters beyond the BMP (emoji) take two units
        single, each, encoding = 70, 67, "UCS-2"
    fragments = 1 if count <= single else -(-count // each)
    return SmsLength(count, fragments, encoding)
