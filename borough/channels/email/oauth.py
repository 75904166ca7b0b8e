"""OAuth 2.0 access tokens for IMAP accounts that sign in with XOAUTH2 (Microsoft 365, Google): the refresh-token
grant of RFC 6749 §6, POSTed as a form to the account's token endpoint, answered in JSON (§5.1, errors §5.2).

An access token is kept in this process's memory until shortly before it expires (`expires_in`), never in the
database or a shared cache. The refresh token and the client secret come from the environment (ADR 0014): the
account's `secret_env` holds the refresh token, `<secret_env>_CLIENT_SECRET` the client secret, which a public
client (no secret) leaves unset. A refresh token the provider rotates in its answer is not kept: providers leave
the old one valid until it expires, and then the mailbox owner re-authorises (invalid_grant says so).

Problems are raised as `OAuthProblem`, whose text says in plain words what to do."""

import hashlib
import http.client
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

TIMEOUT_SECONDS = 30
EARLY_SECONDS = 60  # a token is renewed this long before it expires, so it does not expire mid-poll
LIFETIME_WHEN_UNSAID = 600  # expires_in is only RECOMMENDED (RFC 6749 §5.1); a refusal renews it anyway
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CLIENT_SECRET_SUFFIX = "_CLIENT_SECRET"
TENANT_PLACEHOLDER = "{tenant}"
SIGN_IN_EXPIRED = "Sign-in expired, ask the mailbox owner to re-authorise"
# RFC 6749 §5.2 error codes, in the words an administrator can act on.
ERROR_WORDS = {
    "invalid_client": "The token endpoint did not accept the client id or client secret",
    "unauthorized_client": "The app (client id) is not allowed to use refresh tokens",
    "invalid_scope": "The token endpoint refused the scope asked for",
    "invalid_request": "The token endpoint found the request malformed",
    "unsupported_grant_type": "The token endpoint does not support refresh tokens",
}


class OAuthProblem(Exception):
    """No access token could be had; str() is the reason in plain words."""


@dataclass(frozen=True)
class TokenRequest:
    url: str
    client_id: str
    refresh_token: str
    client_secret: str = ""
    scope: str = ""

    def cache_key(self, account_id: int) -> tuple:
        # The secrets are part of the key (hashed), so a new refresh token in the environment is used at once.
        secrets = hashlib.sha256(f"{self.refresh_token}\0{self.client_secret}".encode()).hexdigest()
        return (account_id, self.url, self.client_id, self.scope, secrets)


_tokens: dict[tuple, tuple[str, float]] = {}
_lock = threading.Lock()


def client_secret_env(secret_env: str) -> str:
    return f"{secret_env}{CLIENT_SECRET_SUFFIX}"


def token_endpoint(url: str, directory: str) -> str:
    """The account's token endpoint, its {tenant} (Microsoft's directory) filled in."""
    return url.replace(TENANT_PLACEHOLDER, urllib.parse.quote(directory, safe=""))


def token_url_problem(url: str) -> str:
    """Why `url` cannot be a token endpoint, or "" when it can: https (http only to this machine, for tests), with
    no user name, query or fragment."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "Give the token endpoint's address, like https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        pass
    elif parts.scheme != "https" or not host:
        return "Give the token endpoint's https:// address, like https://oauth2.googleapis.com/token"
    if not url.isascii() or not url.isprintable() or " " in url:
        return "Give the token endpoint's address in plain characters, without spaces (as the provider shows it)"
    if parts.username or parts.password or parts.query or parts.fragment:
        return "Give the token endpoint's address without a user name, query (?) or fragment (#)"
    return ""


def oauth_access_token(account_id: int, request: TokenRequest, *, fresh: bool = False) -> str:
    """An access token for the account: the one kept in memory while it is valid (unless `fresh`), else a new one
    from the token endpoint."""
    key = request.cache_key(account_id)
    now = time.monotonic()
    with _lock:
        kept = _tokens.get(key)
        if kept and not fresh and kept[1] > now:
            return kept[0]
        _forget(account_id)
    token, lifetime = _refresh(request)
    with _lock:
        _tokens[key] = (token, now + max(lifetime - EARLY_SECONDS, 0))
    return token


def oauth_forget(account_id: int) -> None:
    """Drop the account's kept access token (it was refused, or the account changed)."""
    with _lock:
        _forget(account_id)


def _forget(account_id: int) -> None:
    for key in [key for key in _tokens if key[0] == account_id]:
        del _tokens[key]


def _refresh(request: TokenRequest) -> tuple[str, int]:
    """POST the refresh-token grant; returns (access token, lifetime in seconds)."""
    if problem := token_url_problem(request.url):  # checked when saved; again here, before a secret is sent
        raise OAuthProblem(problem)
    form = {"grant_type": "refresh_token", "refresh_token": request.refresh_token, "client_id": request.client_id}
    if request.client_secret:  # client_secret_post (§2.3.1): what Microsoft and Google document for this grant
        form["client_secret"] = request.client_secret
    if request.scope:
        form["scope"] = request.scope
    http_request = urllib.request.Request(  # noqa: S310 - https (or http to loopback) only, checked above
        request.url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    host = urllib.parse.urlsplit(request.url).hostname
    try:
        with _opener.open(http_request, timeout=TIMEOUT_SECONDS) as response:
            status, body = response.status, response.read(65536)
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read(65536)
    except TimeoutError as error:
        raise OAuthProblem(f"The token endpoint {host} did not answer within {TIMEOUT_SECONDS} seconds") from error
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", error)
        raise OAuthProblem(f"The token endpoint {host} could not be reached ({reason})") from error
    answer = _json(body)
    if status != 200:
        raise OAuthProblem(_refusal(status, answer, host))
    return _token_of(answer, host)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would re-send the refresh token somewhere else: refuse it (it surfaces as an HTTPError)."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _json(body: bytes) -> dict | None:
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def _refusal(status: int, answer: dict | None, host: str | None) -> str:
    code = str((answer or {}).get("error") or "")
    if not code:
        return f"The token endpoint {host} answered HTTP {status} without an OAuth2 error"
    said = " ".join(str((answer or {}).get("error_description") or "").split())[:200]
    detail = f"{code}: {said}" if said else code
    if code == "invalid_grant":  # the refresh token is expired, revoked, or was issued for another client
        return f"{SIGN_IN_EXPIRED} (the token endpoint answered {detail})"
    words = ERROR_WORDS.get(code, "The token endpoint refused to give an access token")
    return f"{words} ({detail})"


def _token_of(answer: dict | None, host: str | None) -> tuple[str, int]:
    if answer is None:
        raise OAuthProblem(f"The token endpoint {host} did not answer in JSON")
    token = answer.get("access_token")
    if not isinstance(token, str) or not token or not token.isprintable() or not token.isascii():
        raise OAuthProblem(f"The token endpoint {host} gave no usable access_token")
    if str(answer.get("token_type", "")).lower() != "bearer":
        raise OAuthProblem(f"The token endpoint {host} gave a {answer.get('token_type')!r} token, not a Bearer token")
    lifetime = answer.get("expires_in", LIFETIME_WHEN_UNSAID)
    if isinstance(lifetime, str) and lifetime.isdigit():  # older Azure AD endpoints send it as a string
        lifetime = int(lifetime)
    if not isinstance(lifetime, int) or isinstance(lifetime, bool) or lifetime < 0:
        lifetime = LIFETIME_WHEN_UNSAID
    return token, lifetime
