"""The Celery app. The broker comes from BROKER_URL; without one, the embedded default runs an in-process worker
on an in-memory broker (see `borough serve`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Every task checks its database connections as Django does around a request (borough/core/task_connections.py).
app = Celery("borough", task_cls="borough.core.task_connections:ConnectionsCheckedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
