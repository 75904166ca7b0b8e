"""GOV.UK One Login's OpenID Connect flow, as documented at docs.sign-in.service.gov.uk ("integrate with GOV.UK One
Login"): authorisation request, token request authenticated with `private_key_jwt`, ID token validation, userinfo,
end session. PyJWT and cryptography do the JOSE parts.

The discovery document and the JWKS come from the provider at run time and are kept in this process's memory for
KEEP_SECONDS (a key One Login rotates in is fetched again at once: an unknown `kid` reads the JWKS again). Every call
has a timeout and follows no redirect. Each failure is a `OneLoginError` with a `reason` (a short code the audit
trail keeps) and words a resident can be shown.
"""

import json
import os
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

KEEP_SECONDS = 5 * 60
TIMEOUT_SECONDS = 10
ASSERTION_LIFETIME = 5 * 60
LEEWAY_SECONDS = 30  # clock difference allowed on exp / iat
SCOPE = "openid email phone"
VTR = '["Cl.Cm"]'  # medium level of authentication (two factors); no identity proving
VOT = "Cl.Cm"
ID_TOKEN_ALGORITHMS = ["ES256", "RS256"]
CALLBACK_PATH = "/sign-in/callback/"
SIGNED_OUT_PATH = "/sign-in/signed-out/"


class OneLoginError(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


class ProviderUnavailable(OneLoginError):
    """One Login did not answer, or answered with something that is not its documented reply."""


class KeyMissing(OneLoginError):
    """The tenant's private key is not set, not a key, or not the key configured."""


@dataclass(frozen=True)
class Tokens:
    access_token: str
    id_token: str
    claims: dict


@dataclass(frozen=True)
class UserInfo:
    sub: str
    email: str
    email_verified: bool
    phone_number: str


def key_env_name(tenant) -> str:
    return f"BOROUGH_ONE_LOGIN_KEY_{tenant.slug.upper().replace('-', '_')}"


def load_private_key(pem: str | bytes):
    """An RSA or EC (P-256) private key from PEM, else ValueError."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data.replace(b"\\n", b"\n"), password=None)
    except (ValueError, TypeError) as error:
        raise ValueError(f"not an unencrypted PEM private key ({error})") from None
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise ValueError("an RSA key must have at least 2048 bits")
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise ValueError("the key must be RSA (RS256) or EC P-256 (ES256)")


def check_public_key(pem: str) -> str:
    """The public key (PEM) of an RSA (2048+) or EC P-256 key pair, normalised, else ValueError."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as error:
        raise ValueError(f"not a PEM public key ({error})") from None
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048:
        raise ValueError("an RSA key must have at least 2048 bits")
    if not isinstance(key, rsa.RSAPublicKey) and not (
        isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)
    ):
        raise ValueError("the key must be RSA (RS256) or EC P-256 (ES256)")
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def public_pem(private_key) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _algorithm(private_key) -> str:
    return "RS256" if isinstance(private_key, rsa.RSAPrivateKey) else "ES256"


def tenant_private_key(client):
    """The tenant's signing key from its environment variable, checked against the public key configured."""
    name = key_env_name(client.tenant)
    value = os.environ.get(name, "")
    if not value:
        raise KeyMissing("key_missing", f"{name} is not set")
    try:
        key = load_private_key(value)
    except ValueError as error:
        raise KeyMissing("key_invalid", f"{name}: {error}") from None
    if public_pem(key).strip() != client.public_key_pem.strip():
        raise KeyMissing("key_mismatch", f"{name} holds another key than the one configured")
    return key


# Fetching, without redirects, with a timeout


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _call(url: str, *, data: dict | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json", **(headers or {})})  # noqa: S310
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        raise ProviderUnavailable("unreachable", f"GOV.UK One Login could not be reached ({error})") from None


def _json(url: str, status: int, body: bytes) -> dict:
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ProviderUnavailable("bad_reply", f"{url} answered {status} without a JSON object")
    return value


def check_url(url: str) -> None:
    """One Login is reached over https; plain http only on loopback (the tests' stand-in)."""
    parts = urllib.parse.urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ValueError(f"{url} must be https (plain http only on loopback)")


_kept: dict[str, tuple[float, dict]] = {}
_kept_lock = threading.Lock()


def _kept_json(url: str, *, fresh: bool = False) -> dict:
    now = time.monotonic()
    with _kept_lock:
        hit = _kept.get(url)
    if hit is not None and not fresh and hit[0] > now:
        return hit[1]
    check_url(url)
    status, body = _call(url)
    if status != 200:
        raise ProviderUnavailable("bad_reply", f"{url} answered {status}")
    value = _json(url, status, body)
    with _kept_lock:
        _kept[url] = (now + KEEP_SECONDS, value)
    return value


def forget_kept() -> None:
    with _kept_lock:
        _kept.clear()


def discovery(issuer: str) -> dict:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = _kept_json(url)
    needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")
    if any(not isinstance(document.get(name), str) for name in needed):
        raise ProviderUnavailable("bad_discovery", f"{url} lacks one of {', '.join(needed)}")
    return document


# The flow


def new_state_and_nonce() -> tuple[str, str]:
    return secrets.token_urlsafe(32), secrets.token_urlsafe(32)


def authorisation_url(client, *, redirect_uri: str, state: str, nonce: str, locale: str = "en") -> str:
    document = discovery(client.issuer)
    query = {
        "response_type": "code",
        "scope": SCOPE,
        "client_id": client.client_id,
        "state": state,
        "redirect_uri": redirect_uri,
        "nonce": nonce,
        "vtr": VTR,
        "ui_locales": "cy" if locale.startswith("cy") else "en",
    }
    return document["authorization_endpoint"] + "?" + urllib.parse.urlencode(query)


def client_assertion(client, *, audience: str, now: int | None = None) -> str:
    """The `private_key_jwt` client assertion: iss = sub = client id, aud = the token endpoint, a fresh jti."""
    key = tenant_private_key(client)
    now = int(time.time()) if now is None else now
    claims = {
        "iss": client.client_id,
        "sub": client.client_id,
        "aud": audience,
        "jti": secrets.token_urlsafe(24),
        "iat": now,
        "exp": now + ASSERTION_LIFETIME,
    }
    headers = {"kid": client.key_id} if client.key_id else None
    return jwt.encode(claims, key, algorithm=_algorithm(key), headers=headers)


def token_request(client, *, code: str, redirect_uri: str, nonce: str) -> Tokens:
    """Exchange the authorisation code; the ID token is validated before anything is returned."""
    document = discovery(client.issuer)
    endpoint = document["token_endpoint"]
    check_url(endpoint)
    assertion = client_assertion(client, audience=endpoint)
    status, body = _call(
        endpoint,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )
    reply = _json(endpoint, status, body)
    if status != 200:
        raise OneLoginError("token_refused", f"the token request was refused: {reply.get('error', status)}")
    access_token, id_token = reply.get("access_token"), reply.get("id_token")
    if not isinstance(access_token, str) or not isinstance(id_token, str):
        raise OneLoginError("token_refused", "the token reply lacks access_token or id_token")
    claims = validate_id_token(client, id_token, nonce=nonce, document=document)
    return Tokens(access_token=access_token, id_token=id_token, claims=claims)


def _signing_key(document: dict, token: str):
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise OneLoginError("id_token_invalid", f"the ID token is not a JWT ({error})") from None
    kid = header.get("kid")
    for fresh in (False, True):  # an unknown kid: read the JWKS again once (key rotation)
        jwks = _kept_json(document["jwks_uri"], fresh=fresh)
        try:
            keys = jwt.PyJWKSet.from_dict(jwks).keys
        except jwt.PyJWTError as error:
            raise ProviderUnavailable("bad_jwks", f"the JWKS is not usable ({error})") from None
        matching = [key for key in keys if kid is None or key.key_id == kid]
        if matching:
            return matching[0]
    raise OneLoginError("id_token_invalid", f"no key {kid!r} in One Login's JWKS")


def validate_id_token(client, token: str, *, nonce: str, document: dict | None = None) -> dict:
    """The ID token's claims once its signature (provider's JWKS), iss, aud, exp, iat, nonce and vot check out."""
    document = document or discovery(client.issuer)
    key = _signing_key(document, token)
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=ID_TOKEN_ALGORITHMS,
            audience=client.client_id,
            issuer=document["issuer"],
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise OneLoginError("id_token_expired", "the ID token has expired") from None
    except jwt.InvalidAudienceError:
        raise OneLoginError("id_token_audience", "the ID token is for another client") from None
    except jwt.PyJWTError as error:
        raise OneLoginError("id_token_invalid", f"the ID token is not valid ({error})") from None
    if not secrets.compare_digest(str(claims["nonce"]), nonce):
        raise OneLoginError("id_token_nonce", "the ID token's nonce is not the one sent")
    if claims.get("vot") != VOT:
        raise OneLoginError("id_token_vot", f"the ID token's vot is {claims.get('vot')!r}, not {VOT}")
    return claims


def userinfo(client, *, access_token: str, subject: str) -> UserInfo:
    document = discovery(client.issuer)
    endpoint = document["userinfo_endpoint"]
    check_url(endpoint)
    status, body = _call(endpoint, headers={"Authorization": f"Bearer {access_token}"})
    if status != 200:
        raise OneLoginError("userinfo_refused", f"the userinfo request was refused ({status})")
    info = _json(endpoint, status, body)
    if info.get("sub") != subject:
        raise OneLoginError("userinfo_subject", "userinfo is about another subject than the ID token")
    return UserInfo(
        sub=subject,
        email=str(info.get("email") or "")[:254],
        email_verified=info.get("email_verified") is True,
        phone_number=str(info.get("phone_number") or "")[:40],
    )


def end_session_url(client, *, id_token: str, post_logout_redirect_uri: str, state: str) -> str | None:
    """One Login's end session URL, or None when its discovery names none (or cannot be read)."""
    try:
        endpoint = discovery(client.issuer).get("end_session_endpoint")
    except OneLoginError:
        return None
    if not isinstance(endpoint, str):
        return None
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": post_logout_redirect_uri, "state": state}
    return endpoint + "?" + urllib.parse.urlencode(query)
