"""Settings for `make test`: the same database choice as the environment, fast hashing, eager tasks."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
AXES_FAILURE_LIMIT = 3
# Tests change settings rows directly between requests; the cache's own tests switch it on (ADR 0020).
BOROUGH_CONFIG_CACHE_SECONDS = 0
# A test that sends tasks to a real broker publishes each at once; the hand-off's own tests switch it on (ADR 0023).
BOROUGH_OUTBOX_HANDOFF_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A file, not memory, so a real Celery worker or a served page in another process sees the same test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    test_run_name = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{test_run_name}.sqlite3")}
# A real Celery worker started by a test (borough/core/tests/test_celery_worker.py) works on that test's database.
if os.environ.get("BOROUGH_TEST_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["BOROUGH_TEST_DATABASE_NAME"]
# Tests never collect static files: whitenoise serves them from the finders. It looks each one up when asked
# (autorefresh), instead of listing every static file each time a test client builds its middleware (about 0.15 s a
# client, a third of the suite's time).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
