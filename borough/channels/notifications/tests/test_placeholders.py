"""The ((placeholder)) renderer and the text message length: pure functions."""

import pytest

from borough.channels.notifications.placeholders import (
    nested_conditional,
    placeholder_names,
    render,
    sms_length,
    unknown_placeholders,
)


def test_placeholders_are_replaced_case_insensitively_and_conditionals_show_only_with_a_value():
    text = "Dear ((Name)), ref (( reference )).((name?? Thank you.))((team?? Team: ((team))))"
    assert placeholder_names(text)[:2] == ["name", "reference"]
    assert render(
        "Dear ((Name)), ref (( reference )).((name?? Thank you.))", {"name": "Siân", "reference": "NF-1"}
    ) == ("Dear Siân, ref NF-1. Thank you.")
    assert render("Hi((name?? there)).", {"name": ""}) == "Hi."


def test_unknown_placeholders_are_listed_in_order_of_use():
    text = "((reference)) ((refrence)) ((Due_Date)) ((colour??x)) ((refrence))"
    assert unknown_placeholders(text, ["reference", "due_date"]) == ["refrence", "colour"]
    assert unknown_placeholders("no placeholders (just brackets) or ((unclosed", ["reference"]) == []


def test_a_missing_value_raises_rather_than_sending_brackets():
    with pytest.raises(KeyError):
        render("((reference))", {})


def test_welsh_text_survives_rendering():
    assert render("Mae eich cais ((reference)) wedi'i ddatrys. Diolch yn fawr iawn — ŵ ŷ â", {"reference": "NF-2"}) == (
        "Mae eich cais NF-2 wedi'i ddatrys. Diolch yn fawr iawn — ŵ ŷ â"
    )


@pytest.mark.parametrize(
    ("text", "characters", "fragments", "encoding"),
    [
        ("a" * 160, 160, 1, "GSM-7"),
        ("a" * 161, 161, 2, "GSM-7"),
        ("a" * 306, 306, 2, "GSM-7"),
        ("a" * 307, 307, 3, "GSM-7"),
        ("€" * 80, 160, 1, "GSM-7"),  # an extension character counts two
        ("[" * 81, 162, 2, "GSM-7"),
        ("ŵ" * 70, 70, 1, "UCS-2"),  # Welsh ŵ and ŷ are not in GSM-7
        ("Diolch, ŷ" + "a" * 62, 71, 2, "UCS-2"),
        ("ŵ" * 134, 134, 2, "UCS-2"),
        ("ŵ" * 135, 135, 3, "UCS-2"),
        ("", 0, 1, "GSM-7"),
    ],
)
def test_sms_length_counts_characters_and_fragments(text, characters, fragments, encoding):
    length = sms_length(text)
    assert (length.characters, length.fragments, length.encoding) == (characters, fragments, encoding)


def test_a_placeholder_inside_a_conditional_is_found():
    assert nested_conditional("((name?? Diolch, ((name)).))") == "name"
    assert nested_conditional("((Name ?? Thanks.)) ((reference))") == ""
