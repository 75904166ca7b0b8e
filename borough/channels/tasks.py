"""Celery tasks of the channels: ingest a spooled email now, and sweep the spool for any left behind (the database
was down, a worker died)."""

import logging

from celery import shared_task
from django.db import DatabaseError

from borough.channels.email.ingest import ingest_spooled
from borough.channels.email.spool import spool_waiting

logger = logging.getLogger(__name__)
SWEEP_AFTER_SECONDS = 60  # younger files are still in their first ingestion's hands


@shared_task(name="borough.channels.tasks.mail_ingest", acks_late=True)
def mail_ingest(name: str) -> None:
    ingest_spooled(name)


@shared_task(name="borough.channels.tasks.mail_spool_sweep")
def mail_spool_sweep(older_than_seconds: float = SWEEP_AFTER_SECONDS) -> int:
    """Ingest every message still in the spool; returns how many were ingested. One failure does not stop the rest."""
    done = 0
    for name in spool_waiting(older_than_seconds):
        try:
            if ingest_spooled(name) is not None:
                done += 1
        except DatabaseError:
            logger.exception("Spooled mail %s not ingested yet; the next sweep retries it", name)
    return done
