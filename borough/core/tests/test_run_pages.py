"""The staff pages of batch runs (list, live progress, starting an audit export) and the runs API."""

from datetime import date

import pytest
from django.core.cache import cache
from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.core.models import Run
from borough.core.runs import run_execute, run_start
from borough.core.tests.runs_helpers import add_events, uk
from borough.identity.services import apikey_create
from borough.tenancy.scope import tenant_scope

HOME = "/staff/runs/"
START = "/staff/runs/audit-export/"
API = "/api/v1/runs/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # API throttling counts in the cache, which outlives a test's database


@pytest.fixture
def admin(tenant_a, make_staff, client_for):
    return client_for(tenant_a, make_staff(tenant_a, ("tenant.admin",), username="ada"))


@pytest.fixture
def agent(tenant_a, make_staff, client_for):
    return client_for(tenant_a, make_staff(tenant_a, ("crm.agent",), username="carol"))


def a_run(tenant, first="2026-01-01", last="2026-01-02", execute=False) -> Run:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        run = run_start(tenant=tenant, kind="core.audit_export", parameters={"from": first, "to": last}, dispatch=False)
        return run_execute(run=run) if execute else run


def dates(first=("1", "1", "2026"), last=("31", "1", "2026")) -> dict:
    parts = ("day", "month", "year")
    return {**{f"from-{p}": v for p, v in zip(parts, first)}, **{f"to-{p}": v for p, v in zip(parts, last)}}


def test_the_list_shows_the_tenants_runs_to_any_member(tenant_a, tenant_b, agent, admin):
    mine, theirs = a_run(tenant_a), a_run(tenant_b)
    page = agent.get(HOME)
    assert page.status_code == 200
    assert f'href="/staff/runs/{mine.pk}/"' in page.text and "Audit log export" in page.text
    assert f'href="/staff/runs/{theirs.pk}/"' not in page.text
    assert START not in page.text  # only an administrator may start an export
    assert START in admin.get(HOME).text


def test_a_running_run_polls_its_progress_and_offers_a_refresh_link(tenant_a, agent):
    run = a_run(tenant_a)
    with tenant_scope(tenant_a):
        Run.objects.filter(pk=run.pk).update(
            status="running", started_at=timezone.now(), total_items=8, processed_items=2, succeeded_items=2
        )
    page = agent.get(f"/staff/runs/{run.pk}/")
    assert page.status_code == 200
    html = page.text
    assert f'hx-get="/staff/runs/{run.pk}/progress/" hx-trigger="every 2s"' in html
    assert '<progress id="run-progress-bar" class="borough-progress" max="100" value="25">25%</progress>' in html
    assert "25% done" in html and "2 of 8" in html
    assert 'class="govuk-tag govuk-tag--blue">Running<' in html
    assert f'href="/staff/runs/{run.pk}/">Refresh' in html
    assert "Requested" in html  # the audit history
    assert "Cancel this run" not in html  # not an administrator

    partial = agent.get(f"/staff/runs/{run.pk}/progress/")
    assert partial.status_code == 200 and "<html" not in partial.text
    assert 'hx-trigger="every 2s"' in partial.text and "25% done" in partial.text


def test_a_finished_run_stops_polling_and_shows_its_outcome_errors_and_file(tenant_a, admin):
    add_events(tenant_a, uk(date(2026, 1, 1)), uk(date(2026, 1, 2)))
    run = a_run(tenant_a, execute=True)
    with tenant_scope(tenant_a):
        Run.objects.filter(pk=run.pk).update(errors=[{"chunk": 2, "item": "2026-01-02", "message": "A bad row"}])
    partial = admin.get(f"/staff/runs/{run.pk}/progress/")
    assert "hx-trigger" not in partial.text and "Refresh" not in partial.text
    assert 'value="100">100%</progress>' in partial.text and "Succeeded" in partial.text
    assert "A bad row" in partial.text and "<caption" in partial.text
    assert f'href="/staff/runs/{run.pk}/download/"' in partial.text
    assert "hx-swap-oob" not in partial.text
    polled = admin.get(f"/staff/runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert '<div id="run-actions" hx-swap-oob="true"></div>' in polled.text  # removes Refresh and Cancel

    download = admin.get(f"/staff/runs/{run.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "text/csv"
    assert f'filename="northfield-run-{run.pk}-audit-export.csv"' in download["Content-Disposition"]
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,occurred_at") and len(lines) == 3


def test_an_administrator_can_cancel_a_run_that_has_not_finished(tenant_a, admin):
    queued, finished = a_run(tenant_a), a_run(tenant_a, execute=True)
    assert f'action="/staff/runs/{queued.pk}/cancel/"' in admin.get(f"/staff/runs/{queued.pk}/").text
    page = admin.get(f"/staff/runs/{finished.pk}/").text
    assert "Cancel this run" not in page and "Refresh" not in page and 'id="run-actions"' not in page


def test_only_an_administrator_downloads_and_only_a_finished_export(tenant_a, agent, admin):
    finished, queued = a_run(tenant_a, execute=True), a_run(tenant_a)
    assert agent.get(f"/staff/runs/{finished.pk}/download/").status_code == 403
    assert admin.get(f"/staff/runs/{queued.pk}/download/").status_code == 404


def test_another_tenants_run_is_not_found(tenant_a, tenant_b, admin):
    theirs = a_run(tenant_b, execute=True)
    for url in ("", "progress/", "download/"):
        assert admin.get(f"/staff/runs/{theirs.pk}/{url}").status_code == 404
    assert admin.post(f"/staff/runs/{theirs.pk}/cancel/").status_code == 404


def test_the_start_form_offers_last_month_in_govuk_date_inputs(admin, agent):
    page = admin.get(START)
    assert page.status_code == 200
    html = page.text
    for name in ("from-day", "from-month", "from-year", "to-day", "to-month", "to-year"):
        assert f'id="{name}" name="{name}"' in html and f'for="{name}"' in html
    assert 'class="govuk-date-input"' in html and "<legend" in html
    assert agent.get(START).status_code == 403


@pytest.mark.parametrize(
    ("data", "message", "target"),
    [
        ({}, "Enter the start date", "from-day"),
        (dates(first=("", "1", "2026")), "Start date must include a day", "from-day"),
        (dates(last=("31", "", "")), "End date must include a month and year", "to-month"),
        (dates(first=("30", "2", "2026")), "Start date must be a real date", "from-day"),
        (dates(first=("1", "1", "26")), "Year must include 4 numbers", "from-year"),
        (dates(first=("x", "1", "2026")), "Start date must be a real date", "from-day"),
        (dates(first=("1", "1", "20266")), "Year must include 4 numbers", "from-year"),
        (dates(last=("123", "1", "2026")), "End date must be a real date", "to-day"),
        (
            dates(first=("31", "1", "2026"), last=("1", "1", "2026")),
            "same as or after the start date",
            "to-day",
        ),
        (dates(first=("1", "1", "2024"), last=("31", "1", "2025")), "at most 366 days", "to-day"),
    ],
)
def test_bad_dates_get_400_with_an_error_summary_linking_to_the_input(admin, data, message, target):
    page = admin.post(START, data)
    assert page.status_code == 400
    html = page.text
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert f'<a href="#{target}">' in html and message in html
    assert f'id="{target}" name="{target}"' in html and "govuk-input--error" in html
    assert "<title>Error:" in html


def test_bad_dates_start_nothing(tenant_a, admin):
    admin.post(START, dates(first=("31", "1", "2026"), last=("1", "1", "2026")))
    with tenant_scope(tenant_a):
        assert Run.objects.count() == 0


def test_starting_an_export_runs_it_and_redirects_to_its_page(tenant_a, admin, django_capture_on_commit_callbacks):
    add_events(tenant_a, uk(date(2026, 1, 5)))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(START, dates())
    with tenant_scope(tenant_a):
        run = Run.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/runs/{run.pk}/"
    assert run.parameters == {"from": "2026-01-01", "to": "2026-01-31"} and run.created_by.username == "ada"
    assert run.status == "succeeded" and run.result["rows"] == 1
    page = admin.get(response["Location"])
    assert "Audit export" in page.text and "has started" in page.text and "Began" in page.text
    assert "Status: Succeeded (was Running)" in page.text and "1 succeeded, 0 failed" in page.text


def test_an_administrator_cancels_a_run(tenant_a, admin, agent):
    run = a_run(tenant_a)
    assert agent.post(f"/staff/runs/{run.pk}/cancel/").status_code == 403
    assert admin.get(f"/staff/runs/{run.pk}/cancel/").status_code == 405
    response = admin.post(f"/staff/runs/{run.pk}/cancel/", follow=True)
    assert "is cancelled" in response.text and "Cancelled" in response.text
    with tenant_scope(tenant_a):
        run.refresh_from_db()
    assert run.status == "cancelled"
    assert "already cancelled" in admin.post(f"/staff/runs/{run.pk}/cancel/", follow=True).text


def api_key(tenant, scopes=("runs",)) -> dict:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        _key, secret = apikey_create(tenant=tenant, name="Integration", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}


def test_the_api_lists_and_follows_runs_with_the_runs_scope(tenant_a, tenant_b, client_for):
    mine, theirs = a_run(tenant_a, execute=True), a_run(tenant_b)
    client, key = client_for(tenant_a), api_key(tenant_a)
    listing = client.get(API, **key)
    assert listing.status_code == 200
    assert [r["id"] for r in listing.json()["results"]] == [mine.pk]
    detail = client.get(f"{API}{mine.pk}/", **key).json()
    assert detail["status"] == "succeeded" and detail["percent_done"] == 100 and detail["title"] == "Audit log export"
    assert client.get(f"{API}{theirs.pk}/", **key).status_code == 404
    assert client.get(API, **api_key(tenant_a, scopes=("read",))).status_code == 403


def test_the_api_starts_an_export_and_answers_bad_parameters_field_by_field(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    client, key = client_for(tenant_a), {**api_key(tenant_a), "content_type": "application/json"}
    bad = client.post(
        API, {"kind": "core.audit_export", "parameters": {"from": "2026-02-01", "to": "2026-01-01"}}, **key
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"parameters": {"to": ["The end date must be the same as or after the start date"]}}
    unknown = client.post(API, {"kind": "payroll.run", "parameters": {}}, **key)
    assert unknown.status_code == 400 and "kind" in unknown.json()["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            API,
            {"kind": "core.audit_export", "parameters": {"from": "2026-01-01", "to": "2026-01-01"}},
            **key,
        )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "queued"
    assert (
        client.get(f"{API}{created.json()['id']}/", HTTP_AUTHORIZATION=key["HTTP_AUTHORIZATION"]).json()["status"]
        == "succeeded"
    )


def test_staff_need_the_admin_role_to_start_a_run_through_the_api(tenant_a, agent, admin):
    body = {"kind": "core.audit_export", "parameters": {"from": "2026-01-01", "to": "2026-01-01"}}
    assert agent.get(API).status_code == 200
    assert agent.post(API, body, content_type="application/json").status_code == 403
    assert admin.post(API, body, content_type="application/json").status_code == 201
