"""The mail settings pages (/staff/mail/settings/): only a tenant administrator reaches them; every write goes through
a service, is audited, and bad input is answered with field errors (400) and writes nothing."""

import re
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from borough.channels.email.imap import imap_poll_is_due
from borough.channels.models import ImapAccount, Mailbox
from borough.channels.tasks import imap_poll_tenant
from borough.channels.tests.conftest import setup_mailbox
from borough.core.models import AuditEvent
from borough.crm.models import Service
from borough.crm.tests.case_factories import add_question, make_service
from borough.tenancy.models import TenantDomain
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db

SETTINGS = "/staff/mail/settings/"
SECRET_ENV = "BOROUGH_IMAP_SECRET_NORTHFIELD__CONTACT"
IMAP_FORM = {
    "host": "outlook.office365.com",
    "port": "993",
    "security": "tls",
    "username": "contact@northfield.gov.uk",
    "auth_method": "oauth2",
    "secret_env": SECRET_ENV,
    "folder": "INBOX",
    "processed_folder": "Borough",
    "poll_interval_minutes": "10",
    "polling": "on",
    "oauth_token_url": "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
    "oauth_client_id": "0f1e2d3c-aaaa-bbbb-cccc-123456789abc",
    "oauth_tenant": "northfield.onmicrosoft.com",
    "oauth_scope": "https://outlook.office365.com/IMAP.AccessAsUser.All offline_access",
}


@pytest.fixture
def admin(tenant_a, make_staff, client_for):
    return client_for(tenant_a, make_staff(tenant_a, ("tenant.admin",), username="ada"))


@pytest.fixture
def agent(tenant_a, make_staff, client_for):
    return client_for(tenant_a, make_staff(tenant_a, ("crm.agent", "crm.supervisor"), username="carol"))


def audit(tenant, action: str) -> list[AuditEvent]:
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def field_errors(response) -> dict[str, str]:
    """Each field's error message on the page, by field id (GOV.UK error message markup)."""
    found = re.findall(r'<p id="id_(\w+)-error" class="govuk-error-message">.*?</span> ([^<]*)</p>', response.text)
    return dict(found)


def make_account(tenant, mailbox, **fields) -> ImapAccount:
    values = {
        "host": "imap.northfield.example",
        "username": "contact@northfield.example",
        "secret_env": SECRET_ENV,
        **fields,
    }
    with tenant_scope(tenant):
        return ImapAccount.objects.create(tenant=tenant, mailbox=mailbox, **values)


def settings_urls(mailbox_pk: int, account_pk: int) -> list[str]:
    return [
        SETTINGS,
        f"{SETTINGS}mailboxes/new/",
        f"{SETTINGS}mailboxes/{mailbox_pk}/",
        f"{SETTINGS}mailboxes/{mailbox_pk}/switch/",
        f"{SETTINGS}imap/new/",
        f"{SETTINGS}imap/{account_pk}/",
        f"{SETTINGS}imap/{account_pk}/edit/",
    ]


# Who may use the pages


def test_only_an_administrator_reaches_the_settings(tenant_a, mailbox, admin, agent, client_for):
    account = make_account(tenant_a, mailbox)
    for url in settings_urls(mailbox.pk, account.pk):
        assert admin.get(url).status_code == 200, url
        assert agent.get(url).status_code == 403, url
        assert agent.post(url, {}).status_code == 403, url
        anonymous = client_for(tenant_a).get(url)
        assert anonymous.status_code == 302 and "/accounts/" in anonymous["Location"], url
    assert agent.post(f"{SETTINGS}imap/{account.pk}/poll/").status_code == 403
    with tenant_scope(tenant_a):
        assert Mailbox.objects.get(pk=mailbox.pk).is_active  # the agent's posts changed nothing
    assert audit(tenant_a, "imap_account.poll_now") == []


def test_the_navigation_offers_mail_settings_to_administrators_only(admin, agent):
    assert ">Mail settings<" in admin.get("/staff/").text
    assert ">Mail settings<" not in agent.get("/staff/").text


def test_without_the_crm_there_are_no_mail_settings(make_tenant, make_staff, client_for):
    tenant = make_tenant("brightside", kind="business", enabled_modules=["payroll"])
    admin = client_for(tenant, make_staff(tenant, ("tenant.admin",), username="bs-admin"))
    assert admin.get(SETTINGS).status_code == 404
    assert ">Mail settings<" not in admin.get("/staff/").text


# Mailboxes


def test_the_list_shows_each_mailbox_and_account(tenant_a, mailbox, admin):
    with tenant_scope(tenant_a):
        TenantDomain.objects.create(tenant=tenant_a, domain="northfield.gov.uk", is_primary=True)
    account = make_account(tenant_a, mailbox, last_polled_at=timezone.now(), last_taken=3)
    page = admin.get(SETTINGS).text
    assert "contact@northfield.gov.uk" in page and "General enquiry" in page and "Receiving" in page
    assert "northfield.localhost" in page  # every domain is named
    assert f"{SETTINGS}imap/{account.pk}/" in page and "took 3 messages" in page


def test_a_mailbox_is_created_and_audited(tenant_a, mailbox, admin):
    with tenant_scope(tenant_a):
        service = make_service(tenant_a, "bins", name="Bins")
    response = admin.post(f"{SETTINGS}mailboxes/new/", {"local_part": "Bins", "name": "Bins", "service": service.pk})
    assert response.status_code == 302 and response["Location"] == SETTINGS
    with tenant_scope(tenant_a):
        created = Mailbox.objects.get(local_part="bins")
    assert created.service_id == service.pk and created.is_active
    [event] = audit(tenant_a, "mailbox.create")[1:]  # the first is the fixture's contact@
    assert event.actor_label == "ada" and event.changes["local_part"] == [None, "bins"]


def test_a_whole_address_must_be_at_one_of_the_tenants_domains(tenant_a, mailbox, admin):
    with tenant_scope(tenant_a):
        TenantDomain.objects.create(tenant=tenant_a, domain="northfield.gov.uk", is_primary=True)
        service = mailbox.service
    form = {"name": "Bins", "service": service.pk}
    refused = admin.post(f"{SETTINGS}mailboxes/new/", {**form, "local_part": "bins@southvale.gov.uk"})
    assert refused.status_code == 400
    assert field_errors(refused) == {
        "local_part": "Use an address at one of the council&#x27;s domains: northfield.gov.uk, northfield.localhost"
    }
    assert 'href="#id_local_part"' in refused.text  # the error summary links to the field
    accepted = admin.post(f"{SETTINGS}mailboxes/new/", {**form, "local_part": "Bins@Northfield.gov.uk"})
    assert accepted.status_code == 302
    with tenant_scope(tenant_a):
        assert Mailbox.objects.filter(local_part="bins").exists()


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        (
            {},
            {"local_part": "Enter the address, like contact", "name": "Enter a name, like Contact us"},
        ),
        ({"local_part": "contact"}, {"local_part": "There is already a mailbox called contact"}),
        (
            {"local_part": "bins!"},
            {"local_part": "Use letters, digits, dots, hyphens or underscores, like contact or bins"},
        ),
        ({"local_part": "x" * 321}, {"local_part": "Use 320 characters or fewer"}),
        ({"service": "999999"}, {"service": "Choose one of the services listed"}),
        ({"service": "abc"}, {"service": "Choose one of the services listed"}),
    ],
)
def test_bad_mailbox_input_gets_field_errors_and_writes_nothing(tenant_a, mailbox, admin, form, errors):
    good = {"local_part": "bins", "name": "Bins", "service": mailbox.service_id}
    data = {**good, **form} if form else {}
    response = admin.post(f"{SETTINGS}mailboxes/new/", data)
    assert response.status_code == 400
    shown = field_errors(response)
    assert {name: shown.get(name) for name in errors} == errors
    assert "There is a problem" in response.text
    with tenant_scope(tenant_a):
        assert list(Mailbox.objects.values_list("local_part", flat=True)) == ["contact"]
    assert len(audit(tenant_a, "mailbox.create")) == 1


def test_a_service_email_cannot_serve_is_refused(tenant_a, mailbox, admin):
    with tenant_scope(tenant_a):
        pothole = make_service(tenant_a, "pothole", name="Pothole", needs_location=True)
        licence = make_service(tenant_a, "licence", name="Licence")
        add_question(licence, "premises", required=True)
    for service in (pothole, licence):
        response = admin.post(f"{SETTINGS}mailboxes/new/", {"local_part": "x", "name": "X", "service": service.pk})
        assert response.status_code == 400
        assert "that an email cannot give" in field_errors(response)["service"]


def test_another_tenants_service_cannot_be_chosen(tenant_a, tenant_b, mailbox, admin):
    other = setup_mailbox(tenant_b)
    response = admin.post(f"{SETTINGS}mailboxes/new/", {"local_part": "x", "name": "X", "service": other.service_id})
    assert response.status_code == 400 and field_errors(response)["service"] == "Choose one of the services listed"


def test_a_mailbox_is_changed_and_the_change_audited(tenant_a, mailbox, admin):
    with tenant_scope(tenant_a):
        service = make_service(tenant_a, "bins", name="Bins")
        Mailbox.objects.create(tenant=tenant_a, local_part="bins", name="Bins", service=service)
    url = f"{SETTINGS}mailboxes/{mailbox.pk}/"
    page = admin.get(url).text
    assert 'value="contact"' in page and 'value="Contact us"' in page
    taken = admin.post(url, {"local_part": "bins", "name": "Contact us", "service": service.pk})
    assert field_errors(taken) == {"local_part": "There is already a mailbox called bins"}
    response = admin.post(url, {"local_part": "hello", "name": "Say hello", "service": service.pk})
    assert response.status_code == 302
    [event] = audit(tenant_a, "mailbox.update")
    assert event.changes == {
        "local_part": ["contact", "hello"],
        "name": ["Contact us", "Say hello"],
        "service": [mailbox.service_id, service.pk],
    }


def test_a_mailbox_is_switched_off_and_on_and_a_second_click_changes_nothing(tenant_a, mailbox, admin):
    make_account(tenant_a, mailbox)
    url = f"{SETTINGS}mailboxes/{mailbox.pk}/switch/"
    page = admin.get(url).text
    assert "wait in the review queue" in page and "contact@northfield.example on imap.northfield.example" in page
    assert admin.post(url, {"to": "off"}).status_code == 302
    assert admin.post(url, {"to": "off"}).status_code == 302  # the same page submitted twice
    with tenant_scope(tenant_a):
        assert not Mailbox.objects.get(pk=mailbox.pk).is_active
    assert "Switched off" in admin.get(SETTINGS).text
    assert [e.changes for e in audit(tenant_a, "mailbox.deactivate")] == [{"is_active": [True, False]}]
    assert admin.post(url, {"to": "sideways"}).status_code == 400
    assert admin.post(url, {"to": "on"}).status_code == 302
    with tenant_scope(tenant_a):
        assert Mailbox.objects.get(pk=mailbox.pk).is_active
    assert len(audit(tenant_a, "mailbox.reactivate")) == 1


def test_another_tenants_mailbox_is_not_found(tenant_a, tenant_b, admin):
    other = setup_mailbox(tenant_b)
    assert admin.get(f"{SETTINGS}mailboxes/{other.pk}/").status_code == 404
    assert admin.post(f"{SETTINGS}mailboxes/{other.pk}/switch/", {"to": "off"}).status_code == 404
    with tenant_scope(tenant_b):
        assert Mailbox.objects.get(pk=other.pk).is_active


# IMAP accounts


def test_an_imap_account_is_created_and_its_secrets_are_only_named(tenant_a, mailbox, admin, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "the-refresh-token-itself")
    monkeypatch.setenv(f"{SECRET_ENV}_CLIENT_SECRET", "the-client-secret-itself")
    form = admin.get(f"{SETTINGS}imap/new/").text
    assert "BOROUGH_IMAP_SECRET_NORTHFIELD__" in form
    response = admin.post(f"{SETTINGS}imap/new/", {**IMAP_FORM, "mailbox": mailbox.pk})
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        account = ImapAccount.objects.get()
    assert response["Location"] == f"{SETTINGS}imap/{account.pk}/"
    assert (account.poll_interval_minutes, account.oauth_tenant, account.processed_folder) == (
        10,
        "northfield.onmicrosoft.com",
        "Borough",
    )
    page = admin.get(response["Location"]).text
    assert f"<code>{SECRET_ENV}</code>" in page and "The refresh token" in page
    assert f"<code>{SECRET_ENV}_CLIENT_SECRET</code>" in page
    assert "Not polled yet" in page and "Poll now" in page
    assert "the-refresh-token-itself" not in page and "the-client-secret-itself" not in page
    [event] = audit(tenant_a, "imap_account.create")
    assert event.actor_label == "ada" and event.changes["oauth_client_id"] == [None, IMAP_FORM["oauth_client_id"]]
    assert "the-refresh-token-itself" not in str(event.changes)


def test_a_password_account_names_one_variable(tenant_a, mailbox, admin):
    password_form = {**IMAP_FORM, "auth_method": "password", "mailbox": mailbox.pk}
    for name in ("oauth_token_url", "oauth_client_id", "oauth_tenant", "oauth_scope"):
        password_form[name] = ""
    response = admin.post(f"{SETTINGS}imap/new/", password_form)
    assert response.status_code == 302
    page = admin.get(response["Location"]).text
    assert f"<code>{SECRET_ENV}</code>" in page and "The password" in page and "_CLIENT_SECRET" not in page


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"port": "imap"}, {"port": "Give a port number from 1 to 65535, usually 993"}),
        ({"port": "0"}, {"port": "Give a port number from 1 to 65535, usually 993"}),
        ({"host": "https://imap.example.org"}, {"host": "Give the server&#x27;s name"}),
        ({"host": ""}, {"host": "Enter the server"}),
        ({"security": "ssl2"}, {"security": "Choose the security"}),
        ({"security": "none"}, {"security": "A connection without TLS is only allowed to this machine"}),
        ({"auth_method": "kerberos"}, {"auth_method": "Choose how to sign in"}),
        ({"secret_env": "SECRET_KEY"}, {"secret_env": "Name the environment variable"}),
        ({"secret_env": "BOROUGH_IMAP_SECRET_SOUTHVALE__CONTACT"}, {"secret_env": "Name the environment variable"}),
        ({"folder": 'In"box'}, {"folder": "Give a folder name"}),
        ({"processed_folder": "inbox"}, {"processed_folder": "Choose a different folder"}),
        ({"poll_interval_minutes": "0"}, {"poll_interval_minutes": "Give a number of minutes from 1 to 1440"}),
        ({"poll_interval_minutes": "1441"}, {"poll_interval_minutes": "Give a number of minutes from 1 to 1440"}),
        ({"poll_interval_minutes": "often"}, {"poll_interval_minutes": "Give a number of minutes from 1 to 1440"}),
        ({"polling": "maybe"}, {"polling": "Choose on or off"}),
        (
            {"oauth_token_url": "http://login.example.org/token"},
            {"oauth_token_url": "Give the token endpoint&#x27;s https://"},
        ),
        (
            {"oauth_token_url": "https://x.example/token?code=1"},
            {"oauth_token_url": "Give the token endpoint&#x27;s address without"},
        ),
        (
            {"oauth_token_url": "https://u:p@x.example/token"},
            {"oauth_token_url": "Give the token endpoint&#x27;s address without"},
        ),
        ({"oauth_client_id": ""}, {"oauth_client_id": "Give the app&#x27;s client id"}),
        ({"oauth_tenant": ""}, {"oauth_tenant": "Give the Microsoft directory (tenant) id"}),
        ({"oauth_tenant": "../evil"}, {"oauth_tenant": "Give the Microsoft directory (tenant) id"}),
        ({"oauth_scope": 'mail "all"'}, {"oauth_scope": "Give the scopes separated by spaces"}),
        ({"auth_method": "password"}, {"oauth_token_url": "A token endpoint is only used with OAuth2"}),
        ({"oauth_token_url": ""}, {"oauth_token_url": "Give the token endpoint these settings are for"}),
        ({"mailbox": "999999"}, {"mailbox": "Choose one of the mailboxes listed"}),
    ],
)
def test_bad_imap_input_gets_field_errors_and_writes_nothing(tenant_a, mailbox, admin, changes, errors):
    response = admin.post(f"{SETTINGS}imap/new/", {**IMAP_FORM, "mailbox": mailbox.pk, **changes})
    assert response.status_code == 400
    shown = field_errors(response)
    for name, start in errors.items():
        assert shown.get(name, "").startswith(start), shown
    with tenant_scope(tenant_a):
        assert not ImapAccount.objects.exists()
    assert audit(tenant_a, "imap_account.create") == []


def test_an_empty_imap_form_names_every_missing_setting(tenant_a, admin):
    response = admin.post(f"{SETTINGS}imap/new/", {})
    assert response.status_code == 400
    assert set(field_errors(response)) >= {"mailbox", "host", "port", "username", "secret_env", "folder", "polling"}


def test_an_imap_account_is_changed_and_audited(tenant_a, mailbox, admin):
    account = make_account(tenant_a, mailbox, uidvalidity=7, last_uid=40)
    url = f"{SETTINGS}imap/{account.pk}/edit/"
    page = admin.get(url).text
    assert 'value="imap.northfield.example"' in page
    form = {
        "mailbox": mailbox.pk,
        "host": "imap.northfield.example",
        "port": "993",
        "security": "tls",
        "username": "contact@northfield.example",
        "auth_method": "password",
        "secret_env": SECRET_ENV,
        "folder": "INBOX",
        "processed_folder": "",
        "poll_interval_minutes": "15",
        "polling": "off",
    }
    assert admin.post(url, {**form, "port": "-3"}).status_code == 400
    response = admin.post(url, form)
    assert response.status_code == 302 and response["Location"] == f"{SETTINGS}imap/{account.pk}/"
    with tenant_scope(tenant_a):
        saved = ImapAccount.objects.get(pk=account.pk)
    assert (saved.poll_interval_minutes, saved.is_active, saved.last_uid) == (15, False, 40)
    [event] = audit(tenant_a, "imap_account.update")
    assert event.changes == {"is_active": [True, False], "poll_interval_minutes": [5, 15]}
    assert "Polling is off" in admin.get(f"{SETTINGS}imap/{account.pk}/").text


def test_another_tenants_account_is_not_found(tenant_a, tenant_b, admin):
    other = make_account(tenant_b, setup_mailbox(tenant_b), secret_env="BOROUGH_IMAP_SECRET_SOUTHVALE__X")
    for url in (f"{SETTINGS}imap/{other.pk}/", f"{SETTINGS}imap/{other.pk}/edit/"):
        assert admin.get(url).status_code == 404
    assert admin.post(f"{SETTINGS}imap/{other.pk}/poll/").status_code == 404
    assert audit(tenant_b, "imap_account.poll_now") == []


# Polling now, and the poll interval


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_poll_now_queues_a_poll_of_the_account(
    tenant_a, mailbox, admin, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setenv(SECRET_ENV, "secret")
    account = make_account(tenant_a, mailbox, host="127.0.0.1", port=closed_port(), security="none")
    url = f"{SETTINGS}imap/{account.pk}/poll/"
    assert admin.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = admin.post(url)
    assert response.status_code == 302 and len(queued) == 1
    # The queued task ran (eagerly, as a worker would): the poll is recorded on the account.
    with tenant_scope(tenant_a):
        saved = ImapAccount.objects.get(pk=account.pk)
    assert saved.last_polled_at is not None and "refused the connection" in saved.last_error
    page = admin.get(f"{SETTINGS}imap/{account.pk}/").text
    assert "A poll is queued" in page and "refused the connection" in page and "Problem" in page
    assert len(audit(tenant_a, "imap_account.poll_now")) == 1


def test_poll_now_refuses_an_account_switched_off(tenant_a, mailbox, admin, django_capture_on_commit_callbacks):
    account = make_account(tenant_a, mailbox, is_active=False)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin.post(f"{SETTINGS}imap/{account.pk}/poll/")
    assert response.status_code == 400 and "switched off" in response.text
    assert queued == [] and audit(tenant_a, "imap_account.poll_now") == []


def test_an_account_is_polled_once_its_interval_has_passed(tenant_a, mailbox, monkeypatch):
    now = timezone.now()
    account = make_account(tenant_a, mailbox, poll_interval_minutes=10)
    assert imap_poll_is_due(account, now)  # never polled
    account.last_polled_at = now - timedelta(minutes=5)
    assert not imap_poll_is_due(account, now)
    account.last_polled_at = now - timedelta(minutes=10)
    assert imap_poll_is_due(account, now)
    account.last_polled_at = now - timedelta(minutes=9, seconds=50)  # a beat that ran a few seconds late
    assert imap_poll_is_due(account, now)


def test_the_periodic_poll_skips_accounts_not_due(tenant_a, mailbox, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "secret")
    recently = timezone.now() - timedelta(minutes=2)
    offline = {"host": "127.0.0.1", "port": closed_port(), "security": "none"}
    waiting = make_account(tenant_a, mailbox, last_polled_at=recently, folder="A", **offline)
    due = make_account(tenant_a, mailbox, last_polled_at=recently, poll_interval_minutes=1, folder="B", **offline)
    imap_poll_tenant(tenant_id=tenant_a.pk)
    with tenant_scope(tenant_a):
        assert ImapAccount.objects.get(pk=waiting.pk).last_polled_at == recently
        assert ImapAccount.objects.get(pk=due.pk).last_polled_at > recently


def test_the_service_list_offers_only_active_services(tenant_a, mailbox, admin):
    with tenant_scope(tenant_a):
        make_service(tenant_a, "old", name="Old service", is_active=False)
        assert Service.objects.filter(name="Old service").exists()
    assert "Old service" not in admin.get(f"{SETTINGS}mailboxes/new/").text
