"""Writes of the channels app that staff make: the tenant's mailboxes, and the IMAP accounts that feed them."""

import ipaddress
import re
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from borough.channels.email.imap_session import LOOPBACK_HOSTS, secret_env_allowed, secret_env_prefix
from borough.channels.email.oauth import TENANT_PLACEHOLDER, token_url_problem
from borough.channels.models import ImapAccount, Mailbox
from borough.channels.tasks import imap_poll_account
from borough.core.audit import audit_record, snapshot
from borough.crm.models import Service
from borough.tenancy.models import TenantDomain

LOCAL_PART = re.compile(r"[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?")
MAILBOX_FIELDS = ["local_part", "name", "service", "is_active"]


def mailbox_domains(tenant) -> list[str]:
    """The domains every mailbox of the tenant receives mail at: its own domains (primary first), then
    <slug>.<base domain> (as borough.channels.email.addresses resolves them)."""
    domains = list(TenantDomain.objects.filter(tenant=tenant).values_list("domain", flat=True))
    return [*domains, f"{tenant.slug}.{settings.BOROUGH_BASE_DOMAIN}"]


@transaction.atomic
def mailbox_create(*, tenant, local_part: str, name: str, service: Service) -> Mailbox:
    """A mailbox whose new messages open cases of `service`. Email cannot answer a service's questions or give a
    location, so the service must need neither. `local_part` may be a whole address at one of the tenant's
    domains."""
    mailbox = Mailbox(tenant=tenant, is_active=True)
    _mailbox_apply(mailbox, {"local_part": local_part, "name": name, "service": service})
    mailbox.save()
    audit_record(
        tenant=tenant, action="mailbox.create", obj=mailbox, after=snapshot(mailbox, ["local_part", "name", "service"])
    )
    return mailbox


@transaction.atomic
def mailbox_update(*, mailbox: Mailbox, **changes) -> Mailbox:
    """Change a mailbox's address (local part), name or service; see mailbox_deactivate to switch it off."""
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
    before = snapshot(mailbox, MAILBOX_FIELDS)
    _mailbox_apply(mailbox, changes)
    mailbox.save()
    audit_record(
        tenant=mailbox.tenant,
        action="mailbox.update",
        obj=mailbox,
        before=before,
        after=snapshot(mailbox, MAILBOX_FIELDS),
    )
    return mailbox


def mailbox_deactivate(*, mailbox: Mailbox) -> Mailbox:
    """Stop taking mail at the mailbox: new messages to it wait for review, and its IMAP accounts leave mail on
    the server."""
    return _mailbox_switch(mailbox, active=False)


def mailbox_reactivate(*, mailbox: Mailbox) -> Mailbox:
    return _mailbox_switch(mailbox, active=True)


@transaction.atomic
def _mailbox_switch(mailbox: Mailbox, *, active: bool) -> Mailbox:
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
    if mailbox.is_active != active:  # a second click changes and records nothing
        mailbox.is_active = active
        mailbox.save(update_fields=["is_active"])
        audit_record(
            tenant=mailbox.tenant,
            action="mailbox.reactivate" if active else "mailbox.deactivate",
            obj=mailbox,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return mailbox


def _mailbox_apply(mailbox: Mailbox, changes: dict) -> None:
    """Validate `changes` and set them on `mailbox`; raises ValidationError (field -> message) and sets nothing."""
    unknown = sorted(set(changes) - {"local_part", "name", "service"})
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This setting does not exist"))
    tenant = mailbox.tenant
    errors: dict[str, str] = {}
    values = {
        "local_part": mailbox.local_part,
        "name": mailbox.name,
        "service": mailbox.service if mailbox.service_id else None,
        **changes,
    }
    local_part, _at, domain = str(values["local_part"] or "").strip().lower().rpartition("@")
    local_part = values["local_part"] = local_part if _at else domain
    domains = mailbox_domains(tenant)
    if _at and domain.rstrip(".") not in domains:
        errors["local_part"] = f"Use an address at one of the council's domains: {', '.join(domains)}"
    elif not LOCAL_PART.fullmatch(local_part):
        errors["local_part"] = "Use letters, digits, dots, hyphens or underscores, like contact or bins"
    elif Mailbox.objects.filter(tenant=tenant, local_part=local_part).exclude(pk=mailbox.pk).exists():
        errors["local_part"] = f"There is already a mailbox called {local_part}"
    name = values["name"] = str(values["name"] or "").strip()
    if not name or len(name) > 120:
        errors["name"] = "Give the mailbox a name of up to 120 characters"
    service = values["service"]
    if not isinstance(service, Service) or service.tenant_id != tenant.pk:
        errors["service"] = "Choose a service of this council"
    elif service.needs_location or service.questions.filter(required=True).exists():
        errors["service"] = f"{service.name} needs answers or a location that an email cannot give: choose another"
    if errors:
        raise ValidationError(errors)
    for field in ("local_part", "name", "service"):
        setattr(mailbox, field, values[field])


IMAP_ACCOUNT_FIELDS = [
    "mailbox",
    "host",
    "port",
    "security",
    "username",
    "auth_method",
    "secret_env",
    "folder",
    "processed_folder",
    "is_active",
    "poll_interval_minutes",
    "oauth_token_url",
    "oauth_client_id",
    "oauth_tenant",
    "oauth_scope",
]
OAUTH_FIELDS = ("oauth_token_url", "oauth_client_id", "oauth_tenant", "oauth_scope")
# Changing any of these points the account at another folder: its UIDs mean nothing there, so polling starts again.
IMAP_SOURCE_FIELDS = {"host", "port", "username", "folder"}
HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
FOLDER_NAME = re.compile(r"[\x20-\x7e]{1,200}")  # printable ASCII: modified UTF-7 names are not supported
CLIENT_ID = re.compile(r"[\x21-\x7e]{1,200}")
DIRECTORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,98}[A-Za-z0-9])?")  # a GUID or a domain
SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*")  # RFC 6749 §3.3
LONGEST_POLL_INTERVAL = 1440  # a day


@transaction.atomic
def imap_account_create(*, tenant, mailbox: Mailbox, **fields) -> ImapAccount:
    """An IMAP mailbox kept elsewhere whose new messages are taken as mail to `mailbox` (see
    borough.channels.email.imap). `fields` are the model's: host, port, security, username, auth_method,
    secret_env, folder, processed_folder, is_active, poll_interval_minutes, and for OAuth2 with a refresh token
    oauth_token_url, oauth_client_id, oauth_tenant, oauth_scope."""
    account = ImapAccount(tenant=tenant)
    _imap_account_apply(account, {**fields, "mailbox": mailbox})
    account.save()
    audit_record(tenant=tenant, action="imap_account.create", obj=account, after=snapshot(account, IMAP_ACCOUNT_FIELDS))
    return account


@transaction.atomic
def imap_account_update(*, account: ImapAccount, **changes) -> ImapAccount:
    """Change an account's settings (any of imap_account_create's fields, and `mailbox`)."""
    account = ImapAccount.objects.select_for_update().get(pk=account.pk)
    before = snapshot(account, IMAP_ACCOUNT_FIELDS)
    _imap_account_apply(account, changes)
    if any(before[name] != getattr(account, name) for name in IMAP_SOURCE_FIELDS):
        account.uidvalidity, account.last_uid, account.last_error = None, 0, ""
    account.save()  # a token a worker keeps for the old OAuth2 settings is not used: they are part of its key
    audit_record(
        tenant=account.tenant,
        action="imap_account.update",
        obj=account,
        before=before,
        after=snapshot(account, IMAP_ACCOUNT_FIELDS),
    )
    return account


def _imap_account_apply(account: ImapAccount, fields: dict) -> None:
    """Validate `fields` and set them on `account`; raises ValidationError (field -> message) and sets nothing."""
    unknown = sorted(set(fields) - set(IMAP_ACCOUNT_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This setting does not exist"))
    values = {name: getattr(account, name) for name in IMAP_ACCOUNT_FIELDS if name != "mailbox"}
    values["mailbox"] = fields.get("mailbox", account.mailbox if account.mailbox_id else None)
    values.update({name: value for name, value in fields.items() if name != "mailbox"})
    errors = _imap_account_errors(account.tenant, values)
    if not errors and _imap_source_taken(account, values):
        errors["folder"] = f"{values['username']} on {values['host']} already feeds a mailbox from {values['folder']}"
    if errors:
        raise ValidationError(errors)
    for name in IMAP_ACCOUNT_FIELDS:
        setattr(account, name, values[name])


def _imap_account_errors(tenant, values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    mailbox = values["mailbox"]
    if not isinstance(mailbox, Mailbox) or mailbox.tenant_id != tenant.pk:
        errors["mailbox"] = "Choose a mailbox of this council"
    host = values["host"] = str(values["host"] or "").strip().lower().rstrip(".")
    if not _host_valid(host):
        errors["host"] = "Give the server's name, like imap.example.org, or its IP address (no https:// or port)"
    port = values["port"]
    if isinstance(port, str) and port.strip().isdigit():
        port = values["port"] = int(port)
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        errors["port"] = "Give a port number from 1 to 65535, usually 993"
    if values["security"] not in ImapAccount.Security.values:
        errors["security"] = "Choose TLS on connect, STARTTLS or none"
    elif values["security"] == ImapAccount.Security.NONE and host not in LOOPBACK_HOSTS:
        errors["security"] = "A connection without TLS is only allowed to this machine (127.0.0.1): choose TLS"
    username = values["username"] = str(values["username"] or "").strip()
    if not username or len(username) > 320 or not username.isprintable():
        errors["username"] = "Give the user name the server expects, usually the mailbox's email address"
    if values["auth_method"] not in ImapAccount.AuthMethod.values:
        errors["auth_method"] = "Choose a password or an OAuth2 access token"
    secret_env = values["secret_env"] = str(values["secret_env"] or "").strip()
    if not secret_env_allowed(tenant, secret_env):
        errors["secret_env"] = (
            f"Name the environment variable that holds the secret {secret_env_prefix(tenant)}<NAME>, "
            "where NAME is capital letters, digits and single underscores"
        )
    for name in ("folder", "processed_folder"):
        folder = values[name] = str(values[name] or "").strip()
        if (folder or name == "folder") and not _folder_valid(folder):
            errors[name] = 'Give a folder name of up to 200 plain letters, digits and spaces (no " \\ * or %)'
    if values["folder"] and values["processed_folder"].lower() == values["folder"].lower():
        errors["processed_folder"] = "Choose a different folder from the one mail is read from, or leave it empty"
    if not isinstance(values["is_active"], bool):
        errors["is_active"] = "Say whether the account is polled"
    interval = values["poll_interval_minutes"]
    if isinstance(interval, str) and interval.strip().isdigit():
        interval = values["poll_interval_minutes"] = int(interval)
    if not isinstance(interval, int) or isinstance(interval, bool) or not 1 <= interval <= LONGEST_POLL_INTERVAL:
        errors["poll_interval_minutes"] = f"Give a number of minutes from 1 to {LONGEST_POLL_INTERVAL}"
    errors.update(_oauth_errors(values))
    return errors


def _oauth_errors(values: dict) -> dict[str, str]:
    """The token endpoint settings: all empty, or a usable endpoint and client id (and a directory where the
    endpoint has {tenant})."""
    for name in OAUTH_FIELDS:
        values[name] = " ".join(str(values[name] or "").split()) if name == "oauth_scope" else str(values[name] or "")
        values[name] = values[name].strip()
    url, client_id, directory, scope = (values[name] for name in OAUTH_FIELDS)
    errors: dict[str, str] = {}
    if not url:
        if client_id or directory or scope:
            errors["oauth_token_url"] = "Give the token endpoint these settings are for, or leave them all empty"
        return errors
    if values["auth_method"] != ImapAccount.AuthMethod.OAUTH2:
        errors["oauth_token_url"] = "A token endpoint is only used with OAuth2: choose OAuth2, or leave it empty"
    elif len(url) > 500 or (problem := token_url_problem(url)):
        errors["oauth_token_url"] = problem or "Give a token endpoint address of up to 500 characters"
    if not CLIENT_ID.fullmatch(client_id):
        errors["oauth_client_id"] = "Give the app's client id as the provider shows it (no spaces)"
    if TENANT_PLACEHOLDER in url and not DIRECTORY.fullmatch(directory):
        errors["oauth_tenant"] = (
            "Give the Microsoft directory (tenant) id, or its domain like northfield.onmicrosoft.com"
        )
    elif directory and TENANT_PLACEHOLDER not in url:
        errors["oauth_tenant"] = "The token endpoint has no {tenant} to put this in: leave it empty"
    if scope and (len(scope) > 500 or not SCOPE.fullmatch(scope)):
        errors["oauth_scope"] = "Give the scopes separated by spaces, like https://mail.google.com/ (no quotes)"
    return errors


def _host_valid(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    return 0 < len(host) <= 253 and all(HOST_LABEL.fullmatch(label) for label in labels)


def _folder_valid(folder: str) -> bool:
    return bool(FOLDER_NAME.fullmatch(folder)) and not set(folder) & set('"\\*%')


def _imap_source_taken(account: ImapAccount, values: dict) -> bool:
    same = ImapAccount.objects.filter(
        tenant=account.tenant, host=values["host"], username=values["username"], folder=values["folder"]
    )
    return same.exclude(pk=account.pk).exists()


@transaction.atomic
def imap_account_poll_now(*, account: ImapAccount) -> None:
    """Queue a poll of the account now, whatever its interval (the imap_poll_account task, once committed)."""
    if not account.is_active:
        raise ValidationError({"account": "The account is switched off: switch it on to poll it"})
    audit_record(tenant=account.tenant, action="imap_account.poll_now", obj=account)
    transaction.on_commit(partial(imap_poll_account.delay, tenant_id=account.tenant_id, account_id=account.pk))
