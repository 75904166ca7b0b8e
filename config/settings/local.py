"""The embedded default of `make run`: SQLite under var/, in-process worker, demo data."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import env_bool

DEBUG = env_bool("DEBUG", True)
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
BOROUGH_SITE_SCHEME = os.environ.get("BOROUGH_SITE_SCHEME", "http")  # `borough serve` sets the port it listens on
