"""An IMAP session for the poller (stdlib imaplib): connect with the account's security, log in with a password
(LOGIN) or an OAuth2 access token (AUTHENTICATE XOAUTH2), and the few commands the poller needs, each checked. With a
token endpoint, the access token comes from borough.channels.email.oauth, and a refused one is renewed once.

Everything that goes wrong is raised as `ImapProblem`, whose text says what happened in plain words, for the
account's `last_error`. The secret comes from the environment variable the account names, which must be one of its
own tenant's (`BOROUGH_IMAP_SECRET_<TENANT SLUG>__<NAME>`): otherwise an account could send the platform's own
secrets (SECRET_KEY, DATABASE_URL) or another tenant's password to a server of its choosing."""

import imaplib
import json
import os
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from borough.channels.email.oauth import (
    OAuthProblem,
    TokenRequest,
    client_secret_env,
    oauth_access_token,
    oauth_forget,
    token_endpoint,
)
from borough.channels.models import ImapAccount

TIMEOUT_SECONDS = 60
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SECRET_ENV_NAME = r"[A-Z0-9]+(?:_[A-Z0-9]+)*"  # no "__": that separates the tenant from the name


class ImapProblem(Exception):
    """A poll could not go on; str() is the reason in plain words."""


def secret_env_prefix(tenant) -> str:
    return f"BOROUGH_IMAP_SECRET_{tenant.slug.upper().replace('-', '_')}__"


def secret_env_allowed(tenant, name: str) -> bool:
    prefix = secret_env_prefix(tenant)
    return name.startswith(prefix) and re.fullmatch(SECRET_ENV_NAME, name[len(prefix) :]) is not None


class TokenRefused(ImapProblem):
    """The server refused the OAuth2 access token (expired or revoked)."""


def uses_token_endpoint(account: ImapAccount) -> bool:
    return account.auth_method == ImapAccount.AuthMethod.OAUTH2 and bool(account.oauth_token_url)


def secret_kind(account: ImapAccount) -> str:
    """What the variable `secret_env` names holds, in words."""
    if account.auth_method != ImapAccount.AuthMethod.OAUTH2:
        return "password"
    return "refresh token" if uses_token_endpoint(account) else "access token"


def account_secret(account: ImapAccount) -> str:
    what = secret_kind(account)
    if not secret_env_allowed(account.tenant, account.secret_env):
        raise ImapProblem(f"The {what} must be in a variable named {secret_env_prefix(account.tenant)}<NAME>")
    secret = os.environ.get(account.secret_env, "")
    if not secret:
        raise ImapProblem(f"The {what} is not set: the environment variable {account.secret_env} is empty")
    return _one_line(secret, what, account.secret_env)


def _one_line(secret: str, what: str, name: str) -> str:
    if any(character in secret for character in "\r\n\x00"):
        raise ImapProblem(f"The {what} in {name} contains a line break")
    return secret


def _bearer(account: ImapAccount, secret: str, *, fresh: bool = False) -> str:
    """The access token to send: the secret itself, or one from the account's token endpoint."""
    if not uses_token_endpoint(account):
        return secret
    name = client_secret_env(account.secret_env)  # the same tenant prefix: secret_env_allowed holds for it too
    request = TokenRequest(
        url=token_endpoint(account.oauth_token_url, account.oauth_tenant),
        client_id=account.oauth_client_id,
        refresh_token=secret,
        client_secret=_one_line(os.environ.get(name, ""), "client secret", name),
        scope=account.oauth_scope,
    )
    try:
        return oauth_access_token(account.pk, request, fresh=fresh)
    except OAuthProblem as problem:
        raise ImapProblem(str(problem)) from problem


def xoauth2_string(username: str, access_token: str) -> bytes:
    """The SASL XOAUTH2 initial response (Google and Microsoft), before base64: user, bearer token, ^A separators."""
    return f"user={username}\x01auth=Bearer {access_token}\x01\x01".encode()


def quoted(value: str) -> str:
    """An IMAP quoted string (imaplib sends mailbox names and user names as given)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _said(error: Exception) -> str:
    """What the server said, from an imaplib error (whose argument may be bytes)."""
    said = error.args[0] if error.args else ""
    return said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)


def _text(data) -> str:
    parts = [part.decode("utf-8", "replace") if isinstance(part, bytes) else str(part) for part in data or []]
    return " ".join(part for part in parts if part and part != "None").strip()


class ImapSession:
    """A logged-in connection (use `imap_session`); its methods raise ImapProblem when the server says no."""

    def __init__(self, connection: imaplib.IMAP4, account: ImapAccount):
        self.connection = connection
        self.account = account
        self.capabilities: set[str] = set()

    def refresh_capabilities(self) -> None:
        typ, data = self.connection.capability()
        if typ == "OK":
            self.capabilities = set(_text(data).upper().split())

    def select(self, folder: str) -> tuple[int, int]:
        """Select `folder` for reading and writing; returns its (UIDVALIDITY, UIDNEXT)."""
        typ, data = self.connection.select(quoted(folder))
        if typ != "OK":
            raise ImapProblem(f"The folder {folder} could not be opened: {_text(data) or 'the server said no'}")
        uidvalidity = self._number("UIDVALIDITY")
        if uidvalidity is None:
            raise ImapProblem(f"The server gave no UIDVALIDITY for {folder}, so new messages cannot be told apart")
        return uidvalidity, self._number("UIDNEXT") or 0

    def _number(self, code: str) -> int | None:
        _code, data = self.connection.response(code)
        values = [value for value in data or [] if value]
        return int(values[-1]) if values and values[-1].isdigit() else None

    def search(self, criteria: str) -> list[int]:
        typ, data = self.connection.uid("SEARCH", None, criteria)
        if typ != "OK":
            raise ImapProblem(f"The server refused to list the messages: {_text(data)}")
        return sorted({int(uid) for uid in b" ".join(part for part in data if part).split()})

    def sizes(self, uids: list[int]) -> dict[int, int]:
        if not uids:
            return {}
        typ, data = self.connection.uid("FETCH", ",".join(map(str, uids)), "(RFC822.SIZE)")
        if typ != "OK":
            raise ImapProblem(f"The server refused to give the messages' sizes: {_text(data)}")
        sizes = {}
        for line in data:
            line = line[0] if isinstance(line, tuple) else line
            uid = re.search(rb"UID (\d+)", line or b"")
            size = re.search(rb"RFC822\.SIZE (\d+)", line or b"")
            if uid and size:
                sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    def fetch(self, uid: int) -> bytes | None:
        """The whole message, without marking it read; None when it has gone (another client removed it)."""
        typ, data = self.connection.uid("FETCH", str(uid), "(BODY.PEEK[])")
        if typ != "OK":
            raise ImapProblem(f"The server refused to give message {uid}: {_text(data)}")
        for part in data:  # only the one message was asked for; other FETCH lines are unsolicited flag updates
            if isinstance(part, tuple) and b"BODY[]" in part[0]:
                return part[1]
        return None

    def mark_seen(self, uid: int) -> None:
        typ, data = self.connection.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)")
        if typ != "OK":
            raise ImapProblem(f"Message {uid} could not be marked as read: {_text(data)}")

    def move(self, uid: int, folder: str) -> None:
        """Move a message to `folder`, creating the folder the first time. Without the MOVE extension: copy, then
        flag the original \\Deleted and expunge just that one (UIDPLUS), or leave it flagged and read."""
        command = "MOVE" if "MOVE" in self.capabilities else "COPY"
        typ, data = self.connection.uid(command, str(uid), quoted(folder))
        if typ != "OK" and "TRYCREATE" in _text(data).upper():
            self.connection.create(quoted(folder))
            typ, data = self.connection.uid(command, str(uid), quoted(folder))
        if typ != "OK":
            raise ImapProblem(f"Message {uid} could not be moved to {folder}: {_text(data)}")
        if command == "COPY":
            self.connection.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted \Seen)")
            if "UIDPLUS" in self.capabilities:
                self.connection.uid("EXPUNGE", str(uid))


def _connect(account: ImapAccount) -> imaplib.IMAP4:
    if account.security == ImapAccount.Security.NONE and account.host not in LOOPBACK_HOSTS:
        raise ImapProblem("A connection without TLS is only allowed to this machine (127.0.0.1)")
    context = ssl.create_default_context()
    if account.security == ImapAccount.Security.TLS:
        return imaplib.IMAP4_SSL(account.host, account.port, ssl_context=context, timeout=TIMEOUT_SECONDS)
    connection = imaplib.IMAP4(account.host, account.port, timeout=TIMEOUT_SECONDS)
    if account.security == ImapAccount.Security.STARTTLS:
        try:
            connection.starttls(ssl_context=context)
        except imaplib.IMAP4.error as error:
            connection.shutdown()
            raise ImapProblem(f"The server does not offer STARTTLS ({_said(error)}); try TLS on connect") from error
    return connection


def _log_in(connection: imaplib.IMAP4, account: ImapAccount, secret: str, *, fresh: bool = False) -> None:
    if account.auth_method == ImapAccount.AuthMethod.OAUTH2:
        token = _bearer(account, secret, fresh=fresh)
        challenges: list[bytes] = []

        def respond(challenge: bytes) -> bytes:
            challenges.append(challenge)
            if len(challenges) == 1:
                return xoauth2_string(account.username, token)
            return b""  # the second challenge is the provider's refusal, as JSON: an empty answer ends the exchange

        try:
            connection.authenticate("XOAUTH2", respond)
        except imaplib.IMAP4.error as error:
            reason = _oauth_reason(challenges[1:])
            raise TokenRefused(f"The server refused the OAuth2 access token{reason} ({_said(error)})") from error
        return
    try:
        if secret.isascii():
            connection.login(quoted(account.username), secret)
        else:  # LOGIN is ASCII only; SASL PLAIN carries UTF-8
            connection.authenticate("PLAIN", lambda _challenge: f"\0{account.username}\0{secret}".encode())
    except imaplib.IMAP4.error as error:
        raise ImapProblem(f"The server refused the username or password ({_said(error)})") from error


def _oauth_reason(refusals: list[bytes]) -> str:
    for refusal in refusals:
        try:
            status = json.loads(refusal).get("status")
        except (ValueError, AttributeError):
            continue
        if status:
            return f" (status {status}: it may have expired)"
    return ""


def _in_words(error: Exception, account: ImapAccount) -> str:
    where = f"{account.host}:{account.port}"
    if isinstance(error, socket.gaierror):
        return f"The server name {account.host} could not be found"
    if isinstance(error, ConnectionRefusedError):
        return f"The server {where} refused the connection"
    if isinstance(error, TimeoutError):
        return f"The server {where} did not answer within {TIMEOUT_SECONDS} seconds"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"The server's certificate could not be trusted: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        return f"A secure connection to {where} could not be made ({error.reason or error}); check the security"
    if isinstance(error, OSError):
        return f"The connection to {where} failed: {error.strerror or error}"
    return f"The server {where} answered with an error: {_said(error)}"


def _open(account: ImapAccount) -> imaplib.IMAP4:
    try:
        return _connect(account)
    except (OSError, imaplib.IMAP4.error) as error:
        raise ImapProblem(_in_words(error, account)) from error


def _close(connection: imaplib.IMAP4) -> None:
    with suppress(OSError, imaplib.IMAP4.error):
        connection.logout()


def _log_in_renewing(connection: imaplib.IMAP4, account: ImapAccount, secret: str) -> imaplib.IMAP4:
    """Log in; a kept access token the server refuses (expired early, revoked) is renewed once, on a new
    connection (some servers hang up after a failed AUTHENTICATE). Returns the connection logged in."""
    try:
        _log_in(connection, account, secret)
        return connection
    except TokenRefused:
        if not uses_token_endpoint(account):
            raise
    _close(connection)
    oauth_forget(account.pk)
    connection = _open(account)
    try:
        _log_in(connection, account, secret, fresh=True)
    except TokenRefused as refused:
        _close(connection)
        raise ImapProblem(
            f"{refused} although the token endpoint had just issued it: check that the app may read mail over IMAP "
            "(its scope) and that the username is the mailbox the owner authorised"
        ) from refused
    except BaseException:
        _close(connection)
        raise
    return connection


@contextmanager
def imap_session(account: ImapAccount) -> Iterator[ImapSession]:
    """A logged-in session; connection and protocol errors become ImapProblem in plain words."""
    secret = account_secret(account)
    connection = _open(account)
    try:
        try:
            connection = _log_in_renewing(connection, account, secret)
            session = ImapSession(connection, account)
            session.refresh_capabilities()
            yield session
        except (OSError, imaplib.IMAP4.error) as error:
            raise ImapProblem(_in_words(error, account)) from error
    finally:
        _close(connection)
