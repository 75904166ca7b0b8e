"""gunicorn in production: `gunicorn -c config/gunicorn.conf.py config.wsgi` (README, "In production").

One sync worker per core by default. A request here is mostly CPU, not waiting, so more processes than cores only
take turns: on a 2-core machine Open311 reports with a new resident each went at 343 a second with 2 workers, 306-331
with 4 and 303 with 6; API creation at 516 with 2 and 453-518 with 4 (docs/benchmarks.md). WEB_CONCURRENCY
(gunicorn's own variable) and PORT change it; command-line options (`--access-logfile -`, `--bind`) override it.
"""

import os

bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
worker_class = "sync"
timeout = 60  # a bill PDF or an export page is the slowest request; a worker stuck longer is restarted
graceful_timeout = 30  # a stopping worker finishes its request, and hands over its outbox messages (ADR 0023)
max_requests = 20000  # each worker is replaced now and then, so a slow leak never grows
max_requests_jitter = 2000
