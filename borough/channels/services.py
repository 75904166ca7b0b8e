"""Writes of the channels app that staff make: the tenant's mailboxes, and the IMAP accounts that feed them."""

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from borough.channels.email.imap_session import LOOPBACK_HOSTS, secret_env_allowed, secret_env_prefix
from borough.channels.models import ImapAccount, Mailbox
from borough.core.audit import audit_record, snapshot
from borough.crm.models import Service

LOCAL_PART = re.compile(r"[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?")


@transaction.atomic
def mailbox_create(*, tenant, local_part: str, name: str, service: Service) -> Mailbox:
    """A mailbox whose new messages open cases of `service`. Email cannot answer a service's questions or give a
    location, so the service must need neither."""
    errors: dict[str, str] = {}
    local_part = (local_part or "").strip().lower()
    if not LOCAL_PART.fullmatch(local_part):
        errors["local_part"] = "Use letters, digits, dots, hyphens or underscores, like contact or bins"
    elif Mailbox.objects.filter(tenant=tenant, local_part=local_part).exists():
        errors["local_part"] = f"There is already a mailbox called {local_part}"
    name = (name or "").strip()
    if not name or len(name) > 120:
        errors["name"] = "Give the mailbox a name of up to 120 characters"
    if not isinstance(service, Service) or service.tenant_id != tenant.pk:
        errors["service"] = "Choose a service of this council"
    elif service.needs_location or service.questions.filter(required=True).exists():
        errors["service"] = f"{service.name} needs answers or a location that an email cannot give: choose another"
    if errors:
        raise ValidationError(errors)
    mailbox = Mailbox.objects.create(tenant=tenant, local_part=local_part, name=name, service=service)
    audit_record(
        tenant=tenant, action="mailbox.create", obj=mailbox, after=snapshot(mailbox, ["local_part", "name", "service"])
    )
    return mailbox


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
]
# Changing any of these points the account at another folder: its UIDs mean nothing there, so polling starts again.
IMAP_SOURCE_FIELDS = {"host", "port", "username", "folder"}
HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
FOLDER_NAME = re.compile(r"[\x20-\x7e]{1,200}")  # printable ASCII: modified UTF-7 names are not supported


@transaction.atomic
def imap_account_create(*, tenant, mailbox: Mailbox, **fields) -> ImapAccount:
    """An IMAP mailbox kept elsewhere whose new messages are taken as mail to `mailbox` (see
    borough.channels.email.imap). `fields` are the model's: host, port, security, username, auth_method,
    secret_env, folder, processed_folder, is_active."""
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
    account.save()
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
