"""`/healthz`: the process answers. `/readyz`: the database and the broker are reachable.

Both answer on every host, to anyone, so they say what failed but not why: the reason (which may name hosts or
users) goes to the log.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from borough.identity.permissions import public_view

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2


@public_view
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        logger.warning("readyz: the database is not reachable: %s", error)
        return False
    return True


def _broker_ready() -> bool:
    from config.celery import app

    try:
        with app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            # One attempt, no retries: a probe must answer quickly, and the orchestrator asks again.
            conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001
        logger.warning("readyz: the broker is not reachable: %s", error)
        return False
    return True


@public_view
@never_cache
def readyz(request):
    checks = {"database": {"ok": _database_ready()}, "broker": {"ok": _broker_ready()}}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)
