"""The production web server's settings (config/gunicorn.conf.py) start gunicorn, which serves the app on PORT
with WEB_CONCURRENCY workers."""

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from borough.core.tests.test_health import unused_port


def children_of(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in found.read_text().split()] if found.exists() else []


def test_gunicorn_serves_the_app_with_its_configuration(tmp_path):
    port = unused_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "BOROUGH_TEST_DATABASE_NAME": str(settings.DATABASES["default"]["NAME"]),
        "BOROUGH_VAR_DIR": str(tmp_path),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz", headers={"Host": "localhost"})
                status = connection.getresponse().status
            except OSError:
                assert server.poll() is None, server.stderr.read().decode(errors="replace")
                time.sleep(0.25)
        assert status == 200
        assert len(children_of(server.pid)) == 2  # the workers WEB_CONCURRENCY asked for
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
