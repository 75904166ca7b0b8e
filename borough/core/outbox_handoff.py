"""Handing committed outbox messages to the workers a few at a time (ADR 0023).

Publishing a Celery task costs a web request about as much as one of its database statements. A message committed
by a request is therefore not published at once: it joins this process's hand-off, and a thread of the process
publishes what gathered in the last `window` seconds as one batch task per tenant (`outbox_deliver_batch_task`,
at most BATCH_SIZE messages each). The message is already committed, so nothing is lost if the process dies
first or the broker refuses: `outbox_deliver_due` hands every pending message to a worker every 30 s.
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

Send = Callable[[int, list[int]], None]


class OutboxHandOff:
    def __init__(self, window: float, send: Send, batch_size: int):
        self.window, self.send, self.batch_size = window, send, batch_size
        self._start_in_this_process()

    def _start_in_this_process(self) -> None:
        # A forked child (a gunicorn or Celery worker) inherits the lists but not the thread: it starts its own.
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._waiting: dict[int, list[int]] = {}
        self._woken = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, tenant_id: int, message_id: int) -> None:
        if self._pid != os.getpid():
            self._start_in_this_process()
        with self._lock:
            self._waiting.setdefault(tenant_id, []).append(message_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="outbox-handoff", daemon=True)
                self._thread.start()
        self._woken.set()

    def flush(self) -> int:
        """Publish everything waiting now; the number of messages handed over."""
        with self._lock:
            waiting, self._waiting = self._waiting, {}
            self._woken.clear()
        handed = 0
        for tenant_id, ids in waiting.items():
            for start in range(0, len(ids), self.batch_size):
                batch = ids[start : start + self.batch_size]
                try:
                    self.send(tenant_id, batch)
                    handed += len(batch)
                except Exception:
                    logger.exception("Outbox messages %s of tenant %s wait for the periodic sweep", batch, tenant_id)
        return handed

    def _run(self) -> None:
        while True:
            self._woken.wait()
            time.sleep(self.window)  # let the messages of the next few requests join
            self.flush()


def _send_batch(tenant_id: int, message_ids: list[int]) -> None:
    from borough.core.tasks import outbox_deliver_batch_task  # the tasks module imports the outbox

    outbox_deliver_batch_task.delay(tenant_id=tenant_id, message_ids=message_ids)


_handoff: OutboxHandOff | None = None


def outbox_handoff() -> OutboxHandOff | None:
    """This process's hand-off, or None when messages go to the workers one by one (a window of 0, or tasks run
    eagerly, as in the tests)."""
    global _handoff  # noqa: PLW0603 - one per process, made on first use
    from celery import current_app
    from django.conf import settings

    from borough.core.outbox import BATCH_SIZE

    window = float(getattr(settings, "BOROUGH_OUTBOX_HANDOFF_SECONDS", 0))
    if window <= 0 or current_app.conf.task_always_eager:
        return None
    if _handoff is None:
        _handoff = OutboxHandOff(window, _send_batch, BATCH_SIZE)
        atexit.register(_handoff.flush)  # a worker stopping hands over what it holds
    return _handoff
