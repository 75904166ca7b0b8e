"""API authentication by tenant API key (`Authorization: Api-Key <key>`), and throttling per key."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions, throttling

from borough.core.audit import Actor, current_actor


class ApiKeyUser:
    """Stands for an API key where DRF expects a user."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_provider_staff = False

    def __init__(self, api_key):
        self.api_key = api_key
        self.pk = None

    def __str__(self) -> str:
        return f"API key {self.api_key.name}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(self.keyword + " "):
            return None
        from borough.identity.services import apikey_find

        if getattr(request._request, "tenant", None) is None:
            raise exceptions.AuthenticationFailed("API keys are used on a tenant's host name.")
        api_key = apikey_find(header[len(self.keyword) + 1 :].strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
            type(api_key).objects.filter(pk=api_key.pk).update(last_used_at=now)
        current_actor.set(Actor.for_api_key(api_key))
        return ApiKeyUser(api_key), api_key

    def authenticate_header(self, request):
        return self.keyword


class PerKeyThrottle(throttling.SimpleRateThrottle):
    """One budget per API key (or per staff user, or per address when anonymous)."""

    scope = "per_key"

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, ApiKeyUser):
            ident = f"key-{user.api_key.tenant_id}-{user.api_key.pk}"
        elif user and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"addr-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
