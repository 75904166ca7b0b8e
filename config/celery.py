"""The Celery app. The broker comes from BROKER_URL; without one, the embedded default runs an in-process worker
on an in-memory broker (see `borough serve`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("borough")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
