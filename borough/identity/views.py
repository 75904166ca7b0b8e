"""Staff sign-in: password (django-axes locks out repeated failures), then a TOTP second factor (django-otp)."""

import base64

import segno
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from borough.identity.forms import TokenForm
from borough.identity.permissions import public_view


def home_for(request) -> str:
    return "/staff/" if request.tenant is not None else "/"


class SignInView(LoginView):
    template_name = "identity/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return home_for(self.request)


sign_in = public_view(SignInView.as_view())


@public_view
@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("identity:login")


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return home_for(request)


@public_view
@login_required
def two_factor(request):
    """Verify the second factor, or set up an authenticator app when the user has none yet."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if user.is_verified():
        return redirect(_next_url(request))
    if confirmed is not None:
        device, setting_up = confirmed, False
    else:
        device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Authenticator app"})
        setting_up = True
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, throttle = device.verify_is_allowed()
        if not allowed:
            # django-otp slows guessing down after each wrong code.
            form.add_error("token", "Too many wrong codes. Wait a minute, then enter the newest code.")
        elif device.verify_token(form.cleaned_data["token"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
        else:
            form.add_error("token", "The security code is wrong or has expired. Try the newest code.")
    context = {"form": form, "setting_up": setting_up, "next": _next_url(request)}
    if setting_up:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, title="Authenticator QR code")
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["config_url"] = device.config_url
    return render(request, "identity/two_factor.html", context, status=400 if form.errors else 200)


@public_view
@login_required
def password_change(request):
    """Choose a new password; required after signing in with a set-up password someone else was shown."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.must_change_password = False
        user.save()
        update_session_auth_hash(request, user)
        messages.success(request, "Your password has been changed.")
        return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request), "required": request.user.must_change_password}
    return render(request, "identity/password_change.html", context, status=400 if form.errors else 200)
