"""API authentication by tenant API key (`Authorization: Api-Key <key>`), and throttling per key.

The tenancy middleware has already entered the scope of the tenant named by the host, so the key is looked up
among that tenant's keys only (on PostgreSQL, also under row-level security): other tenants' keys are unknown.
"""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework import authentication, exceptions, throttling
from rest_framework.settings import api_settings

from borough.core.audit import Actor, current_actor

# Recording every use would write on every request; to the minute is enough to tell a key is still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyUser:
    """Stands for an API key where DRF (and Django, through `request.user`) expects a user."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_provider_staff = False

    def __init__(self, api_key):
        self.api_key = api_key
        self.pk = None

    def __str__(self) -> str:
        return f"API key {self.api_key.name}"

    def get_username(self) -> str:
        return f"api-key:{self.api_key.prefix}"

    def has_perm(self, perm, obj=None) -> bool:
        return False


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        scheme, _, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # not ours: let session authentication try
        from borough.identity.services import apikey_find

        tenant = getattr(request._request, "tenant", None)
        if tenant is None or not tenant.is_active:
            raise exceptions.AuthenticationFailed("API keys are used on an active tenant's host name.")
        api_key = apikey_find(key.strip())
        # The scope already limits the lookup to this tenant; checking again costs nothing (DESIGN.md rule 1).
        if api_key is None or api_key.tenant_id != tenant.pk:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            type(api_key).objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
        # Reset by MembershipMiddleware when the request ends.
        current_actor.set(Actor.for_api_key(api_key))
        return ApiKeyUser(api_key), api_key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 when credentials are missing or wrong.
        return self.keyword


class PerKeyThrottle(throttling.SimpleRateThrottle):
    """One budget per API key (or per staff user, or per address when anonymous)."""

    scope = "per_key"

    def get_rate(self):
        # DRF binds THROTTLE_RATES at import; reading the settings now lets tests and deployments change it.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as error:
            raise ImproperlyConfigured(f"Set REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'][{self.scope!r}].") from error

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, ApiKeyUser):
            ident = f"key-{user.api_key.tenant_id}-{user.api_key.pk}"
        elif user and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"addr-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
