"""Celery tasks keep their database connection from one task to the next (Celery's fixup would close it around
every task), and close it, as Django does around a request, only when it is broken or past its age."""

import time

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from borough.channels.tasks import mail_ingest
from borough.core.task_connections import ConnectionsCheckedTask
from config.celery import app as celery_app


@celery_app.task(name="borough.tests.backend_process")
def backend_process() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return id(connection.connection)


def test_every_task_checks_its_connections_and_celery_reuses_them():
    assert isinstance(mail_ingest, ConnectionsCheckedTask)  # a platform task: no base of its own
    assert isinstance(backend_process, ConnectionsCheckedTask)
    assert DjangoWorkerFixup(celery_app).db_reuse_max == 500


@pytest.fixture
def kept_for_a_minute(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    connection.close()


@pytest.mark.django_db(transaction=True)  # no test transaction around it: closing is allowed, as in a worker
def test_a_connection_is_kept_across_tasks_until_it_is_past_its_age(kept_for_a_minute):
    backend_process()
    kept = connection.connection
    assert kept is not None
    backend_process()
    assert connection.connection is kept  # the same connection for the next task
    connection.close_at = time.monotonic() - 1  # now older than CONN_MAX_AGE
    backend_process()
    assert connection.connection is not None and connection.connection is not kept  # closed first, then a new one
