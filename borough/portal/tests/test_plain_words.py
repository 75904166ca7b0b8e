"""Parsing what residents type, and writing times back to them, the GOV.UK way."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from borough.portal.fields import clean_coordinate, clean_date_parts, clean_number, clean_time
from borough.portal.templatetags.portal_text import plain_when

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", time(14, 30)),
        ("14.30", time(14, 30)),
        ("2:30pm", time(14, 30)),
        ("2pm", time(14, 0)),
        ("9 am", time(9, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("7:05 P.M.", time(19, 5)),
        ("00:00", time(0, 0)),
    ],
)
def test_times_people_write_are_understood(text, expected):
    assert clean_time(text) == expected


@pytest.mark.parametrize("text", ["", "14", "25:00", "13pm", "0am", "9:60", "noonish", "14:3"])
def test_times_that_are_not_times_are_refused(text):
    with pytest.raises(ValidationError, match="Enter a real time"):
        clean_time(text)


@pytest.mark.parametrize(
    ("parts", "message", "code"),
    [
        (("", "3", "2025"), "The date must include a day", "day"),
        (("1", "", ""), "The date must include a month and a year", "month"),
        (("30", "2", "2025"), "The date must be a real date", "date"),
        (("x", "2", "2025"), "The date must be a real date", "date"),
        (("1", "2", "225"), "Year must include 4 numbers", "year"),
    ],
)
def test_dates_are_checked_part_by_part(parts, message, code):
    with pytest.raises(ValidationError) as raised:
        clean_date_parts(*parts)
    assert raised.value.messages == [message]
    assert raised.value.code == code


def test_a_real_date_is_a_date():
    assert clean_date_parts(" 29", "2", "2024").isoformat() == "2024-02-29"


@pytest.mark.parametrize(("text", "expected"), [("3", "3"), ("1,200", "1200"), ("2.5", "2.5"), ("-1", "-1")])
def test_numbers(text, expected):
    assert clean_number(text) == expected


@pytest.mark.parametrize("text", ["two", "NaN", "Infinity", "1e", ""])
def test_not_numbers(text):
    with pytest.raises(ValidationError):
        clean_number(text)


def test_coordinates_are_bounded():
    assert str(clean_coordinate("52.1234567", limit=90, name="latitude")) == "52.123457"
    assert clean_coordinate(" ", limit=90, name="latitude") is None
    with pytest.raises(ValidationError, match="between -180 and 180"):
        clean_coordinate("181", limit=180, name="longitude")


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (datetime(2025, 3, 14, 17, 0, tzinfo=LONDON), "5pm on Friday 14 March 2025"),
        (datetime(2025, 3, 14, 9, 30, tzinfo=LONDON), "9:30am on Friday 14 March 2025"),
        (datetime(2025, 3, 14, 12, 0, tzinfo=LONDON), "midday on Friday 14 March 2025"),
        (datetime(2025, 3, 15, 0, 0, tzinfo=LONDON), "midnight on Saturday 15 March 2025"),
        (datetime(2025, 7, 1, 16, 0, tzinfo=ZoneInfo("UTC")), "5pm on Tuesday 1 July 2025"),  # British Summer Time
    ],
)
def test_times_are_written_in_plain_words(moment, words):
    assert plain_when(moment) == words
