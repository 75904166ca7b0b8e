"""Database connections around Celery tasks, as Django handles them around requests.

Celery's Django fixup closes every connection before and after each task unless CELERY_DB_REUSE_MAX is set; a new
PostgreSQL connection a task (and its prepared statements, ADR 0020) cost more than a small task itself, so the
setting keeps them. Then, as Django does for each request, a connection that is broken or older than CONN_MAX_AGE is
closed before and after each task: `ConnectionsCheckedTask` is every task's base (config/celery.py), and
`borough.core.tasks_base.TenantTask` does the same.
"""

from celery import Task
from django.db import close_old_connections, connections


def close_stale_connections() -> None:
    # Inside an atomic block (an eager task in a test, or called inside a transaction) closing would break it.
    if not any(connection.in_atomic_block for connection in connections.all(initialized_only=True)):
        close_old_connections()


class ConnectionsCheckedTask(Task):
    def __call__(self, *args, **kwargs):
        close_stale_connections()
        try:
            return super().__call__(*args, **kwargs)
        finally:
            close_stale_connections()
