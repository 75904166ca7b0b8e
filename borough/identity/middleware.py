"""After authentication: what the user may do in this tenant (membership roles, or a current support grant)."""

from django.utils import timezone

from borough.core.audit import Actor, current_actor
from borough.identity.models import Membership, SupportAccess


class MembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.support_access = None
        request.roles = frozenset()
        user = request.user
        # Always set (and reset) the actor, so an API key's actor set deeper down never outlives the request.
        token = current_actor.set(Actor.for_user(user) if user.is_authenticated else None)
        if user.is_authenticated and request.tenant is not None:
            self._load_roles(request, user)
        try:
            return self.get_response(request)
        finally:
            current_actor.reset(token)

    @staticmethod
    def _load_roles(request, user) -> None:
        membership = Membership.objects.filter(user=user, is_active=True).first()
        if membership is not None:
            request.membership = membership
            request.roles = frozenset(membership.roles)
            return
        if user.is_provider_staff:
            now = timezone.now()
            grant = (
                SupportAccess.objects.filter(
                    user=user, revoked_at__isnull=True, granted_at__lte=now, expires_at__gt=now
                )
                .order_by("-expires_at")
                .first()
            )
            if grant is not None:
                request.support_access = grant
                request.roles = frozenset(grant.roles)
