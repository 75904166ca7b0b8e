"""How long a text message is, as the networks (and Notify's bill) count it. Pure: no Django, no I/O.

A message that uses only the GSM 03.38 alphabet is sent in 7-bit units: 160 fit in one message, and a longer one
is split into parts of 153 (each part carries a header). The extension characters (^ { } \\ [ ~ ] | and the euro
sign) take two units, and are never split across parts. Any other character makes the whole message UCS-2: 70 in
one message, 67 per part, counted in UTF-16 units (an emoji takes two, never split).
"""

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}


@dataclass(frozen=True)
class SmsLength:
    characters: int  # as a person counts them
    units: int  # 7-bit units (GSM-7) or UTF-16 units (UCS-2)
    encoding: str  # "gsm7" or "ucs2"
    segments: int  # the messages the networks send and charge for

    def as_dict(self) -> dict[str, int | str]:
        return {
            "characters": self.characters,
            "units": self.units,
            "encoding": self.encoding,
            "segments": self.segments,
        }


def _costs(text: str) -> tuple[str, list[int]]:
    if all(character in GSM7_BASIC or character in GSM7_EXTENSION for character in text):
        return "gsm7", [2 if character in GSM7_EXTENSION else 1 for character in text]
    return "ucs2", [2 if ord(character) > 0xFFFF else 1 for character in text]


def sms_length(text: str) -> SmsLength:
    """The length of `text` and the number of parts it is sent in (0 for an empty message)."""
    encoding, costs = _costs(text)
    units = sum(costs)
    if units <= SINGLE[encoding]:
        return SmsLength(len(text), units, encoding, 1 if units else 0)
    part, segments, used = PART[encoding], 1, 0
    for cost in costs:  # a character that does not fit whole starts the next part
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return SmsLength(len(text), units, encoding, segments)
