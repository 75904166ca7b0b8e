"""The channel report's choices (a date range and weekly or monthly shift) and its CSV download, shared by the
staff dashboard and the provider console."""

import csv
import datetime

from django import forms
from django.http import HttpResponse

from borough.crm.calc.channels import duration_text
from borough.crm.channel_report import (
    CHANNEL_LABELS,
    MAX_DAYS,
    MONTH,
    WEEK,
    ChannelReport,
    DailyContacts,
    default_range,
)
from borough.crm.desk.charts import stacked_chart

EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"


class ChannelReportForm(forms.Form):
    """From and to (local days, both included; the last 28 days unless chosen) and the shift's period."""

    since = forms.DateField(
        label="From", widget=DateInput(format="%Y-%m-%d"), help_text="The first day, for example 2026-11-01."
    )
    until = forms.DateField(label="To", widget=DateInput(format="%Y-%m-%d"), help_text="The last day, included.")
    shift = forms.ChoiceField(
        label="Channel shift by", choices=[(WEEK, "Week (last 12 weeks)"), (MONTH, "Month (last 12 months)")]
    )

    def __init__(self, data=None, **kwargs):
        since, until = default_range()
        defaults = {"since": since.isoformat(), "until": until.isoformat(), "shift": WEEK}
        # Each choice left out takes its default, so the page without a query string is the default report.
        data = {**defaults, **{key: data.get(key) for key in data}} if data else defaults
        super().__init__(data, **kwargs)

    def clean_since(self):
        return _within_reason(self.cleaned_data["since"])

    def clean_until(self):
        return _within_reason(self.cleaned_data["until"])

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until:
            if since > until:
                self.add_error("until", "The last day must be on or after the first day")
            elif (until - since).days >= MAX_DAYS:
                self.add_error("until", f"Choose a period of at most {MAX_DAYS} days")
        return cleaned


def _within_reason(day: datetime.date) -> datetime.date:
    # The far ends of the calendar would overflow the day-after arithmetic: a clear error, not a 500.
    if not EARLIEST <= day <= LATEST:
        raise forms.ValidationError("Enter a date from 1 January 2000 to 31 December 2099")
    return day


def _csv_cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def contacts_csv_response(daily: DailyContacts, *, name: str) -> HttpResponse:
    """Contacts per day per channel, one row each (zeros included), as a download."""
    first, last = daily.rows[0].day, daily.rows[-1].day
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contacts-{name}-{first}-to-{last}.csv"'
    writer = csv.writer(response)
    writer.writerow(["date", "channel", "channel_name", "contacts"])
    for row in daily.rows:
        for channel, count in zip(daily.channels, row.counts, strict=True):
            writer.writerow([row.day.isoformat(), _csv_cell(channel), CHANNEL_LABELS.get(channel, channel), count])
    return response


def channel_report_context(report: ChannelReport, *, chart_prefix: str = "chart") -> dict:
    """What the shared template `crm/desk/includes/channel_report.html` shows: the report, its charts and its
    response times in words."""
    daily = report.daily
    shift = report.shift

    def period(start) -> str:
        return f"{start.day} {start:%b}" if report.unit == WEEK else f"{start:%b %Y}"

    return {
        "report": report,
        "daily_chart": stacked_chart(
            chart_id=f"{chart_prefix}-contacts",
            title=f"Contacts per day by channel, {_day(report.since)} to {_day(report.until)}",
            series=report.channel_labels,
            columns=[(f"{row.day.day} {row.day:%b}", list(row.counts)) for row in daily.rows],
        ),
        "shift_chart": stacked_chart(
            chart_id=f"{chart_prefix}-shift",
            title=f"Share of contacts by channel, each {report.unit} of the last {len(shift.periods)}",
            series=report.shift_labels,
            columns=[(period(p.start), [float(s or 0) for s in p.shares]) for p in shift.periods],
            maximum=100,
            suffix="%",
        ),
        "responses": [
            (
                row,
                duration_text(row.median.total_seconds()) if row.median is not None else None,
                duration_text(row.p90.total_seconds()) if row.p90 is not None else None,
            )
            for row in report.responses
        ],
    }


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"
