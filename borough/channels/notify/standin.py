"""A local stand-in for GOV.UK Notify's v2 API, for tests, the demo and benchmarks: a real threaded HTTP server.

It speaks the API as `notifications-python-client` uses it: POST /v2/notifications/sms and /email (201 and the
documented body), GET /v2/notifications (filtered by reference, status, template_type; newest first) and GET
/v2/notifications/{id}. Every request must carry a JWT signed with the secret of an API key it was given (keys look
like `name-<service id>-<secret>`), checked with the client package's own `decode_jwt_token`: a bad token gets 403
and Notify's error body. Bad phone numbers get Notify's 400 validation errors. Templates render `((placeholders))`;
a template id it was not told about is treated as `((body))` (email subject `((subject))`), the templates Borough
uses (ADR 0016).

    with NotifyStandIn() as notify:
        key = notify.api_key
        ... NotificationsAPIClient(key, base_url=notify.url) ...
        assert notify.sent()[0]["phone_number"] == "+447700900123"

Knobs for tests: `fail_next(n, status=500)`, `delay` (seconds before each answer), `set_status(id, status)`, and
`delivery_receipt(id)` / `inbound_sms(...)` build the documented callback bodies Notify would post.
"""

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

PLACEHOLDER = re.compile(r"\(\(([^()]+)\)\)")
FINAL_STATUSES = frozenset({"delivered", "permanent-failure", "temporary-failure", "technical-failure"})
PAGE_SIZE = 250


def make_api_key(name: str = "borough-test") -> str:
    """A key in Notify's format: a name, the service id and the secret (both UUIDs)."""
    return f"{name}-{uuid.uuid4()}-{uuid.uuid4()}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _error(status: int, kind: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": kind, "message": message}]}


def phone_problem(number: str) -> str:
    """Notify's message for a phone number it would refuse, or "" (UK mobiles, and international numbers)."""
    digits = re.sub(r"[\s().\-+]", "", number or "")
    if not digits:
        return "phone_number is a required property"
    if not digits.isdigit():
        return "phone_number Must not contain letters or symbols"
    if digits.startswith("0044"):
        digits = "44" + digits[4:]
    uk = digits.startswith(("447", "07")) or (digits.startswith("7") and len(digits) == 10)
    if uk:
        national = digits[2:] if digits.startswith("44") else digits.lstrip("0")
        if len(national) < 10:
            return "phone_number Not enough digits"
        if len(national) > 10:
            return "phone_number Too many digits"
        return ""
    if digits.startswith(("0", "44")):
        return "phone_number Not a UK mobile number"
    if not 8 <= len(digits) <= 15:
        return "phone_number Not a valid international number"
    return ""


class NotifyStandIn:
    def __init__(self, *, api_keys: list[str] | None = None, host: str = "127.0.0.1", port: int = 0):
        self.api_key = (api_keys or [make_api_key()])[0]
        self._secrets = {key[-73:-37]: key[-36:] for key in (api_keys or [self.api_key])}
        self.templates: dict[str, dict[str, str]] = {}
        self.sms_sender = "Borough"
        self.delay = 0.0
        self._lock = threading.Lock()
        self._failures: list[int] = []
        self._notifications: list[dict[str, Any]] = []  # oldest first
        self._by_id: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []  # every request: method, path, service_id, body, status
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- running ----------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "NotifyStandIn":
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="notify-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "NotifyStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- knobs and what it saw --------------------------------------------------------------------------------

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def add_template(self, template_id: str, *, body: str, subject: str = "") -> None:
        self.templates[template_id] = {"body": body, "subject": subject}

    def sent(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The notifications accepted, oldest first (copies)."""
        with self._lock:
            return [dict(n) for n in self._notifications if kind is None or n["type"] == kind]

    def set_status(self, notification_id: str, status: str) -> dict[str, Any]:
        with self._lock:
            notification = self._by_id[notification_id]
            notification["status"] = status
            if status in FINAL_STATUSES:
                notification["completed_at"] = _now()
            if status != "created" and not notification["sent_at"]:
                notification["sent_at"] = _now()
            return dict(notification)

    def delivery_receipt(self, notification_id: str, status: str | None = None) -> dict[str, Any]:
        """The body Notify posts to a service's delivery-status callback, as documented."""
        notification = self.set_status(notification_id, status) if status else self.sent_by_id(notification_id)
        return {
            "id": notification["id"],
            "reference": notification["reference"],
            "to": notification["phone_number"] or notification["email_address"],
            "status": notification["status"],
            "created_at": notification["created_at"],
            "completed_at": notification["completed_at"],
            "sent_at": notification["sent_at"],
            "notification_type": notification["type"],
            "template_id": notification["template"]["id"],
            "template_version": notification["template"]["version"],
        }

    def sent_by_id(self, notification_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._by_id[notification_id])

    @staticmethod
    def inbound_sms(*, source_number: str, message: str, destination_number: str = "07700900000") -> dict[str, Any]:
        """The body Notify posts to a service's received-text-messages callback, as documented."""
        return {
            "id": str(uuid.uuid4()),
            "source_number": source_number,
            "destination_number": destination_number,
            "message": message,
            "date_received": _now(),
        }

    # -- the API ----------------------------------------------------------------------------------------------

    def _authorise(self, header: str) -> tuple[str, tuple[int, dict[str, Any]] | None]:
        scheme, _, token = (header or "").partition(" ")
        if scheme != "Bearer" or not token:
            return "", _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            service_id = get_token_issuer(token)
        except TokenError as error:
            return "", _error(403, "AuthError", error.message)
        secret = self._secrets.get(service_id)
        if secret is None:
            return "", _error(403, "AuthError", "Invalid token: service not found")
        try:
            decode_jwt_token(token, secret)
        except TokenError as error:
            return "", _error(403, "AuthError", error.message)
        return service_id, None

    def _render(self, template_id: str, kind: str, personalisation: dict[str, Any]) -> tuple[dict[str, str], str]:
        template = self.templates.get(template_id) or {
            "body": "((body))",
            "subject": "((subject))" if kind == "email" else "",
        }
        needed = {name for part in template.values() for name in PLACEHOLDER.findall(part)}
        missing = sorted(name for name in needed if name not in personalisation)
        if missing:
            return {}, f"Missing personalisation: {', '.join(missing)}"

        def fill(text: str) -> str:
            return PLACEHOLDER.sub(lambda match: str(personalisation[match.group(1)]), text)

        return {"body": fill(template["body"]), "subject": fill(template["subject"])}, ""

    def _create(self, kind: str, service_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        field = "phone_number" if kind == "sms" else "email_address"
        recipient = body.get(field)
        if not isinstance(recipient, str) or not recipient:
            return _error(400, "ValidationError", f"{field} is a required property")
        if kind == "sms" and (problem := phone_problem(recipient)):
            return _error(400, "ValidationError", problem)
        if kind == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", recipient):
            return _error(400, "ValidationError", "email_address Not a valid email address")
        template_id = body.get("template_id")
        try:
            uuid.UUID(str(template_id))
        except ValueError:
            return _error(400, "ValidationError", "template_id is not a valid UUID")
        personalisation = body.get("personalisation") or {}
        if not isinstance(personalisation, dict):
            return _error(400, "ValidationError", "personalisation is not of type object")
        content, problem = self._render(str(template_id), kind, personalisation)
        if problem:
            return _error(400, "BadRequestError", problem)
        if kind == "sms" and len(content["body"]) > 918:
            return _error(
                400,
                "BadRequestError",
                "Text messages cannot be longer than 918 characters. "
                f"Your message is {len(content['body'])} characters",
            )
        notification_id = str(uuid.uuid4())
        template = {"id": str(template_id), "version": 1, "uri": f"{self.url}/v2/template/{template_id}"}
        notification = {
            "id": notification_id,
            "service_id": service_id,
            "reference": body.get("reference"),
            "email_address": recipient if kind == "email" else None,
            "phone_number": recipient if kind == "sms" else None,
            "line_1": None,
            "line_2": None,
            "line_3": None,
            "line_4": None,
            "line_5": None,
            "line_6": None,
            "postcode": None,
            "type": kind,
            "status": "created",
            "template": template,
            "body": content["body"],
            "subject": content["subject"] or None,
            "created_at": _now(),
            "created_by_name": None,
            "sent_at": None,
            "completed_at": None,
            "scheduled_for": None,
            "estimated_delivery": None,
            "postage": None,
            "one_click_unsubscribe_url": body.get("one_click_unsubscribe_url"),
            "sms_sender_id": body.get("sms_sender_id"),
            "email_reply_to_id": body.get("email_reply_to_id"),
        }
        with self._lock:
            self._notifications.append(notification)
            self._by_id[notification_id] = notification
        if kind == "sms":
            content_body = {"body": content["body"], "from_number": self.sms_sender}
        else:
            content_body = {
                "body": content["body"],
                "subject": content["subject"],
                "from_email": "borough.test@notifications.service.gov.uk",
                "one_click_unsubscribe_url": body.get("one_click_unsubscribe_url"),
            }
        return 201, {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": content_body,
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": template,
            "scheduled_for": None,
        }

    @staticmethod
    def _public(notification: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in notification.items() if k not in ("service_id", "sms_sender_id", "email_reply_to_id")}

    def _list(self, service_id: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        wanted = {name: query[name][0] for name in ("reference", "template_type") if name in query}
        statuses = set(query.get("status", []))
        older_than = query.get("older_than", [""])[0]
        with self._lock:
            newest_first: Iterator[dict[str, Any]] = reversed(self._notifications)
            found = []
            skipping = bool(older_than)
            for notification in newest_first:
                if skipping:
                    skipping = notification["id"] != older_than
                    continue
                if notification["service_id"] != service_id:
                    continue
                if "reference" in wanted and notification["reference"] != wanted["reference"]:
                    continue
                if "template_type" in wanted and notification["type"] != wanted["template_type"]:
                    continue
                if statuses and notification["status"] not in statuses:
                    continue
                found.append(self._public(notification))
                if len(found) == PAGE_SIZE:
                    break
        links = {"current": f"{self.url}/v2/notifications"}
        if len(found) == PAGE_SIZE:
            links["next"] = f"{self.url}/v2/notifications?older_than={found[-1]['id']}"
        return 200, {"notifications": found, "links": links}

    def _get(self, service_id: str, notification_id: str) -> tuple[int, dict[str, Any]]:
        try:
            uuid.UUID(notification_id)
        except ValueError:
            return _error(400, "ValidationError", "notification_id is not a valid UUID")
        with self._lock:
            notification = self._by_id.get(notification_id)
            if notification is None or notification["service_id"] != service_id:
                return _error(404, "NoResultFound", "No result found")
            return 200, self._public(notification)

    def answer(self, method: str, target: str, headers, raw_body: bytes) -> tuple[int, dict[str, Any]]:
        """Status and JSON body for one request (the HTTP handler's work, callable on its own)."""
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return _error(failure, "Exception", "Internal server error")
        service_id, refusal = self._authorise(headers.get("Authorization", ""))
        if refusal:
            return refusal
        parts = urlsplit(target)
        path = parts.path.rstrip("/")
        if method == "POST" and path in ("/v2/notifications/sms", "/v2/notifications/email"):
            try:
                body = json.loads(raw_body or b"null")
            except ValueError:
                return _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
            if not isinstance(body, dict):
                return _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
            return self._create(path.rsplit("/", 1)[1], service_id, body)
        if method == "GET" and path == "/v2/notifications":
            return self._list(service_id, parse_qs(parts.query))
        if method == "GET" and path.startswith("/v2/notifications/"):
            return self._get(service_id, path.rsplit("/", 1)[1])
        return _error(404, "NotFound", "The requested URL was not found on the server.")

    def _handler_class(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the client's session reuses its connection
            disable_nagle_algorithm = True  # headers and body are two writes: without this, 40 ms per answer

            def _respond(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if standin.delay:
                    time.sleep(standin.delay)
                status, body = standin.answer(self.command, self.path, self.headers, raw)
                data = json.dumps(body).encode()
                with standin._lock:
                    standin.requests.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "status": status,
                            "body": raw.decode("utf-8", "replace"),
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _respond

            def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
                pass  # quiet and fast: the stand-in records requests itself

        return Handler
