"""The desk's dashboard: volumes by channel and by service for a period, service-level attainment per service,
and contacts by channel (borough.crm.channel_report). Each table is one aggregate query (values().annotate());
the charts draw the same numbers."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from borough.crm.channel_report import channel_report, contacts_per_day
from borough.crm.channel_report_forms import ChannelReportForm, channel_report_context, contacts_csv_response
from borough.crm.desk.charts import bar_chart
from borough.crm.desk.views import crm_view
from borough.crm.models import Case, CaseChannel
from borough.staff.views import render_staff

PERIODS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days"}
DEFAULT_PERIOD = "30"


@dataclass(frozen=True)
class Attainment:
    service: str
    met: int
    missed: int
    pending: int

    @property
    def decided(self) -> int:
        return self.met + self.missed

    @property
    def percent(self) -> float | None:
        """Share of the cases whose outcome is known that were resolved by their due time."""
        return round(self.met * 100 / self.decided, 1) if self.decided else None


def volumes_by_channel(since) -> list[tuple[str, int]]:
    labels = dict(CaseChannel.choices)
    rows = Case.objects.filter(created_at__gte=since).values("channel").annotate(count=Count("id"))
    rows = rows.order_by("-count", "channel")
    return [(labels.get(row["channel"], row["channel"]), row["count"]) for row in rows]


def volumes_by_service(since) -> list[tuple[str, int]]:
    rows = Case.objects.filter(created_at__gte=since).values("service__name").annotate(count=Count("id"))
    return [(row["service__name"], row["count"]) for row in rows.order_by("-count", "service__name")]


def attainment_by_service(since, now) -> list[Attainment]:
    """Met: resolved (or closed) by the due time. Missed: resolved after it, or still open past it (a case paused
    while waiting on the resident counts as missed only if it was already past due when it paused). Pending:
    the rest, still within time."""
    finished = Q(finished__isnull=False)
    met = finished & Q(finished__lte=F("due_at"))
    overdue_open = Q(finished__isnull=True, due_at__lt=now) & (
        Q(sla_paused_at__isnull=True) | Q(sla_paused_at__gt=F("due_at"))
    )
    missed = (finished & Q(finished__gt=F("due_at"))) | overdue_open
    rows = (
        Case.objects.filter(created_at__gte=since)
        .annotate(finished=Coalesce("resolved_at", "closed_at"))
        .values("service__name")
        .annotate(total=Count("id"), met=Count("id", filter=met), missed=Count("id", filter=missed))
        .order_by("service__name")
    )
    return [
        Attainment(row["service__name"], row["met"], row["missed"], row["total"] - row["met"] - row["missed"])
        for row in rows
    ]


@crm_view
@require_GET
def dashboard(request):
    period = request.GET.get("days", DEFAULT_PERIOD)
    error = "" if period in PERIODS else "Choose a period from the list"
    if error:
        period = DEFAULT_PERIOD
    now = timezone.now()
    since = now - timedelta(days=int(period))
    channels, services, attainment = (
        volumes_by_channel(since),
        volumes_by_service(since),
        attainment_by_service(since, now),
    )
    label = PERIODS[period].lower()
    channel_form = ChannelReportForm(request.GET)
    context = {
        "channel_form": channel_form,
        **_channel_context(request, channel_form),
        "periods": PERIODS,
        "period": period,
        "period_error": error,
        "period_label": label,
        "channels": channels,
        "services": services,
        "attainment": attainment,
        "total": sum(count for _label, count in channels),
        "channel_chart": bar_chart(chart_id="chart-channel", title=f"Cases by channel, {label}", rows=channels),
        "service_chart": bar_chart(chart_id="chart-service", title=f"Cases by service, {label}", rows=services),
        "attainment_chart": bar_chart(
            chart_id="chart-attainment",
            title=f"Share resolved by the due time, by service, {label}",
            rows=[(row.service, row.percent) for row in attainment if row.percent is not None],
            maximum=100,
            suffix="%",
        ),
    }
    status = 400 if error or channel_form.errors else 200
    return render_staff(request, "crm/desk/dashboard.html", context, status=status)


def _channel_context(request, form: ChannelReportForm) -> dict:
    if not form.is_valid():
        return {}
    choice = form.cleaned_data
    report = channel_report(tenant=request.tenant, since=choice["since"], until=choice["until"], unit=choice["shift"])
    query = f"since={choice['since']:%Y-%m-%d}&until={choice['until']:%Y-%m-%d}"
    return {**channel_report_context(report), "csv_url": f"{reverse('crm:dashboard_contacts_csv')}?{query}"}


@crm_view
@require_GET
def contacts_csv(request):
    """The dashboard's contacts per day per channel as CSV (the same From and To)."""
    form = ChannelReportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    daily = contacts_per_day(tenant=request.tenant, since=since, until=until)
    return contacts_csv_response(daily, name=request.tenant.slug)
