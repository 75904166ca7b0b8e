"""Access rules, declared on views and API endpoints rather than written inside them.

Staff views: `@staff_view(roles=..., module=...)`. API views: `required_roles`, `required_scopes` and
`required_module` attributes, read by the default DRF permission class `IsTenantMember`. A test walks every URL
pattern and fails when a staff or API view declares nothing.

Outside the tenant, or without a membership (or a current support grant) of it, everything answers 404, exactly
like a page that does not exist. A member without the role gets 403.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from rest_framework import exceptions, permissions

from borough.identity.api_auth import ApiKeyUser


def may_use(request, *, roles=(), module: str | None = None) -> bool:
    tenant = request.tenant
    if module and not tenant.has_module(module):
        return False
    return not roles or bool(request.roles & set(roles))


def needs_second_factor(request) -> bool:
    user = request.user
    if settings.BOROUGH_REQUIRE_2FA:
        return not user.is_verified()
    from django_otp import user_has_device

    return user_has_device(user) and not user.is_verified()


def needs_new_password(request) -> bool:
    return request.user.must_change_password


def staff_view(*, roles=(), module: str | None = None):
    """A staff page of the tenant: login (and second factor), membership, module enabled, one of `roles`."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.tenant is None:
                raise Http404
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if needs_second_factor(request):
                return redirect("identity:two_factor")
            if needs_new_password(request):
                return redirect_to_login(request.get_full_path(), "identity:password_change")
            if request.membership is None and request.support_access is None:
                raise Http404
            if module and not request.tenant.has_module(module):
                raise Http404
            if roles and not request.roles & set(roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.borough_access = {"kind": "staff", "roles": tuple(roles), "module": module}
        return wrapped

    return decorate


def provider_view(view):
    """A page of the provider console: provider staff only (with a second factor when required)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.tenant is not None:
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if needs_second_factor(request):
            return redirect("identity:two_factor")
        if needs_new_password(request):
            return redirect_to_login(request.get_full_path(), "identity:password_change")
        if not request.user.is_provider_staff:
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.borough_access = {"kind": "provider"}
    return wrapped


def public_view(view):
    """A page anyone may see (the citizen portal, the login page)."""
    view.borough_access = {"kind": "public"}
    return view


class IsTenantMember(permissions.BasePermission):
    """Default API permission: a tenant API key with the view's `required_scopes`, or a staff member with one of
    its `required_roles`; the view's `required_module` must be enabled. Anyone else gets 404."""

    def has_permission(self, request, view) -> bool:
        tenant = getattr(request, "tenant", None)
        if tenant is None:
            raise exceptions.NotFound
        module = getattr(view, "required_module", None)
        if module and not tenant.has_module(module):
            raise exceptions.NotFound
        user = request.user
        if isinstance(user, ApiKeyUser):
            needed = set(getattr(view, "required_scopes", ()))
            if needed - set(user.api_key.scopes):
                raise exceptions.PermissionDenied(
                    "This API key lacks the scope this endpoint needs: " + ", ".join(sorted(needed))
                )
            return True
        if not user.is_authenticated:
            raise exceptions.NotAuthenticated
        django_request = request._request
        if django_request.membership is None and django_request.support_access is None:
            raise exceptions.NotFound
        if needs_second_factor(django_request):
            raise exceptions.PermissionDenied("Verify your second factor first.")
        roles = set(getattr(view, "required_roles", ()))
        if roles and not django_request.roles & roles:
            raise exceptions.PermissionDenied("Your roles do not allow this.")
        return True


class IsPublic(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return True
