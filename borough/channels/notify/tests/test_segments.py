"""Text message length and parts, as the networks count them (GSM-7: 160/153, UCS-2: 70/67)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from borough.channels.notify.segments import sms_length


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "gsm7", 0, 0),
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),
        ("a" * 307, "gsm7", 307, 3),
        ("€" * 80, "gsm7", 160, 1),  # an extension character counts two
        ("€" * 81, "gsm7", 162, 2),
        ("a" * 152 + "€", "gsm7", 154, 1),
        ("a" * 160 + "€", "gsm7", 162, 2),
        ("a" * 152 + "[" + "a" * 10, "gsm7", 164, 2),  # the escape pair is not split: it starts part two
        ("£5 at Café? ÄÖÑÜ§¿", "gsm7", 18, 1),
        ("Zoë", "ucs2", 3, 1),  # ë is not in the GSM alphabet
        ("ç" + "a" * 69, "ucs2", 70, 1),  # ç (lower case) is not GSM-7; Ç is
        ("ç" + "a" * 70, "ucs2", 71, 2),
        ("ç" + "a" * 133, "ucs2", 134, 2),
        ("ç" + "a" * 134, "ucs2", 135, 3),
        ("👍" * 35, "ucs2", 70, 1),  # outside the BMP: two UTF-16 units
        ("a" + "👍" * 34, "ucs2", 69, 1),
        ("a" * 66 + "👍" + "a" * 66, "ucs2", 134, 3),  # the surrogate pair is not split: 66, 67, 1
    ],
)
def test_length_and_parts(text, encoding, units, segments):
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)
    assert length.characters == len(text)


def test_a_segment_boundary_pair_is_carried_to_the_next_part():
    # 152 plain + one extension character fills 154 > 153 units: split, and the pair goes whole to part two.
    assert sms_length("a" * 152 + "{" + "a" * 152).segments == 3  # 152, then 2 + 151, then 1
    assert sms_length("a" * 153 + "{" + "a" * 151).segments == 2


@given(st.text(max_size=1000))
def test_parts_are_enough_for_the_units_and_never_too_many(text):
    length = sms_length(text)
    single, part = (160, 153) if length.encoding == "gsm7" else (70, 67)
    if length.units == 0:
        assert length.segments == 0
    elif length.units <= single:
        assert length.segments == 1
    else:
        assert length.segments * part >= length.units
        assert (length.segments - 1) * part < length.units + length.segments  # at most one unit lost per part
