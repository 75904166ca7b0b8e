"""Council tax pages for a resident signed in with One Login: prove once and the account is linked, opens directly at
the next sign-in, several linked accounts to pick from, signing out ends it all, and a link never opens elsewhere."""

import pytest

from borough.core.models import AuditEvent
from borough.portal.models import ResidentAccountLink
from borough.portal.one_login import services
from borough.portal.tests.one_login.conftest import configure
from borough.portal.tests.one_login.helpers import sign_in
from borough.revenues.portal import prove
from borough.revenues.portal.forms import NOT_MATCHED
from borough.revenues.tests.web.conftest import account_in
from borough.tenancy.scope import tenant_scope

START, ACCOUNT, CHOOSE = "/council-tax/", "/council-tax/account/", "/council-tax/choose/"


@pytest.fixture
def account(tenant_a):
    return account_in(tenant_a, address_line_1="12 Mill Lane")


def links(tenant) -> list[tuple[int, int]]:
    with tenant_scope(tenant):
        return list(ResidentAccountLink.objects.values_list("resident_id", "account_id"))


def text(response) -> str:
    return response.content.decode()


def test_the_start_page_offers_one_login_only_where_it_is_on(resident, tenant_a, account, client_for, one_login):
    assert "Sign in with GOV.UK One Login" in text(resident.get(START))
    with tenant_scope(tenant_a):
        services.one_login_client_disable(tenant=tenant_a)
    assert "Sign in with GOV.UK One Login" not in text(client_for(tenant_a).get(START))


def test_prove_once_then_the_account_opens_at_the_next_sign_in(resident, one_login, standin, tenant_a, account):
    assert sign_in(resident, standin).url == START
    page = resident.get(START)
    assert page.status_code == 200 and "You are signed in with GOV.UK One Login" in text(page)
    assert links(tenant_a) == []
    proved = resident.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    assert proved.status_code == 302 and proved.url == ACCOUNT
    [(resident_id, account_id)] = links(tenant_a)
    assert account_id == account.pk
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action=services.LINKED).count() == 1
        assert AuditEvent.objects.filter(action=prove.PROVED).count() == 1
    shown = text(resident.get(ACCOUNT))
    assert account.number in shown and "Add another council tax account" in shown

    signed_out = resident.post("/council-tax/account/sign-out/")  # the council tax sign-out ends One Login's too
    assert signed_out.status_code == 302 and signed_out.url.startswith(standin.issuer + "logout?")
    assert resident.get(ACCOUNT).status_code == 302  # the account is closed

    sign_in(resident, standin)
    opened = resident.get(START)
    assert opened.status_code == 302 and opened.url == ACCOUNT  # no number or postcode this time
    assert "12 Mill Lane" in text(resident.get(ACCOUNT))
    assert len(links(tenant_a)) == 1  # proved once, linked once
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action=prove.PROVED).count() == 1


def test_a_wrong_proof_links_nothing_and_counts_as_a_failed_try(resident, one_login, standin, tenant_a, account):
    sign_in(resident, standin)
    response = resident.post(START, {"number": account.number, "postcode": "NF9 9ZZ"})
    assert response.status_code == 400 and NOT_MATCHED in text(response)
    assert links(tenant_a) == []
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action=prove.FAILED).count() == 1


def test_the_proving_limits_apply_when_signed_in(resident, one_login, standin, tenant_a, account):
    sign_in(resident, standin)
    for _ in range(prove.MAX_FAILURES_PER_NUMBER):
        resident.post(START, {"number": account.number, "postcode": "NF9 9ZZ"})
    response = resident.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    assert response.status_code == 429 and links(tenant_a) == []


def test_a_resident_with_several_accounts_picks_one(resident, one_login, standin, tenant_a, account):
    second = account_in(tenant_a, postcode="NF3 4CD", address_line_1="7 Station Road", names=("Ann Example",))
    sign_in(resident, standin)
    resident.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    resident.post("/council-tax/account/sign-out/")
    sign_in(resident, standin)
    added = resident.get(START + "?another=1")  # one linked: it opens, unless the resident asks to add another
    assert added.status_code == 200 and "You are signed in" in text(added)
    resident.post(START, {"number": second.number, "postcode": "NF3 4CD"})
    assert len(links(tenant_a)) == 2

    resident.post("/council-tax/account/sign-out/")
    sign_in(resident, standin)
    assert resident.get(START).url == CHOOSE
    choose = text(resident.get(CHOOSE))
    assert account.number in choose and second.number in choose and "7 Station Road" in choose
    nothing = resident.post(CHOOSE, {})
    assert nothing.status_code == 400 and "Select the account you want to see" in text(nothing)
    assert resident.post(CHOOSE, {"account": "999999"}).status_code == 400  # not one of theirs
    assert resident.get(ACCOUNT).status_code == 302
    picked = resident.post(CHOOSE, {"account": str(second.pk)})
    assert picked.status_code == 302 and picked.url == ACCOUNT
    assert "7 Station Road" in text(resident.get(ACCOUNT))


def test_the_choose_page_without_a_sign_in_goes_to_the_start(resident, one_login, account):
    assert resident.get(CHOOSE).url == START


def test_a_link_of_tenant_a_never_opens_on_tenant_bs_host(
    resident, one_login, standin, tenant_a, tenant_b, account, client_for, client_key, monkeypatch
):
    other = account_in(tenant_b, postcode="SV1 1AA", address_line_1="1 Other Road")
    configure(tenant_b, issuer=standin.issuer, key=client_key, monkeypatch=monkeypatch)
    sign_in(resident, standin)
    resident.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    assert len(links(tenant_a)) == 1

    on_b = client_for(tenant_b)
    on_b.cookies = resident.cookies  # the same browser, on B's host
    page = on_b.get(START)
    assert page.status_code == 200 and account.number not in text(page) and "You are signed in" not in text(page)
    assert on_b.get(ACCOUNT).status_code == 302 and on_b.get(CHOOSE).url == START
    # B's own account proved on B's host with A's sign-in in the cookie jar: no link is written anywhere.
    assert on_b.post(START, {"number": other.number, "postcode": "SV1 1AA"}).url == ACCOUNT
    assert account.number not in text(on_b.get(ACCOUNT))
    assert links(tenant_b) == [] and len(links(tenant_a)) == 1
    with tenant_scope(tenant_b):
        assert not ResidentAccountLink.objects.filter(account=account).exists()


def test_a_signed_in_residents_contact_details_are_offered_where_a_request_asks_for_them(
    resident, one_login, standin, tenant_a, account, client_for
):
    contact = "/council-tax/single-person-discount/contact/"
    sign_in(resident, standin)
    resident.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    page = text(resident.get(contact))
    assert 'value="ann@example.org"' in page and 'value="+447700900123"' in page
    # What the resident types instead is kept, and is what the form shows again.
    typed = resident.post(contact, {"name": "Ann Example", "email": "ann.typed@example.org", "phone": ""})
    assert typed.status_code == 302
    page = text(resident.get(contact))
    assert 'value="ann.typed@example.org"' in page and "+447700900123" not in page
    # Proved without signing in: nothing is offered.
    other = client_for(tenant_a)
    other.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    assert "ann@example.org" not in text(other.get(contact))


def test_an_email_one_login_has_not_verified_is_not_offered(resident, one_login, standin, tenant_a, account):
    standin.userinfo_changes = {"email_verified": False}
    sign_in(resident, standin)
    resident.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    page = text(resident.get("/council-tax/single-person-discount/contact/"))
    assert "ann@example.org" not in page and 'value="+447700900123"' in page


def test_the_account_page_lets_its_sign_out_form_end_at_one_login_only_when_signed_in(
    resident, one_login, standin, tenant_a, account, client_for
):
    # Browsers check form-action against every address the sign-out is redirected to (tests/browser/test_one_login).
    origin = standin.issuer.rstrip("/")
    sign_in(resident, standin)
    resident.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    policy = resident.get(ACCOUNT)["Content-Security-Policy"]
    assert f"form-action 'self' {origin}" in policy
    proved_only = client_for(tenant_a)
    proved_only.post(START, {"number": account.number, "postcode": "NF1 2AB"})
    assert origin not in proved_only.get(ACCOUNT)["Content-Security-Policy"]
