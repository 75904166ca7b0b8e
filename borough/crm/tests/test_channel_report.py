"""Channel reporting's figures are the data's: contacts per channel per local day, response times per channel
(median and 90th percentile by nearest rank), and each channel's share per week or month with its change."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from borough.crm.calc.channels import channel_shift, nearest_rank, percent_text, share, shift_summary
from borough.crm.channel_report import (
    CHANNEL_LABELS,
    channel_report,
    contacts_by_tenant,
    contacts_per_day,
    contacts_shift,
    response_times,
    shift_periods,
)
from borough.crm.models import Case, CaseEvent, Interaction, Service
from borough.tenancy.scope import all_tenants_scope, tenant_scope


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def contact(tenant, channel, when, *, direction="in", case=None, recorded_by=None):
    with tenant_scope(tenant):
        return Interaction.objects.create(
            tenant=tenant,
            channel=channel,
            direction=direction,
            summary="contact",
            occurred_at=when,
            case=case,
            recorded_by=recorded_by,
        )


def service_of(tenant):
    with tenant_scope(tenant):
        return Service.objects.get_or_create(tenant=tenant, code="bins", defaults={"name": "Bins"})[0]


def make_case(tenant, channel, created):
    with tenant_scope(tenant):
        number = Case.objects.count() + 1
        return Case.objects.create(
            tenant=tenant,
            reference=f"CHR-{number:05d}",
            service=service_of(tenant),
            channel=channel,
            description="Report",
            created_at=created,
            due_at=created + timedelta(days=5),
        )


def update(case, when, *, kind=CaseEvent.Kind.UPDATE):
    with tenant_scope(case.tenant):
        CaseEvent.objects.create(
            tenant=case.tenant, case=case, kind=kind, is_public=True, actor_label="Agent", occurred_at=when
        )


# Contacts per day


def test_contacts_are_inbound_interactions_per_channel_per_local_day(tenant_a, tenant_b):
    for when in (at(2026, 11, 1, 10), at(2026, 11, 1, 11)):
        contact(tenant_a, "web", when)
    contact(tenant_a, "phone", at(2026, 11, 1, 12))
    contact(tenant_a, "email", at(2026, 11, 1, 13), direction="out")  # a reply is not a contact
    contact(tenant_a, "sms", at(2026, 11, 3, 23, 59))
    contact(tenant_a, "web", at(2026, 10, 31, 23, 59))  # the day before the range
    contact(tenant_a, "web", at(2026, 11, 4, 0, 0))  # the day after
    contact(tenant_b, "post", at(2026, 11, 2, 9))  # another tenant's

    with tenant_scope(tenant_a):
        daily = contacts_per_day(tenant=tenant_a, since=date(2026, 11, 1), until=date(2026, 11, 3))
    assert daily.channels == ("web", "phone", "sms")
    assert [(row.day, row.counts) for row in daily.rows] == [
        (date(2026, 11, 1), (2, 1, 0)),
        (date(2026, 11, 2), (0, 0, 0)),
        (date(2026, 11, 3), (0, 0, 1)),
    ]
    assert daily.totals == (2, 1, 1) and daily.total == 4


def test_days_are_london_days_in_summer_time(tenant_a):
    contact(tenant_a, "web", at(2026, 7, 1, 23, 30))  # 00:30 on 2 July in London (BST)
    with tenant_scope(tenant_a):
        daily = contacts_per_day(tenant=tenant_a, since=date(2026, 7, 1), until=date(2026, 7, 2))
    assert [(row.day, row.total) for row in daily.rows] == [(date(2026, 7, 1), 0), (date(2026, 7, 2), 1)]


def test_a_range_without_contacts_lists_its_days_with_no_channels(tenant_a):
    with tenant_scope(tenant_a):
        daily = contacts_per_day(tenant=tenant_a, since=date(2026, 11, 1), until=date(2026, 11, 2))
    assert daily.channels == () and [row.total for row in daily.rows] == [0, 0]


# Response times


@pytest.fixture
def replies(tenant_a, tenant_b, make_staff):
    """Web: replies after 1, 2, 3, 4 and 10 hours, one case unanswered and one with only the automatic
    acknowledgement. Telephone: 30 minutes (a recorded call back before the update) and 90 minutes (an update
    before a recorded call). Email: one case, no reply. Plus cases outside the range and another tenant's."""
    agent = make_staff(tenant_a, ("crm.agent",), username="replier")
    start = at(2026, 11, 2, 9)
    for hours in (4, 1, 10, 3, 2):
        update(make_case(tenant_a, "web", start), start + timedelta(hours=hours))
    make_case(tenant_a, "web", start)
    acknowledged = make_case(tenant_a, "web", start)
    contact(tenant_a, "email", start, direction="out", case=acknowledged)  # automatic: no one recorded it
    called = make_case(tenant_a, "phone", start)
    contact(tenant_a, "phone", start + timedelta(minutes=30), direction="out", case=called, recorded_by=agent)
    update(called, start + timedelta(hours=2))
    updated = make_case(tenant_a, "phone", start)
    update(updated, start + timedelta(minutes=90))
    contact(tenant_a, "phone", start + timedelta(hours=5), direction="out", case=updated, recorded_by=agent)
    noted = make_case(tenant_a, "email", start)
    update(noted, start + timedelta(minutes=5), kind=CaseEvent.Kind.NOTE)  # an internal note is no reply
    update(make_case(tenant_a, "web", at(2026, 10, 30, 9)), at(2026, 10, 30, 10))  # created before the range
    update(make_case(tenant_b, "web", start), start + timedelta(minutes=1))  # another tenant's


def test_response_times_per_channel_of_arrival(tenant_a, replies):
    with tenant_scope(tenant_a):
        rows = response_times(tenant=tenant_a, since=date(2026, 11, 1), until=date(2026, 11, 7))
    assert [(r.channel, r.cases, r.responded, r.waiting, r.median, r.p90) for r in rows] == [
        ("web", 7, 5, 2, timedelta(hours=3), timedelta(hours=10)),
        ("email", 1, 0, 1, None, None),
        ("phone", 2, 2, 0, timedelta(minutes=30), timedelta(minutes=90)),
    ]
    assert [r.label for r in rows] == ["Web", "Email", "Telephone"]


def test_response_times_read_across_tenants_are_the_tenants_own(tenant_a, tenant_b, replies):
    with all_tenants_scope():
        a = response_times(tenant=tenant_a, since=date(2026, 11, 1), until=date(2026, 11, 7))
        b = response_times(tenant=tenant_b, since=date(2026, 11, 1), until=date(2026, 11, 7))
    assert [(r.channel, r.cases) for r in a] == [("web", 7), ("email", 1), ("phone", 2)]
    assert [(r.channel, r.cases, r.median) for r in b] == [("web", 1, timedelta(minutes=1))]


def test_the_report_is_a_few_aggregate_queries(tenant_a, replies):
    with tenant_scope(tenant_a), CaptureQueriesContext(connection) as queries:
        channel_report(tenant=tenant_a, since=date(2026, 11, 1), until=date(2026, 11, 7), today=date(2026, 11, 26))
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(("SELECT", "WITH"))]
    assert len(reads) == 4  # contacts per day, cases per channel, the ranked replies, the shift


# Channel shift


@pytest.fixture
def weekly(tenant_a):
    def many(channel, when, count):
        for n in range(count):
            contact(tenant_a, channel, when + timedelta(minutes=n))

    many("phone", at(2026, 9, 7, 9), 12)  # week of 7 September: 48% phone, 24% web, 28% email
    many("web", at(2026, 9, 13, 22), 6)  # Sunday evening: still that week
    many("email", at(2026, 9, 10, 9), 7)
    many("sms", at(2026, 10, 5, 9), 1)  # a week in between
    many("phone", at(2026, 11, 16, 0, 30), 7)  # week of 16 November: 35% phone, 45% web, 20% email
    many("web", at(2026, 11, 18, 9), 9)
    many("email", at(2026, 11, 22, 23), 4)
    many("web", at(2026, 11, 23, 9), 50)  # the current week is not over: left out
    many("web", at(2026, 8, 30, 9), 50)  # before the first of the 12 weeks


def test_each_channels_share_per_week_and_its_change(tenant_a, weekly):
    with tenant_scope(tenant_a):
        shift = contacts_shift(tenant=tenant_a, unit="week", today=date(2026, 11, 26))
    assert [p.start for p in shift.periods] == shift_periods("week", date(2026, 11, 26))
    assert shift.periods[0].start == date(2026, 8, 31) and shift.periods[-1].start == date(2026, 11, 16)
    assert shift.channels == ("web", "email", "phone", "sms")
    first, between, last = shift.periods[1], shift.periods[5], shift.periods[-1]
    assert first.counts == (6, 7, 12, 0) and last.counts == (9, 4, 7, 0)
    assert first.shares == (Decimal("24.0"), Decimal("28.0"), Decimal("48.0"), Decimal("0.0"))
    assert last.shares == (Decimal("45.0"), Decimal("20.0"), Decimal("35.0"), Decimal("0.0"))
    assert between.counts == (0, 0, 0, 1) and shift.periods[0].shares == (None, None, None, None)
    assert (shift.first, shift.last) == (date(2026, 9, 7), date(2026, 11, 16))
    assert [(c.channel, c.points) for c in shift.changes] == [
        ("web", Decimal("21.0")),
        ("phone", Decimal("-13.0")),
        ("email", Decimal("-8.0")),
    ]
    report = channel_report_for(tenant_a)
    assert report.shift_summary == (
        "From the week of 7 September 2026 to the week of 16 November 2026, Web rose from 24% to 45% of contacts; "
        "Telephone fell from 48% to 35%; Email fell from 28% to 20%."
    )


def channel_report_for(tenant):
    with tenant_scope(tenant):
        return channel_report(tenant=tenant, since=date(2026, 11, 1), until=date(2026, 11, 2), today=date(2026, 11, 26))


def test_months_are_london_months(tenant_a):
    contact(tenant_a, "web", at(2026, 9, 30, 23, 30))  # 00:30 on 1 October in London
    contact(tenant_a, "phone", at(2025, 11, 1, 0, 0))  # the first of the 12 months
    contact(tenant_a, "phone", at(2025, 10, 31, 23, 59))  # before it
    with tenant_scope(tenant_a):
        shift = contacts_shift(tenant=tenant_a, unit="month", today=date(2026, 11, 26))
    starts = [p.start for p in shift.periods]
    assert starts[0] == date(2025, 11, 1) and starts[-1] == date(2026, 10, 1) and len(starts) == 12
    totals = {p.start: p.counts for p in shift.periods if p.total}
    assert totals == {date(2025, 11, 1): (0, 1), date(2026, 10, 1): (1, 0)}


def test_a_bad_unit_is_refused(tenant_a):
    with tenant_scope(tenant_a), pytest.raises(ValueError, match="week or month"):
        contacts_shift(tenant=tenant_a, unit="year")


def test_shares_by_tenant_across_tenants(tenant_a, tenant_b):
    for channel in ("web", "web", "phone"):
        contact(tenant_a, channel, at(2026, 11, 2, 9))
    contact(tenant_b, "sms", at(2026, 11, 2, 9))
    contact(tenant_b, "sms", at(2026, 11, 9, 9))  # after the period
    with all_tenants_scope():
        channels, rows = contacts_by_tenant(since=date(2026, 11, 1), until=date(2026, 11, 7))
    assert channels == ["web", "phone", "sms"]
    assert rows[tenant_a.pk].counts == (2, 1, 0)
    assert rows[tenant_a.pk].shares == (Decimal("66.7"), Decimal("33.3"), Decimal("0.0"))
    assert rows[tenant_b.pk].counts == (0, 0, 1) and rows[tenant_b.pk].shares[2] == Decimal("100.0")


# The pure parts


def test_nearest_rank():
    assert [nearest_rank(n, 50) for n in (0, 1, 2, 3, 4, 5, 10)] == [0, 1, 1, 2, 2, 3, 5]
    assert [nearest_rank(n, 90) for n in (1, 2, 9, 10, 11, 100)] == [1, 2, 9, 9, 10, 90]
    with pytest.raises(ValueError):
        nearest_rank(5, 0)


def test_shares_round_half_up_and_print_without_a_needless_decimal():
    assert share(1, 8) == Decimal("12.5") and share(1, 3) == Decimal("33.3") and share(2, 3) == Decimal("66.7")
    assert share(1, 0) is None
    assert percent_text(Decimal("48.0")) == "48%" and percent_text(Decimal("12.5")) == "12.5%"


def test_the_summary_when_there_is_too_little_to_compare():
    monday = date(2026, 11, 16)
    empty = channel_shift(periods=[monday], channels=[], counts={})
    assert shift_summary(empty, CHANNEL_LABELS, first_label="", last_label="") == "No contacts in these periods."
    one = channel_shift(periods=[monday, monday + timedelta(7)], channels=["web"], counts={(monday, "web"): 3})
    assert shift_summary(one, CHANNEL_LABELS, first_label="the week of 16 November", last_label="x") == (
        "Only the week of 16 November had contacts, so there is no change to show."
    )
    same = channel_shift(
        periods=[monday, monday + timedelta(7)],
        channels=["web"],
        counts={(monday, "web"): 3, (monday + timedelta(7), "web"): 1},
    )
    assert shift_summary(same, CHANNEL_LABELS, first_label="a", last_label="b") == (
        "From a to b, Web stayed at 100% of contacts."
    )
