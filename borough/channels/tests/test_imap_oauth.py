"""OAuth2 for IMAP: the refresh-token grant (RFC 6749 §6) against a token endpoint stand-in (a real HTTP server on
loopback speaking RFC 6749's token responses), and the poller signing in to the throwaway Dovecot with the token it
gets (Dovecot takes an XOAUTH2 bearer token as the test user's password: see .ci/dovecot-test.sh)."""

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from borough.channels.email import oauth
from borough.channels.email.imap_session import ImapProblem, imap_session
from borough.channels.email.oauth import OAuthProblem, TokenRequest, oauth_access_token, token_endpoint
from borough.channels.models import ImapAccount
from borough.channels.tests import test_imap as imap_tests
from borough.channels.tests.test_imap import closed_port, make_account, message, poll, secret_env
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
imap_server, folder = imap_tests.imap_server, imap_tests.folder  # the Dovecot fixtures, shared


@dataclass
class TokenEndpoint:
    """What the stand-in answers, in order (the last answer repeats), and the forms it was sent."""

    url: str = ""
    answers: list[tuple[int, object]] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)

    def answer(self) -> tuple[int, object]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def issued(token: str, expires_in: object = 3600, **extra) -> tuple[int, dict]:
    return 200, {"access_token": token, "token_type": "Bearer", "expires_in": expires_in, **extra}


def refused(error: str, description: str = "") -> tuple[int, dict]:
    return 400, {"error": error, **({"error_description": description} if description else {})}


@pytest.fixture
def endpoint() -> Iterator[TokenEndpoint]:
    state = TokenEndpoint(answers=[issued("token-1")])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length", 0))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            state.requests.append(
                {
                    "path": self.path,
                    "content_type": self.headers.get("Content-Type"),
                    **{name: values[0] for name, values in form.items()},
                }
            )
            status, body = state.answer()
            if status in (301, 302, 307):
                self.send_response(status)
                self.send_header("Location", str(body))
                self.end_headers()
                return
            raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if not isinstance(body, str) else "text/html")
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)  # shut down in 0.05 s, not 0.5
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/{{tenant}}/oauth2/v2.0/token"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def no_kept_tokens():
    oauth._tokens.clear()
    yield
    oauth._tokens.clear()


def request_for(endpoint: TokenEndpoint, **changes) -> TokenRequest:
    values = {
        "url": token_endpoint(endpoint.url, "northfield.onmicrosoft.com"),
        "client_id": "client-1",
        "refresh_token": "refresh-1",
        **changes,
    }
    return TokenRequest(**values)


# The refresh-token grant


def test_the_refresh_token_grant_is_posted_as_a_form(endpoint):
    request = request_for(endpoint, client_secret="s3cret", scope="https://mail.google.com/ offline_access")
    assert oauth_access_token(1, request) == "token-1"
    assert endpoint.requests == [
        {
            "path": "/northfield.onmicrosoft.com/oauth2/v2.0/token",
            "content_type": "application/x-www-form-urlencoded",
            "grant_type": "refresh_token",
            "refresh_token": "refresh-1",
            "client_id": "client-1",
            "client_secret": "s3cret",
            "scope": "https://mail.google.com/ offline_access",
        }
    ]


def test_a_public_client_sends_no_secret_and_no_scope_unless_given(endpoint):
    oauth_access_token(1, request_for(endpoint))
    assert set(endpoint.requests[0]) == {"path", "content_type", "grant_type", "refresh_token", "client_id"}


def test_the_token_is_kept_until_shortly_before_it_expires(endpoint):
    endpoint.answers = [issued("long", expires_in=3600), issued("short", expires_in=30), issued("next")]
    assert oauth_access_token(1, request_for(endpoint)) == "long"
    assert oauth_access_token(1, request_for(endpoint)) == "long"  # kept: no second request
    assert len(endpoint.requests) == 1
    assert oauth_access_token(1, request_for(endpoint), fresh=True) == "short"
    # 30 seconds is within the renewal margin: it is used once, never kept
    assert oauth_access_token(1, request_for(endpoint)) == "next"
    assert len(endpoint.requests) == 3


def test_a_token_is_kept_per_account_and_per_refresh_token(endpoint):
    endpoint.answers = [issued("a"), issued("b"), issued("c")]
    assert oauth_access_token(1, request_for(endpoint)) == "a"
    assert oauth_access_token(2, request_for(endpoint)) == "b"
    assert oauth_access_token(1, request_for(endpoint, refresh_token="refresh-2")) == "c"  # re-authorised
    assert oauth_access_token(2, request_for(endpoint)) == "b"
    assert len(endpoint.requests) == 3


def test_expires_in_as_a_string_or_missing_is_understood(endpoint):
    endpoint.answers = [issued("str", expires_in="3599"), (200, {"access_token": "unsaid", "token_type": "bearer"})]
    assert oauth_access_token(1, request_for(endpoint)) == "str"
    assert oauth_access_token(1, request_for(endpoint)) == "str"
    assert oauth_access_token(2, request_for(endpoint)) == "unsaid"
    assert oauth._tokens and len(endpoint.requests) == 2


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            refused("invalid_grant", "AADSTS70008: The refresh token has expired due to inactivity."),
            "Sign-in expired, ask the mailbox owner to re-authorise (the token endpoint answered invalid_grant: "
            "AADSTS70008: The refresh token has expired due to inactivity.)",
        ),
        (refused("invalid_grant"), "Sign-in expired, ask the mailbox owner to re-authorise (the token endpoint "),
        ((401, {"error": "invalid_client"}), "The token endpoint did not accept the client id or client secret"),
        (refused("invalid_scope", "bad scope"), "The token endpoint refused the scope asked for (invalid_scope: bad"),
        (refused("slow_down"), "The token endpoint refused to give an access token (slow_down)"),
        ((503, "<html>Service Unavailable</html>"), "The token endpoint 127.0.0.1 answered HTTP 503 without an OAuth2"),
        ((200, "<html>sign in</html>"), "The token endpoint 127.0.0.1 did not answer in JSON"),
        ((200, ["not", "an", "object"]), "The token endpoint 127.0.0.1 did not answer in JSON"),
        ((200, {"token_type": "Bearer"}), "The token endpoint 127.0.0.1 gave no usable access_token"),
        ((200, {"access_token": "a\r\nb", "token_type": "Bearer"}), "The token endpoint 127.0.0.1 gave no usable"),
        ((200, {"access_token": "t", "token_type": "mac"}), "The token endpoint 127.0.0.1 gave a 'mac' token"),
        ((302, "https://evil.example/steal"), "The token endpoint 127.0.0.1 answered HTTP 302"),  # not followed
    ],
)
def test_a_refusal_is_explained(endpoint, answer, expected):
    endpoint.answers = [answer]
    with pytest.raises(OAuthProblem) as raised:
        oauth_access_token(1, request_for(endpoint))
    assert str(raised.value).startswith(expected)
    assert oauth._tokens == {}


def test_an_endpoint_that_is_not_there_is_explained():
    request = TokenRequest(url=f"http://127.0.0.1:{closed_port()}/token", client_id="c", refresh_token="r")
    with pytest.raises(OAuthProblem, match=r"^The token endpoint 127\.0\.0\.1 could not be reached"):
        oauth_access_token(1, request)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token", True),
        ("https://oauth2.googleapis.com/token", True),
        ("http://127.0.0.1:8080/token", True),  # a stand-in on this machine, for tests
        ("http://login.example.org/token", False),
        ("ftp://login.example.org/token", False),
        ("https:///token", False),
        ("https://login.example.org:port/token", False),
        ("https://user@login.example.org/token", False),
        ("https://login.example.org/token#x", False),
        ("https://login.example.org/to ken", False),
        ("https://lógin.example.org/token", False),
    ],
)
def test_which_token_endpoints_are_allowed(url, allowed):
    assert (oauth.token_url_problem(url) == "") is allowed


def test_the_directory_is_put_in_the_endpoint_safely():
    template = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    assert token_endpoint(template, "common") == "https://login.microsoftonline.com/common/oauth2/v2.0/token"
    assert token_endpoint(template, "a/b?c") == "https://login.microsoftonline.com/a%2Fb%3Fc/oauth2/v2.0/token"


# The poller signing in with the token (Dovecot)


def oauth_account(tenant, mailbox, server, folder, endpoint, **fields) -> ImapAccount:
    return make_account(
        tenant,
        mailbox,
        server,
        folder,
        **{
            "auth_method": "oauth2",
            "oauth_token_url": endpoint.url,
            "oauth_client_id": "client-1",
            "oauth_tenant": "northfield.onmicrosoft.com",
            **fields,
        },
    )


def test_the_poller_signs_in_with_a_token_from_the_endpoint(
    tenant_a, mailbox, imap_server, folder, endpoint, monkeypatch
):
    monkeypatch.setenv(secret_env(tenant_a), "refresh-1")
    monkeypatch.setenv(f"{secret_env(tenant_a)}_CLIENT_SECRET", "s3cret")
    endpoint.answers = [issued(imap_server.password)]
    account = oauth_account(tenant_a, mailbox, imap_server, folder, endpoint)
    imap_server.append(folder, message("By refreshed OAuth2"))
    result, saved = poll(account)
    assert result.error == "" and len(result.spooled) == 1 and saved.last_taken == 1
    assert [(r["refresh_token"], r["client_secret"]) for r in endpoint.requests] == [("refresh-1", "s3cret")]
    poll(account)  # the token is kept: no second request
    assert len(endpoint.requests) == 1


def test_a_refused_token_is_renewed_once_and_the_login_retried(
    tenant_a, mailbox, imap_server, folder, endpoint, monkeypatch
):
    monkeypatch.setenv(secret_env(tenant_a), "refresh-1")
    # The first token is "valid for an hour" but the server has revoked it: the poller asks again, once.
    endpoint.answers = [issued("revoked-token"), issued(imap_server.password)]
    account = oauth_account(tenant_a, mailbox, imap_server, folder, endpoint)
    imap_server.append(folder, message("After a renewal"))
    result, saved = poll(account)
    assert result.error == "" and len(result.spooled) == 1 and saved.last_error == ""
    assert len(endpoint.requests) == 2


def test_a_token_refused_even_when_new_is_explained(tenant_a, mailbox, imap_server, folder, endpoint, monkeypatch):
    monkeypatch.setenv(secret_env(tenant_a), "refresh-1")
    endpoint.answers = [issued("wrong-scope-token")]
    account = oauth_account(tenant_a, mailbox, imap_server, folder, endpoint)
    _result, saved = poll(account)
    assert saved.last_error.startswith("The server refused the OAuth2 access token")
    assert "although the token endpoint had just issued it" in saved.last_error
    assert len(endpoint.requests) == 2  # one renewal, not a loop


def test_an_expired_sign_in_is_shown_on_the_account(
    tenant_a, mailbox, imap_server, folder, endpoint, monkeypatch, make_staff, client_for
):
    monkeypatch.setenv(secret_env(tenant_a), "refresh-1")
    endpoint.answers = [refused("invalid_grant", "Token has been expired or revoked.")]
    account = oauth_account(tenant_a, mailbox, imap_server, folder, endpoint)
    imap_server.append(folder, message("Stays on the server"))
    result, saved = poll(account)
    assert saved.last_error.startswith("Sign-in expired, ask the mailbox owner to re-authorise")
    assert result.spooled == [] and imap_server.flags(folder) == {1: set()}
    admin = client_for(tenant_a, make_staff(tenant_a, ("tenant.admin",), username="ada"))
    page = admin.get(f"/staff/mail/settings/imap/{account.pk}/").text
    assert "Sign-in expired, ask the mailbox owner to re-authorise" in page


def test_missing_or_broken_secrets_are_explained(tenant_a, mailbox, imap_server, folder, endpoint, monkeypatch):
    account = oauth_account(tenant_a, mailbox, imap_server, folder, endpoint)
    monkeypatch.delenv(secret_env(tenant_a), raising=False)
    with (
        tenant_scope(tenant_a),
        pytest.raises(ImapProblem, match="^The refresh token is not set"),
        imap_session(account),
    ):
        pass
    monkeypatch.setenv(secret_env(tenant_a), "refresh-1")
    monkeypatch.setenv(f"{secret_env(tenant_a)}_CLIENT_SECRET", "line\nbreak")
    _result, saved = poll(account)
    assert saved.last_error == f"The client secret in {secret_env(tenant_a)}_CLIENT_SECRET contains a line break"
    assert endpoint.requests == []  # nothing sent


def test_a_token_endpoint_problem_is_recorded_on_the_account(tenant_a, mailbox, imap_server, folder, monkeypatch):
    monkeypatch.setenv(secret_env(tenant_a), "refresh-1")
    down = TokenEndpoint(url=f"http://127.0.0.1:{closed_port()}/token")
    account = oauth_account(tenant_a, mailbox, imap_server, folder, down, oauth_tenant="")
    _result, saved = poll(account)
    assert saved.last_error.startswith("The token endpoint 127.0.0.1 could not be reached")
