import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()


def _load_every_view() -> None:
    """Import both URLconfs, and with them every view, while the worker starts: otherwise the first request to a
    tenant's site of each worker process pays for it (about 2 seconds of CPU)."""
    from django.conf import settings
    from django.urls import get_resolver

    for urlconf in (settings.ROOT_URLCONF, settings.BOROUGH_TENANT_URLCONF):
        get_resolver(urlconf).url_patterns  # noqa: B018 - the property imports the module


_load_every_view()
