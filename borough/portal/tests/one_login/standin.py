"""A local stand-in for GOV.UK One Login's OpenID Connect endpoints, as its documentation describes them, for tests.

Discovery, authorize (a redirect back with a code, or with `error=access_denied` when told to deny), token (checks
the `private_key_jwt` client assertion against the client's public key, the code and the redirect URI; answers
with an access token and an ES256 ID token signed with the stand-in's own key), JWKS, userinfo (Bearer token) and
end session. A test changes what the ID token says with `id_token_changes`, or signs it with `sign_with`.
"""

import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


class OneLoginStandIn:
    def __init__(self, *, client_id: str, client_public_pem: str):
        self.client_id = client_id
        self.client_public_key = serialization.load_pem_public_key(client_public_pem.encode())
        self.signing_key = ec.generate_private_key(ec.SECP256R1())
        self.kid = "standin-" + secrets.token_hex(4)
        self.subject = "urn:fdc:gov.uk:2022:" + secrets.token_urlsafe(16)
        self.email = "ann@example.org"
        self.phone = "+447700900123"
        self.deny = False
        self.userinfo_changes: dict = {}
        self.id_token_changes: dict = {}
        self.sign_with = None  # a key other than the one in the JWKS
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, str] = {}
        self.seen_jti: set[str] = set()
        self.authorize_requests: list[dict] = []
        self.token_refusals: list[str] = []
        self.logouts: list[dict] = []
        self.requests: list[str] = []  # the path of every request, in order
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def token_endpoint(self) -> str:
        return self.issuer + "token"

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "authorize",
            "token_endpoint": self.token_endpoint,
            "userinfo_endpoint": self.issuer + "userinfo",
            "jwks_uri": self.issuer + ".well-known/jwks.json",
            "end_session_endpoint": self.issuer + "logout",
            "scopes_supported": ["openid", "email", "phone", "offline_access"],
            "response_types_supported": ["code"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post"],
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
            "ui_locales_supported": ["en", "cy"],
        }

    def rotate_key(self) -> None:
        """A new signing key with a new kid, as when One Login rotates its keys."""
        self.signing_key = ec.generate_private_key(ec.SECP256R1())
        self.kid = "standin-" + secrets.token_hex(4)

    def jwks(self) -> dict:
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(self.signing_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "ES256"}]}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.subject,
            "aud": self.client_id,
            "exp": now + 180,
            "iat": now,
            "nonce": nonce,
            "vot": "Cl.Cm",
            "vtm": self.issuer + "trustmark",
            "sid": secrets.token_urlsafe(8),
        }
        claims.update(self.id_token_changes)
        key = self.sign_with or self.signing_key
        return jwt.encode(claims, key, algorithm="ES256", headers={"kid": self.kid})

    # What the Django side's redirect to /authorize leads to

    def authorize(self, url: str) -> str:
        """GET the authorize URL as a browser would, without following: the Location it redirects to."""
        request = urllib.request.Request(url)  # noqa: S310 (loopback)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(request, timeout=5)
        except urllib.error.HTTPError as error:
            if error.code == 302:
                return error.headers["Location"]
            raise
        raise AssertionError("authorize did not redirect")

    def _token(self, form: dict) -> tuple[int, dict]:
        def refuse(error: str, why: str) -> tuple[int, dict]:
            self.token_refusals.append(why)
            return 400, {"error": error, "error_description": why}

        if form.get("grant_type") != "authorization_code":
            return refuse("unsupported_grant_type", "grant_type")
        if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return refuse("invalid_client", "client_assertion_type")
        try:
            assertion = jwt.decode(
                form.get("client_assertion", ""),
                self.client_public_key,
                algorithms=["RS256", "ES256"],
                audience=self.token_endpoint,
                issuer=self.client_id,
                options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
            )
        except jwt.PyJWTError as error:
            return refuse("invalid_client", f"client_assertion: {error}")
        if assertion["sub"] != self.client_id or assertion["jti"] in self.seen_jti:
            return refuse("invalid_client", "client_assertion sub or jti")
        self.seen_jti.add(assertion["jti"])
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return refuse("invalid_grant", "code or redirect_uri")
        access = secrets.token_urlsafe(24)
        self.access_tokens[access] = self.subject
        reply = {"access_token": access, "token_type": "Bearer", "expires_in": 180}
        return 200, {**reply, "id_token": self.id_token(grant["nonce"])}

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict | None = None, location: str = ""):
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                data = json.dumps(body).encode() if body is not None else b""
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                standin.requests.append(parts.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                if parts.path == "/.well-known/openid-configuration":
                    return self._send(200, standin.discovery())
                if parts.path == "/.well-known/jwks.json":
                    return self._send(200, standin.jwks())
                if parts.path == "/authorize":
                    standin.authorize_requests.append(query)
                    back = query["redirect_uri"] + "?"
                    if standin.deny:
                        return self._send(302, location=back + urllib.parse.urlencode(
                            {"error": "access_denied", "error_description": "Access denied", "state": query["state"]}
                        ))  # fmt: skip
                    code = secrets.token_urlsafe(16)
                    standin.codes[code] = {"nonce": query["nonce"], "redirect_uri": query["redirect_uri"]}
                    return self._send(
                        302, location=back + urllib.parse.urlencode({"code": code, "state": query["state"]})
                    )
                if parts.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    subject = standin.access_tokens.get(token)
                    if subject is None:
                        return self._send(401, {"error": "invalid_token"})
                    return self._send(200, {
                        "sub": subject, "email": standin.email, "email_verified": True,
                        "phone_number": standin.phone, "phone_number_verified": True, **standin.userinfo_changes,
                    })  # fmt: skip
                if parts.path == "/logout":
                    standin.logouts.append(query)
                    target = query.get("post_logout_redirect_uri", "")
                    return self._send(302, location=f"{target}?state={query.get('state', '')}")
                return self._send(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                standin.requests.append(self.path)
                if self.path == "/token":
                    return self._send(*standin._token(form))
                return self._send(404, {"error": "not_found"})

        return Handler


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
