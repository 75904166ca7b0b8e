"""`/healthz` (the process answers) and `/readyz` (the database and the broker answer), on every host."""

import socket
import time

import pytest
from django.test import Client

from config.celery import app as celery_app
from conftest import service_missing

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_at(monkeypatch):
    """Point the Celery app at another broker for one test (restored afterwards)."""

    def point(url: str) -> None:
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
        monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)

    return point


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "northfield.localhost", "nobody.example"])
def test_healthz_answers_json_on_every_host(host, make_tenant):
    make_tenant("northfield")
    response = Client(HTTP_HOST=host).get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_on_a_suspended_tenants_host(make_tenant):
    from borough.core.audit import Actor, acting_as
    from borough.tenancy.services import tenant_suspend

    tenant = make_tenant("northfield")
    with acting_as(Actor.system("test")):
        tenant_suspend(tenant=tenant, reason="Contract ended")
    assert Client(HTTP_HOST="northfield.localhost").get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_ready_when_database_and_broker_answer():
    response = Client(HTTP_HOST="localhost").get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ready",
        "checks": {"database": {"ok": True}, "broker": {"ok": True}},
    }


@pytest.mark.django_db
def test_readyz_answers_503_quickly_when_the_broker_is_unreachable(broker_at):
    broker_at(f"amqp://guest:guest@127.0.0.1:{unused_port()}//")
    started = time.monotonic()
    response = Client(HTTP_HOST="localhost").get("/readyz")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "not ready", "checks": {"database": {"ok": True}, "broker": {"ok": False}}}
    assert "guest" not in response.content.decode()  # the reason goes to the log, not to the world


@pytest.mark.django_db
def test_readyz_with_a_real_rabbitmq(broker_at):
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        service_missing("RabbitMQ on 127.0.0.1:5672")
    broker_at(RABBITMQ)
    response = Client(HTTP_HOST="localhost").get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"] == {"ok": True}
