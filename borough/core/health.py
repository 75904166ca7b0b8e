"""`/healthz`: the process answers. `/readyz`: the database and the broker are reachable."""

from django.db import connection
from django.http import JsonResponse

from borough.identity.permissions import public_view


@public_view
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ready() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as error:  # noqa: BLE001 - report any failure as not ready
        return False, str(error)[:200]


def _broker_ready() -> tuple[bool, str]:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True, conn.transport_cls if isinstance(conn.transport_cls, str) else conn.transport.driver_type
    except Exception as error:  # noqa: BLE001
        return False, str(error)[:200]


@public_view
def readyz(request):
    database_ok, database_detail = _database_ready()
    broker_ok, broker_detail = _broker_ready()
    ready = database_ok and broker_ok
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {
            "database": {"ok": database_ok, "detail": database_detail},
            "broker": {"ok": broker_ok, "detail": broker_detail},
        },
    }
    return JsonResponse(body, status=200 if ready else 503)
