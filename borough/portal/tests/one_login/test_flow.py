"""Signing in with GOV.UK One Login against a local stand-in of its documented endpoints: the requests Borough makes,
and each way the callback can go wrong (a clear error page, an audit event, and no resident recorded)."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from borough.core.models import AuditEvent
from borough.portal.models import OneLoginClient, ResidentSignIn
from borough.portal.one_login import provider, services
from borough.portal.tests.one_login.conftest import CLIENT_ID, configure
from borough.portal.tests.one_login.helpers import query_of, sign_in, to_one_login
from borough.portal.tests.one_login.standin import OneLoginStandIn
from borough.tenancy.scope import tenant_scope

HOST = "http://northfield.localhost"


def residents(tenant) -> list[ResidentSignIn]:
    with tenant_scope(tenant):
        return list(ResidentSignIn.objects.all())


def failures(tenant) -> list[str]:
    with tenant_scope(tenant):
        events = AuditEvent.objects.filter(action=services.FAILED).order_by("pk")
        return [event.detail["reason"] for event in events]


def test_the_authorisation_request_is_one_logins_documented_one(resident, one_login, standin):
    response = resident.get("/sign-in/?next=council-tax")
    assert response.status_code == 302
    sent = query_of(response.url)
    assert response.url.startswith(standin.issuer + "authorize?")
    assert sent["response_type"] == "code" and sent["scope"] == "openid email phone"
    assert sent["client_id"] == CLIENT_ID and sent["redirect_uri"] == HOST + "/sign-in/callback/"
    assert sent["vtr"] == '["Cl.Cm"]' and sent["ui_locales"] == "en"
    assert len(sent["state"]) >= 32 and len(sent["nonce"]) >= 32 and sent["state"] != sent["nonce"]
    again = query_of(resident.get("/sign-in/").url)
    assert again["state"] != sent["state"] and again["nonce"] != sent["nonce"]


def test_a_resident_signs_in_and_is_recorded_with_userinfos_details(resident, one_login, standin, tenant_a):
    to_callback = to_one_login(resident, standin)
    before = resident.cookies["sessionid"].value
    response = resident.get(to_callback)
    assert response.status_code == 302 and response.url == "/council-tax/"
    assert resident.cookies["sessionid"].value != before  # a new session key on sign-in
    [person] = residents(tenant_a)
    assert (person.subject, person.email, person.email_verified, person.phone) == (
        standin.subject,
        "ann@example.org",
        True,
        "+447700900123",
    )
    assert standin.token_refusals == [] and failures(tenant_a) == []
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action=services.SIGNED_IN, object_id=str(person.pk)).count() == 1
    # A second sign-in is the same resident, not a new one.
    resident.post("/sign-in/sign-out/")
    standin.email = "ann.new@example.org"
    assert sign_in(resident, standin).status_code == 302
    [again] = residents(tenant_a)
    assert again.pk == person.pk and again.email == "ann.new@example.org"


def test_an_rsa_key_signs_the_client_assertion_too(resident, tenant_a, monkeypatch):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with OneLoginStandIn(client_id=CLIENT_ID, client_public_pem=provider.public_pem(key)) as standin:
        configure(tenant_a, issuer=standin.issuer, key=key, monkeypatch=monkeypatch)
        assert sign_in(resident, standin).status_code == 302
        assert standin.token_refusals == []
    assert len(residents(tenant_a)) == 1


def expect_problem(response, status: int, words: str) -> None:
    assert response.status_code == status, response.content.decode()[:500]
    assert words in response.content.decode()


def test_a_forged_state_is_refused(resident, one_login, standin, tenant_a):
    url = to_one_login(resident, standin)
    forged = url.replace("state=", "state=x")
    expect_problem(resident.get(forged), 400, "Your sign-in could not be completed")
    assert residents(tenant_a) == [] and failures(tenant_a) == ["state_mismatch"]
    # The state was for one use: the genuine answer after a forged one is refused too.
    expect_problem(resident.get(url), 400, "Your sign-in could not be completed")
    assert residents(tenant_a) == []


def test_a_callback_without_a_sign_in_started_here_is_refused(resident, client_for, one_login, standin, tenant_a):
    url = to_one_login(resident, standin)
    stranger = client_for(tenant_a)  # another browser: no state in its session
    expect_problem(stranger.get(url), 400, "Your sign-in could not be completed")
    assert residents(tenant_a) == [] and failures(tenant_a) == ["state_missing"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"nonce": "not-the-one-sent"}, "id_token_nonce"),
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}, "id_token_expired"),
        ({"aud": "another-service"}, "id_token_audience"),
        ({"iss": "https://oidc.example.org/"}, "id_token_invalid"),
        ({"iat": int(time.time()) + 3600}, "id_token_invalid"),
        ({"vot": "Cl"}, "id_token_vot"),
    ],
)
def test_an_id_token_that_does_not_check_out_signs_nobody_in(resident, one_login, standin, tenant_a, changes, reason):
    standin.id_token_changes = changes
    expect_problem(sign_in(resident, standin), 502, "We could not confirm your sign-in")
    assert residents(tenant_a) == [] and failures(tenant_a) == [reason]
    assert resident.get("/council-tax/").status_code == 200  # not signed in: the proving page


def test_an_id_token_signed_with_another_key_is_refused(resident, one_login, standin, tenant_a):
    standin.sign_with = ec.generate_private_key(ec.SECP256R1())
    expect_problem(sign_in(resident, standin), 502, "We could not confirm your sign-in")
    assert residents(tenant_a) == [] and failures(tenant_a) == ["id_token_invalid"]


def test_a_resident_who_does_not_finish_signing_in_is_told_so(resident, one_login, standin, tenant_a):
    standin.deny = True
    response = sign_in(resident, standin)
    expect_problem(response, 400, "You did not finish signing in")
    assert "account number and postcode" in response.content.decode()
    assert residents(tenant_a) == [] and failures(tenant_a) == ["provider:access_denied"]


def test_one_login_down_at_the_start_is_a_clear_page(resident, tenant_a, client_key, closed_port, monkeypatch):
    configure(tenant_a, issuer=f"http://127.0.0.1:{closed_port}/", key=client_key, monkeypatch=monkeypatch)
    expect_problem(resident.get("/sign-in/?next=council-tax"), 503, "GOV.UK One Login is not available")
    assert failures(tenant_a) == ["unreachable"]


def test_one_login_down_at_the_token_request_signs_nobody_in(resident, one_login, standin, tenant_a):
    url = to_one_login(resident, standin)
    standin.stop()
    expect_problem(resident.get(url), 503, "GOV.UK One Login is not available")
    assert residents(tenant_a) == [] and failures(tenant_a) == ["unreachable"]


def test_a_token_request_one_login_refuses_signs_nobody_in(resident, one_login, standin, tenant_a):
    standin.client_public_key = ec.generate_private_key(ec.SECP256R1()).public_key()  # registered another key
    expect_problem(sign_in(resident, standin), 502, "We could not confirm your sign-in")
    assert standin.token_refusals and standin.token_refusals[0].startswith("client_assertion")
    assert residents(tenant_a) == [] and failures(tenant_a) == ["token_refused"]


@pytest.mark.parametrize("env", ["", "not a key", "other"])
def test_a_missing_or_wrong_private_key_is_refused_before_calling(
    resident, one_login, standin, tenant_a, monkeypatch, env
):
    if env == "other":
        from borough.portal.tests.one_login.conftest import private_pem

        env = private_pem(ec.generate_private_key(ec.SECP256R1()))
    monkeypatch.setenv(provider.key_env_name(tenant_a), env)
    expect_problem(sign_in(resident, standin), 503, "GOV.UK One Login is not available")
    assert residents(tenant_a) == []
    assert failures(tenant_a) == [{"": "key_missing", "not a key": "key_invalid"}.get(env, "key_mismatch")]


def test_sign_in_pages_are_404_without_an_enabled_client(resident, one_login, tenant_a):
    with tenant_scope(tenant_a):
        services.one_login_client_disable(tenant=tenant_a)
    for url in ("/sign-in/", "/sign-in/callback/?state=x&code=y", "/sign-in/signed-out/"):
        assert resident.get(url).status_code == 404
    assert resident.post("/sign-in/sign-out/").status_code == 404
    with tenant_scope(tenant_a):
        OneLoginClient.objects.all().delete()
    assert resident.get("/sign-in/").status_code == 404


def test_signing_out_ends_the_session_and_one_logins(resident, one_login, standin, tenant_a):
    sign_in(resident, standin)
    signed_in = residents(tenant_a)[0]
    response = resident.post("/sign-in/sign-out/")
    assert response.status_code == 302 and response.url.startswith(standin.issuer + "logout?")
    sent = query_of(response.url)
    assert sent["post_logout_redirect_uri"] == HOST + "/sign-in/signed-out/" and sent["state"]
    hint = jwt.decode(sent["id_token_hint"], options={"verify_signature": False})
    assert hint["sub"] == signed_in.subject and hint["aud"] == CLIENT_ID  # the ID token One Login gave
    page = resident.get("/sign-in/signed-out/")
    assert page.status_code == 200 and "You have signed out" in page.content.decode()
    start = resident.get("/council-tax/")  # no longer signed in: the plain proving page, offering sign-in
    assert "Sign in with GOV.UK One Login" in start.content.decode()
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action=services.SIGNED_OUT).count() == 1


def test_discovery_and_jwks_are_kept_and_a_rotated_key_is_fetched(resident, one_login, standin, tenant_a):
    for _ in range(2):
        assert sign_in(resident, standin).status_code == 302
        resident.post("/sign-in/sign-out/")
    assert standin.requests.count("/.well-known/openid-configuration") == 1
    assert standin.requests.count("/.well-known/jwks.json") == 1
    standin.rotate_key()
    response = sign_in(resident, standin)
    assert response.status_code == 302 and response.url == "/council-tax/"
    assert standin.requests.count("/.well-known/jwks.json") == 2  # the unknown kid read the JWKS again, once
    assert failures(tenant_a) == []


def test_userinfo_about_someone_else_signs_nobody_in(resident, one_login, standin, tenant_a):
    standin.userinfo_changes = {"sub": "urn:fdc:gov.uk:2022:someone-else"}
    expect_problem(sign_in(resident, standin), 502, "We could not confirm your sign-in")
    assert residents(tenant_a) == [] and failures(tenant_a) == ["userinfo_subject"]


def test_an_unverified_email_is_recorded_as_unverified(resident, one_login, standin, tenant_a):
    standin.userinfo_changes = {"email_verified": False, "phone_number": None}
    sign_in(resident, standin)
    [person] = residents(tenant_a)
    assert (person.email, person.email_verified, person.phone) == ("ann@example.org", False, "")
