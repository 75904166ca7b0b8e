"""Staff sign-in: password, TOTP second factor, lockout after repeated failures, membership and roles."""

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import host_of

PASSWORD = "correct-horse-battery-staple"


def sign_in(client: Client, username: str, password: str = PASSWORD, next_url: str = "/staff/"):
    return client.post(f"/accounts/sign-in/?next={next_url}", {"username": username, "password": password})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def agent(tenant_a, make_staff):
    return make_staff(tenant_a, roles=["crm.agent"], username="nf-agent")


def test_member_signs_in_and_reaches_staff_home(tenant_a, agent):
    client = Client(HTTP_HOST=host_of(tenant_a))
    response = sign_in(client, "nf-agent")
    assert response.status_code == 302 and response["Location"] == "/staff/"
    home = client.get("/staff/")
    assert home.status_code == 200
    assert "Northfield District Council" in home.content.decode()


def test_wrong_password_shows_an_error_summary(tenant_a, agent):
    response = sign_in(Client(HTTP_HOST=host_of(tenant_a)), "nf-agent", "wrong password")
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "govuk-error-summary" in body


def test_repeated_failures_lock_the_account_even_for_the_right_password(tenant_a, agent, settings):
    client = Client(HTTP_HOST=host_of(tenant_a))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "nf-agent", "wrong password")
    locked = sign_in(client, "nf-agent")
    assert locked.status_code == 429
    assert "Your account is locked" in locked.content.decode()
    assert client.get("/staff/").status_code == 302  # still signed out


def test_staff_pages_need_sign_in(tenant_a):
    response = Client(HTTP_HOST=host_of(tenant_a)).get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


def test_a_user_of_another_tenant_gets_404_not_403(tenant_a, tenant_b, make_staff, client_for):
    outsider = make_staff(tenant_b, roles=["tenant.admin"], username="sv-admin")
    assert client_for(tenant_a, outsider).get("/staff/").status_code == 404


def test_a_member_without_the_role_gets_403(tenant_a, make_staff, client_for):
    from borough.identity.permissions import staff_view

    @staff_view(roles=("payroll.administrator",))
    def payroll_only(request):  # pragma: no cover - never reached
        raise AssertionError

    from django.test import RequestFactory

    user = make_staff(tenant_a, roles=["crm.agent"], username="nf-agent-2")
    client = client_for(tenant_a, user)
    client.get("/staff/")  # a real request through the middleware builds request.roles
    request = RequestFactory().get("/staff/x/")
    request.tenant, request.user = tenant_a, user
    request.membership, request.support_access, request.roles = object(), None, frozenset({"crm.agent"})
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        payroll_only(request)


@override_settings(BOROUGH_REQUIRE_2FA=True, OTP_TOTP_THROTTLE_FACTOR=60)
def test_second_factor_set_up_then_required(tenant_a, agent):
    client = Client(HTTP_HOST=host_of(tenant_a))
    sign_in(client, "nf-agent")
    to_setup = client.get("/staff/")
    assert to_setup.status_code == 302 and to_setup["Location"] == "/accounts/two-factor/"
    setup_page = client.get("/accounts/two-factor/")
    assert "Set up your authenticator app" in setup_page.content.decode()
    device = TOTPDevice.objects.get(user=agent, confirmed=False)

    wrong = client.post("/accounts/two-factor/", {"token": "000000" if current_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "wrong or has expired" in wrong.content.decode()
    not_digits = client.post("/accounts/two-factor/", {"token": "12ab56"})
    assert not_digits.status_code == 400 and "6 digits" in not_digits.content.decode()

    throttled = client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert throttled.status_code == 400 and "Too many wrong codes" in throttled.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # as if the wait had passed

    verified = client.post("/accounts/two-factor/", {"token": current_code(device), "next": "/staff/"})
    assert verified.status_code == 302 and verified["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # A new session must give the code again, and is offered no new set-up.
    fresh = Client(HTTP_HOST=host_of(tenant_a))
    sign_in(fresh, "nf-agent")
    assert fresh.get("/staff/")["Location"] == "/accounts/two-factor/"
    assert "Enter your security code" in fresh.get("/accounts/two-factor/").content.decode()


def test_optional_second_factor_is_still_asked_once_set_up(tenant_a, agent):
    TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    client = Client(HTTP_HOST=host_of(tenant_a))
    sign_in(client, "nf-agent")
    assert client.get("/staff/")["Location"] == "/accounts/two-factor/"


def test_suspending_the_tenant_stops_its_signed_in_users_at_once(tenant_a, agent, client_for):
    from borough.tenancy.services import tenant_suspend

    client = client_for(tenant_a, agent)
    assert client.get("/staff/").status_code == 200
    tenant_suspend(tenant=tenant_a, reason="Contract ended on 31 March")
    refused = client.get("/staff/")
    assert refused.status_code == 503 and "suspended" in refused.content.decode()
    assert client.get("/api/v1/").status_code == 503


def test_sign_out(tenant_a, agent, client_for):
    client = client_for(tenant_a, agent)
    assert client.post("/accounts/sign-out/").status_code == 302
    assert client.get("/staff/").status_code == 302


def test_a_set_up_password_must_be_replaced_before_anything_else(tenant_a):
    from borough.identity.services import staff_user_invite
    from borough.tenancy.scope import tenant_scope

    with tenant_scope(tenant_a):
        _membership, setup_password = staff_user_invite(
            tenant=tenant_a,
            username="new-officer",
            email="officer@northfield.example",
            full_name="New Officer",
            roles=["crm.agent"],
        )
    client = Client(HTTP_HOST=host_of(tenant_a))
    sign_in(client, "new-officer", setup_password)
    redirected = client.get("/staff/")
    assert redirected.status_code == 302 and redirected["Location"].startswith("/accounts/password/")

    mismatch = client.post(
        "/accounts/password/",
        {
            "old_password": setup_password,
            "new_password1": "a-Long-new-passphrase-9",
            "new_password2": "something else entirely",
        },
    )
    assert mismatch.status_code == 400 and "There is a problem" in mismatch.content.decode()
    assert client.get("/staff/").status_code == 302

    changed = client.post(
        "/accounts/password/?next=/staff/",
        {
            "old_password": setup_password,
            "new_password1": "a-Long-new-passphrase-9",
            "new_password2": "a-Long-new-passphrase-9",
        },
    )
    assert changed.status_code == 302 and changed["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
