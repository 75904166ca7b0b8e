import json
import socket
from datetime import date, datetime

import pytest
from django.utils import timezone

from borough.core import calendars
from borough.core.calendars import bank_holiday_list, bank_holidays, covered_years, working_calendar
from borough.tenancy.models import Tenant

EW, SCOTLAND, NI = "england-and-wales", "scotland", "northern-ireland"


def test_christmas_2026_in_england_and_wales():
    holidays = bank_holidays(EW)
    assert date(2026, 12, 25) in holidays
    assert date(2026, 12, 28) in holidays  # Boxing Day falls on a Saturday: substitute day
    assert date(2026, 12, 26) not in holidays


def test_nations_have_their_own_holidays():
    assert date(2026, 11, 30) in bank_holidays(SCOTLAND)  # St Andrew's Day
    assert date(2026, 11, 30) not in bank_holidays(EW)
    assert date(2026, 1, 2) in bank_holidays(SCOTLAND)
    assert date(2026, 3, 17) in bank_holidays(NI)  # St Patrick's Day
    assert date(2026, 7, 13) in bank_holidays(NI)  # Battle of the Boyne, substitute day
    assert date(2026, 3, 17) not in bank_holidays(EW)


def test_easter_monday_is_not_a_bank_holiday_in_scotland():
    easter_monday_2026 = date(2026, 4, 6)
    assert easter_monday_2026 in bank_holidays(EW)
    assert easter_monday_2026 in bank_holidays(NI)
    assert easter_monday_2026 not in bank_holidays(SCOTLAND)
    assert date(2026, 4, 3) in bank_holidays(SCOTLAND)  # Good Friday is


def test_every_tenant_nation_has_a_calendar():
    for nation in Tenant.Nation:
        assert len(bank_holidays(nation)) > 100
        assert working_calendar(nation).holidays == bank_holidays(nation)


def test_an_unknown_nation_is_refused_clearly():
    with pytest.raises(ValueError, match="Unknown nation 'wales': use one of england-and-wales, scotland"):
        bank_holidays("wales")


def test_holidays_have_their_names_in_date_order():
    holidays = [h for h in bank_holiday_list(SCOTLAND) if h.day.year == 2026]
    assert [h.day for h in holidays] == sorted(h.day for h in holidays)
    assert ("St Andrew’s Day", date(2026, 11, 30)) in {(h.title, h.day) for h in holidays}


def test_working_calendar_skips_christmas():
    calendar = working_calendar(EW)
    assert calendar.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert calendar.add_working_hours(datetime(2026, 12, 24, 16), 2) == datetime(2026, 12, 29, 10)
    assert working_calendar(SCOTLAND).next_working_day(date(2026, 11, 27)) == date(2026, 12, 1)
    assert working_calendar(EW).next_working_day(date(2026, 11, 27)) == date(2026, 11, 30)


def test_the_data_file_says_where_it_came_from_and_what_it_covers():
    data = json.loads(calendars.DATA_FILE.read_text(encoding="utf-8"))
    source = data["_source"]
    assert "https://www.gov.uk/bank-holidays.json" in source["data"]
    assert "govuk-bank-holidays 0.19" in source["copied_from"]
    assert source["copied_on"] == "2026-11-25"
    assert set(source["divisions"]) == set(Tenant.Nation.values) == set(data) - {"_source"}
    years = {date.fromisoformat(e["date"]).year for nation in Tenant.Nation.values for e in data[nation]["events"]}
    assert years == set(covered_years())
    for nation in Tenant.Nation.values:
        assert {h.year for h in bank_holidays(nation)} == set(covered_years()), nation


def test_the_shipped_data_covers_next_year():
    """A reminder, a year ahead: refresh data/bank-holidays.json from GOV.UK before its last year ends."""
    next_year = timezone.localdate().year + 1
    assert next_year in covered_years(), (
        f"borough/core/data/bank-holidays.json ends in {covered_years()[-1]}: copy the newer GOV.UK data in"
    )


def test_loading_the_calendars_never_touches_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the calendars tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    for cached in (
        calendars._data,
        calendars.bank_holiday_list,
        calendars.bank_holidays,
        calendars.working_calendar,
    ):
        cached.cache_clear()
    assert date(2026, 12, 25) in working_calendar(EW).holidays
