"""The /sign-in/ pages: start (to One Login), callback (back from it), sign-out, signed-out.

They exist only where the tenant has One Login enabled (else 404). The state and nonce sent live in the signed
session (borough.portal.session) and are used once. Every failure of the callback is a GOV.UK error page and an
audit event, and writes nothing else: the resident is recorded only after the ID token and userinfo check out.
"""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from borough.core.audit import Actor, acting_as
from borough.identity.permissions import public_view
from borough.portal.models import ResidentSignIn
from borough.portal.one_login import provider, services
from borough.portal.session import session_forget, session_read, session_write

PENDING = "one_login.pending"
RESIDENT = "one_login.resident"
PENDING_FOR = 15 * 60  # seconds a resident has to come back from One Login
SIGNED_IN_FOR = 8 * 60 * 60  # seconds a sign-in lasts in this session
NEXT = {"council-tax": "council_tax:start"}  # where a sign-in may return to; anything else goes home

TRY_AGAIN = "Try signing in again."
OTHER_WAY = "You can also see your council tax account with your account number and postcode."
PROBLEMS = {
    "access_denied": (400, "You did not finish signing in", f"You can sign in again. {OTHER_WAY}"),
    "state": (
        400,
        "Your sign-in could not be completed",
        f"This can happen if you went back, waited too long or opened the sign-in in another window. {TRY_AGAIN}",
    ),
    "unavailable": (503, "GOV.UK One Login is not available at the moment", f"Try again later. {OTHER_WAY}"),
    "refused": (
        502,
        "We could not confirm your sign-in",
        f"GOV.UK One Login's answer could not be checked. {TRY_AGAIN}",
    ),
    "provider_error": (502, "Sign-in did not work", f"GOV.UK One Login could not sign you in. {TRY_AGAIN}"),
}


def _client_or_404(request):
    client = services.one_login_client(request.tenant) if request.tenant is not None else None
    if client is None:
        raise Http404
    return client


def signed_in_resident(request) -> ResidentSignIn | None:
    """The resident signed in with One Login in this session (this tenant's), or None."""
    value = session_read(request, RESIDENT, max_age=SIGNED_IN_FOR)
    if not isinstance(value, dict) or not isinstance(value.get("id"), int):
        return None
    if services.one_login_client(request.tenant) is None:
        return None
    return ResidentSignIn.objects.filter(tenant=request.tenant, pk=value["id"]).first()


def _problem(request, client, kind: str, reason: str, *, next_code: str = ""):
    status, title, message = PROBLEMS[kind]
    with acting_as(Actor.system("citizen portal")):
        services.sign_in_failed(tenant=request.tenant, client=client, reason=reason)
    context = {"title": title, "message": message, "next_code": next_code if next_code in NEXT else ""}
    return render(request, "portal/one_login/problem.html", context, status=status)


@public_view
@never_cache
@require_GET
def start(request):
    client = _client_or_404(request)
    next_code = request.GET.get("next", "")
    if next_code == "council-tax" and not request.tenant.has_module("revenues"):
        next_code = ""
    state, nonce = provider.new_state_and_nonce()
    try:
        url = provider.authorisation_url(
            client,
            redirect_uri=request.build_absolute_uri(provider.CALLBACK_PATH),
            state=state,
            nonce=nonce,
            locale=getattr(request, "LANGUAGE_CODE", "en"),
        )
    except provider.OneLoginError as error:
        return _problem(request, client, "unavailable", error.reason, next_code=next_code)
    session_write(request, PENDING, {"state": state, "nonce": nonce, "next": next_code if next_code in NEXT else ""})
    return redirect(url)


@public_view
@never_cache
@require_GET
def callback(request):
    client = _client_or_404(request)
    pending = session_read(request, PENDING, max_age=PENDING_FOR)
    session_forget(request, PENDING)  # one use, whatever happens next
    next_code = pending.get("next", "") if isinstance(pending, dict) else ""
    state = request.GET.get("state", "")
    if not isinstance(pending, dict) or not state or not secrets.compare_digest(str(pending.get("state")), state):
        return _problem(request, client, "state", "state_mismatch" if pending else "state_missing", next_code=next_code)
    error = request.GET.get("error", "")
    if error:
        kind = "access_denied" if error == "access_denied" else "provider_error"
        return _problem(request, client, kind, f"provider:{error[:40]}", next_code=next_code)
    code = request.GET.get("code", "")
    if not code:
        return _problem(request, client, "provider_error", "code_missing", next_code=next_code)
    try:
        tokens = provider.token_request(
            client,
            code=code,
            redirect_uri=request.build_absolute_uri(provider.CALLBACK_PATH),
            nonce=str(pending.get("nonce", "")),
        )
        info = provider.userinfo(client, access_token=tokens.access_token, subject=str(tokens.claims["sub"]))
    except (provider.ProviderUnavailable, provider.KeyMissing) as failure:
        return _problem(request, client, "unavailable", failure.reason, next_code=next_code)
    except provider.OneLoginError as failure:
        return _problem(request, client, "refused", failure.reason, next_code=next_code)
    with transaction.atomic(), acting_as(Actor.system("citizen portal: One Login")):
        resident = services.resident_sign_in(tenant=request.tenant, info=info)
    request.session.cycle_key()  # a new session id for the signed-in session
    session_write(request, RESIDENT, {"id": resident.pk, "id_token": tokens.id_token})
    return redirect(NEXT.get(next_code, "portal:home"))


def forms_may_end_at_one_login(request, response):
    """The page holding a sign-out form lets forms go to One Login: the sign-out ends at One Login's end-session
    address, and browsers check a form's Content-Security-Policy `form-action` against every address its submission
    is redirected to (Chromium blocked the sign-out without this). Only for a signed-in resident."""
    client = services.one_login_client(request.tenant) if request.tenant is not None else None
    if client is None or signed_in_resident(request) is None:
        return response
    parts = urlsplit(client.issuer)
    policy = getattr(response, "_csp_config", None) or settings.SECURE_CSP
    response._csp_config = {
        **policy,
        "form-action": [*policy.get("form-action", []), f"{parts.scheme}://{parts.netloc}"],
    }
    return response


def sign_out_response(request):
    """End the whole portal session (the council tax account with it), then One Login's session."""
    client = services.one_login_client(request.tenant) if request.tenant is not None else None
    value = session_read(request, RESIDENT, max_age=SIGNED_IN_FOR)
    resident = signed_in_resident(request)
    request.session.flush()
    if client is None or resident is None or not isinstance(value, dict):
        return redirect("portal:one_login_signed_out") if client else redirect("portal:home")
    with acting_as(Actor.system("citizen portal: One Login")):
        services.resident_sign_out(tenant=request.tenant, resident=resident)
    url = provider.end_session_url(
        client,
        id_token=str(value.get("id_token", "")),
        post_logout_redirect_uri=request.build_absolute_uri(provider.SIGNED_OUT_PATH),
        state=secrets.token_urlsafe(16),
    )
    return redirect(url or "portal:one_login_signed_out")


@public_view
@never_cache
@require_POST
def sign_out(request):
    _client_or_404(request)
    return sign_out_response(request)


@public_view
@never_cache
@require_GET
def signed_out(request):
    _client_or_404(request)
    return render(request, "portal/one_login/signed_out.html")
