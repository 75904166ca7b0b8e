"""Celery tasks of the portal: thin, idempotent, calling the code that does the work."""

from celery import shared_task

from borough.portal.purge import portal_purge


@shared_task
def portal_purge_task() -> dict[str, int]:
    purged = portal_purge()
    return {"upload_folders": purged.upload_folders, "codes": purged.codes}
