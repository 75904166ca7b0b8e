"""Normalising emails, phone numbers, postcodes and names: tables of good and bad input, and idempotence."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from borough.people.normalise import (
    normalise_email,
    normalise_phone,
    normalise_postcode,
    postcode_outward,
    search_name,
)


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Jones@Example.COM ", "ann.jones@example.com"),
        ("o'brien+council@mail.example.org.uk", "o'brien+council@mail.example.org.uk"),
    ],
)
def test_good_emails(given_value, expected):
    assert normalise_email(given_value) == expected


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "Enter an email address"),
        ("   ", "Enter an email address"),
        ("ann", "not an email address"),
        ("ann@", "not an email address"),
        ("@example.com", "not an email address"),
        ("ann@@example.com", "not an email address"),
        ("ann example@example.com", "not an email address"),
    ],
)
def test_bad_emails_say_why(bad, message):
    with pytest.raises(ValueError, match=message):
        normalise_email(bad)


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("07700 900123", "+447700900123"),
        ("07700900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("+44 07700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("447700900123", "+447700900123"),  # as SMS gateways send it
        ("01632 960001", "+441632960001"),
        ("(01632) 960-001", "+441632960001"),
        ("020 7946 0958", "+442079460958"),
        ("+44 20 7946 0958", "+442079460958"),
        ("0800 123 456", "+44800123456"),
        ("0300 123 4567", "+443001234567"),
        ("+447700900123", "+447700900123"),
        ("+33 1 23 45 67 89", "+33123456789"),  # another country, in international form
        ("+1 (202) 555-0123", "+12025550123"),
    ],
)
def test_good_phone_numbers_become_e164(given_value, expected):
    assert normalise_phone(given_value) == expected


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "Enter a phone number"),
        ("call me", "use digits only"),
        ("07700 90012a", "use digits only"),
        ("7700 900123", "start a UK number with 0"),
        ("0770 090 012", "should have 11 digits"),  # a mobile with a digit missing
        ("077009001234", "should have 11 digits"),  # a digit too many
        ("01632 96000123", "should have 11 digits"),
        ("04632 960001", "not a UK phone number"),  # 04 is not in use
        ("+44 7700 9001", "not a UK phone number"),
        ("+123", "8 to 15 digits"),
        ("+0123456789", "8 to 15 digits"),
    ],
)
def test_bad_phone_numbers_say_why(bad, message):
    with pytest.raises(ValueError, match=message):
        normalise_phone(bad)


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("nf12ab", "NF1 2AB"),
        ("NF1 2AB", "NF1 2AB"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("M11AE", "M1 1AE"),
        ("B338TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN551PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir 0aa", "GIR 0AA"),
    ],
)
def test_good_postcodes(given_value, expected):
    assert normalise_postcode(given_value) == expected
    assert postcode_outward(expected) == expected.split()[0]


@pytest.mark.parametrize(
    "bad",
    ["NF1", "12345", "NF1 2A", "NF1 22B", "NFF1 2AB", "1NF 2AB", "NF1 2AB X", "N-F1 2AB", "SW1A 1AAA"],
)
def test_bad_postcodes_say_why(bad):
    with pytest.raises(ValueError, match="is not a UK postcode"):
        normalise_postcode(bad)


def test_an_empty_postcode_asks_for_one():
    with pytest.raises(ValueError, match="Enter a postcode"):
        normalise_postcode("  ")


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("Ann Jones", "ann jones"),
        ("  ANN   JONES  ", "ann jones"),
        ("Seán O'Brien", "sean obrien"),
        ("Seán O’Brien", "sean obrien"),
        ("Zoë Smith-Jones", "zoe smith jones"),
        ("Ms. J. R. R. Tolkien", "ms j r r tolkien"),
        ("Łukasz Żółć", "lukasz zolc"),
        ("Søren Kierkegaard", "soren kierkegaard"),
        ("Straße", "strasse"),
        ("Ζωή", "ζωη"),  # other scripts are kept, without accents
        ("Acme (Holdings) Ltd.", "acme holdings ltd"),
        ("𝔸nn", "ann"),  # mathematical letters fold to plain ones
        ("İlkay", "ilkay"),  # folding the case makes an accent, which goes too
        ("", ""),
        ("!!!", ""),
    ],
)
def test_search_names(given_value, expected):
    assert search_name(given_value) == expected


@given(st.text())
def test_search_name_is_idempotent(text):
    once = search_name(text)
    assert search_name(once) == once
    assert once == once.strip() and "  " not in once


def _idempotent(normalise, value):
    try:
        once = normalise(value)
    except ValueError:
        return
    assert normalise(once) == once


@given(st.text())
def test_normalising_any_text_is_idempotent_or_a_value_error(text):
    for normalise in (normalise_email, normalise_phone, normalise_postcode):
        _idempotent(normalise, text)


@given(st.from_regex(r"\A(\+44 ?\(0\)|\+44 ?|0044 ?|0)7[0-9]{3} ?[0-9]{3} ?[0-9]{3}\Z"))
def test_uk_mobiles_in_any_form_normalise_once(number):
    once = normalise_phone(number)
    assert once.startswith("+447") and len(once) == 13
    assert normalise_phone(once) == once


@given(st.from_regex(r"\A[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}\Z"))
def test_postcode_shapes_normalise_once(postcode):
    once = normalise_postcode(postcode)
    assert once == once.upper() and once.count(" ") == 1
    assert normalise_postcode(once) == once


@given(st.emails())
def test_emails_normalise_once(email):
    try:
        once = normalise_email(email)
    except ValueError:
        return  # hypothesis's emails are RFC 5322; Django's validator accepts a practical subset
    assert normalise_email(once) == once == email.strip().lower()
