"""The embedded default: `borough demo_seed` and `borough serve` (as `make run` starts it)."""

import contextlib
import os
import re
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from borough.core.demo import DEMO_PASSWORD, DEMO_TENANTS, LOGO_DIR, demo_allowed
from borough.core.models import AuditEvent
from borough.identity.models import Membership
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope

SERVE_START_SECONDS = 90


@pytest.fixture
def demo_env(db, monkeypatch):
    # SQLite allows the demo as it is; PostgreSQL (the CI run) must ask for it, as a real installation would.
    monkeypatch.setenv("BOROUGH_DEMO", "1")


def seed(*args) -> str:
    out = StringIO()
    call_command("demo_seed", *args, stdout=out)
    return out.getvalue()


def roles_of(tenant: Tenant) -> dict[str, list[str]]:
    with tenant_scope(tenant):
        return {m.user.username: m.roles for m in Membership.objects.select_related("user")}


def test_demo_seed_creates_the_three_tenants_with_their_branding(demo_env):
    seed()
    northfield, southvale, brightside = (Tenant.objects.get(slug=s) for s in ("northfield", "southvale", "brightside"))
    assert (northfield.name, northfield.kind, northfield.brand_colour) == (
        "Northfield District Council",
        "council",
        "#00703c",
    )
    assert (southvale.kind, southvale.brand_colour, southvale.nation) == ("council", "#4c2c92", "england-and-wales")
    assert (brightside.kind, brightside.brand_colour) == ("business", "#f47738")
    assert sorted(brightside.enabled_modules) == ["hr", "itsm", "payroll", "procurement"]
    assert "crm" in northfield.enabled_modules and "revenues" in northfield.enabled_modules
    assert list(brightside.domains.values_list("domain", flat=True)) == ["brightside-bakery.localhost"]
    logos = {t.logo_svg for t in (northfield, southvale, brightside)}
    assert len(logos) == 3 and all(logo.lstrip().startswith("<svg") for logo in logos)
    with tenant_scope(northfield):
        assert AuditEvent.objects.filter(action="tenant.create").exists()


def test_demo_seed_creates_the_staff_with_their_roles_and_the_provider_user(demo_env):
    output = seed("--port", "8123")
    users = get_user_model().objects
    provider = users.get(username="provider")
    assert provider.is_provider_staff and provider.check_password(DEMO_PASSWORD)
    northfield = roles_of(Tenant.objects.get(slug="northfield"))
    assert northfield == {
        "northfield-admin": ["tenant.admin"],
        "northfield-agent": ["crm.agent"],
        "northfield-payroll": ["payroll.administrator"],
        "northfield-revenues": ["revenues.officer"],
        "northfield-supervisor": ["crm.agent", "crm.supervisor"],
    }
    assert roles_of(Tenant.objects.get(slug="brightside"))["brightside-payroll"] == ["payroll.administrator"]
    assert users.get(username="northfield-agent").check_password(DEMO_PASSWORD)
    assert users.get(username="northfield-agent").get_full_name() == "Nathan Agent"
    assert not users.get(username="northfield-admin").is_provider_staff
    # Each tenant's staff belong to that tenant only.
    assert "southvale-agent" not in northfield
    # The sign-in table: URL, username, password and roles of every demo user.
    assert "URL" in output and "Username" in output and "Password" in output and "Roles" in output
    assert "http://localhost:8123/" in output
    row = r"http://northfield\.localhost:8123/staff/ +northfield-supervisor +borough-demo-only +"
    row += r"crm\.agent, crm\.supervisor\n"
    assert re.search(row, output)
    assert output.count(DEMO_PASSWORD) == 1 + sum(len(spec.users) for spec in DEMO_TENANTS)


def test_demo_seed_is_idempotent(demo_env):
    seed()
    counts = (Tenant.objects.count(), get_user_model().objects.count())
    with tenant_scope(Tenant.objects.get(slug="northfield")):
        events = AuditEvent.objects.count()
    again = seed()
    assert "nothing created" in again
    assert (Tenant.objects.count(), get_user_model().objects.count()) == counts
    with tenant_scope(Tenant.objects.get(slug="northfield")):
        assert AuditEvent.objects.count() == events


def test_demo_seed_skips_a_tenant_that_exists(demo_env, make_tenant):
    existing = make_tenant("northfield", name="Northfield Town Council", brand_colour="#123456")
    output = seed()
    assert "Created demo tenants: southvale, brightside" in output
    existing.refresh_from_db()
    assert (existing.name, existing.brand_colour) == ("Northfield Town Council", "#123456")
    assert "northfield-agent" not in roles_of(existing)


def test_demo_data_is_refused_off_sqlite_unless_asked_for(monkeypatch):
    monkeypatch.delenv("BOROUGH_DEMO", raising=False)
    assert demo_allowed(vendor="sqlite")
    assert not demo_allowed(vendor="postgresql")
    monkeypatch.setenv("BOROUGH_DEMO", "1")
    assert demo_allowed(vendor="postgresql")


def test_demo_seed_command_refuses_on_postgresql_without_borough_demo(on_postgres, monkeypatch):
    monkeypatch.delenv("BOROUGH_DEMO", raising=False)
    with pytest.raises(CommandError, match="BOROUGH_DEMO=1"):
        seed()
    assert not Tenant.objects.exists()


def test_a_bad_port_is_a_clear_error(demo_env):
    with pytest.raises(CommandError, match="'eighty' is not a port number"):
        seed("--port", "eighty")


def test_the_demo_logos_are_distinct_svg_images():
    roots = [ET.parse(LOGO_DIR / f"{spec.slug}.svg").getroot() for spec in DEMO_TENANTS]
    assert all(root.tag == "{http://www.w3.org/2000/svg}svg" for root in roots)
    assert len({(LOGO_DIR / f"{spec.slug}.svg").read_bytes() for spec in DEMO_TENANTS}) == len(DEMO_TENANTS)


# `borough serve`, as a separate process on a fresh SQLite database: what `make run` starts.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_env(var_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_OWNER_URL", "BROKER_URL"}}
    env.pop("BOROUGH_DEMO", None)
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", BOROUGH_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


def get(port: int, path: str, host: str = "localhost") -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": f"{host}:{port}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until_up(process: subprocess.Popen, port: int, log) -> None:
    deadline = time.monotonic() + SERVE_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"borough serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"borough serve did not answer /healthz in {SERVE_START_SECONDS} s:\n{log.read_text()}")


def wait_for_text(log, text: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while text not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)


def wait_for_row(database: Path, query: str, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(database, timeout=10)) as connection:
            row = connection.execute(query).fetchone()
        if row is not None:
            return row[0]
        time.sleep(0.2)
    return None


def test_borough_serve_starts_on_a_fresh_database_with_demo_data_and_an_in_process_worker(tmp_path):
    port, mail_port, notify_port, log = free_port(), free_port(), free_port(), tmp_path / "serve.log"
    notify_url = f"http://127.0.0.1:{notify_port}"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "config.cli", "serve"],
            env={
                **serve_env(tmp_path),
                "PORT": str(port),
                "MAIL_PORT": str(mail_port),
                "BOROUGH_DEMO_NOTIFY_URL": notify_url,
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(process, port, log)
        status, portal = get(port, "/", host="northfield.localhost")
        assert status == 200 and "Northfield District Council" in portal
        status, _ = get(port, "/", host="brightside-bakery.localhost")  # a custom domain
        assert status == 200
        assert get(port, "/static/build/govuk.css")[0] == 200  # DEBUG: WhiteNoise serves from the finders
        status, console = get(port, "/")
        assert status == 200 and "Sign in to the provider console" in console  # redirected to sign in
        # The start-up check task went from the web server's thread to the worker in the main thread.
        wait_for_text(log, "The in-process worker is running tasks.")
        # An email to the demo council's contact@ address becomes a case, through the gateway and the worker.
        with smtplib.SMTP("127.0.0.1", mail_port, timeout=30) as client:
            client.sendmail(
                "resident@example.org",
                ["contact@northfield.localhost"],
                b"From: A Resident <resident@example.org>\r\nSubject: Bench broken in the park\r\n\r\nIt wobbles.\r\n",
            )
        assert wait_for_row(tmp_path / "borough.sqlite3", "SELECT outcome FROM channels_inboundemail") == "case_created"
        # Text messages: the local Notify stand-in answers like Notify (a request without its JWT is refused) ...
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{notify_url}/v2/notifications", timeout=10)
        assert refused.value.code == 401 and "AuthError" in refused.value.read().decode()
        # ... and a text sent to the council comes in through Notify's callback, with the demo's bearer token.
        text = urllib.request.Request(
            f"http://127.0.0.1:{port}/callbacks/notify/inbound-sms",
            data=b'{"id": "demo-1", "source_number": "447700900123", "destination_number": "07700900000", '
            b'"message": "STOP", "date_received": "2026-11-26T09:00:00Z"}',
            headers={
                "Host": f"northfield.localhost:{port}",
                "Content-Type": "application/json",
                "Authorization": "Bearer demo-notify-callback-token",
            },
        )
        with urllib.request.urlopen(text, timeout=10) as answer:
            assert answer.status in (200, 201)
        assert wait_for_row(tmp_path / "borough.sqlite3", "SELECT outcome FROM channels_notify_inboundsms") == "stopped"
    finally:
        process.send_signal(signal.SIGTERM)  # what Ctrl-C does too: Celery's warm shutdown
        try:
            returncode = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    text = log.read_text()
    assert "The in-process worker is running tasks." in text
    assert f"http://northfield.localhost:{port}/" in text and "northfield-admin" in text and DEMO_PASSWORD in text
    assert (tmp_path / "borough.sqlite3").exists()
    assert returncode == 0, text


def test_borough_serve_says_clearly_when_the_port_is_taken(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "config.cli", "serve", "--port", str(port)],
            env=serve_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Port {port} is already in use on 127.0.0.1" in result.stderr
    assert "Migrating" not in result.stdout  # it stopped before touching the database
