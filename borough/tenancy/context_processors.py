from django.conf import settings


def tenant(request):
    return {
        "tenant": getattr(request, "tenant", None),
        "provider_name": settings.BOROUGH_PROVIDER_NAME,
        "roles": getattr(request, "roles", frozenset()),
    }
