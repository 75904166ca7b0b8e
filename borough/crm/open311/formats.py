"""The spec's two formats: rendering answers in XML and JSON, and reading what clients send.

POST bodies come form-encoded or multipart (as the spec and FixMyStreet send them), or as a JSON object or an XML
document with the same field names. A body that cannot be read is a 400 with the parser's own words.
"""

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - DOCTYPEs (and so entities) are refused before parsing
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone

from borough.crm.open311.errors import Open311Error, bad_request

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}

# The element wrapping each item of a list in XML (JSON has plain arrays).
LIST_ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry at all, even escaped.
XML_UNREPRESENTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
FORM_TYPES = {"", "application/x-www-form-urlencoded", "multipart/form-data"}


def w3c(moment: datetime | None) -> str:
    """A date and time as the spec wants it: ISO 8601 with the offset, to the second."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value)
    return XML_UNREPRESENTABLE.sub("", str(value))


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list):
        for item in value:
            element.append(_element(LIST_ITEMS[tag], item))
    else:
        element.text = _text(value)
    return element


def to_xml(root: str, payload) -> bytes:
    body = ET.tostring(_element(root, payload), encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode()


def _json_value(value):
    if isinstance(value, datetime):
        return w3c(value)
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(payload) -> bytes:
    return json.dumps(payload, default=_json_value, ensure_ascii=False).encode()


def respond(fmt: str, root: str, payload, status: int = 200) -> HttpResponse:
    """`payload` is what JSON shows; XML wraps it in `root` (a list's items in LIST_ITEMS[root])."""
    body = to_json(payload) if fmt == "json" else to_xml(root, payload)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    errors = [{"code": error.status, "description": description} for description in error.descriptions]
    return respond(fmt, "errors", errors, status=error.status)


@dataclass
class Fields:
    """What a client sent: plain fields (each a list, as fields may repeat), `attribute[...]` answers, files."""

    values: dict[str, list[str]] = field(default_factory=dict)
    attributes: dict[str, str | list[str]] = field(default_factory=dict)
    files: list = field(default_factory=list)

    def get(self, name: str) -> str:
        found = self.values.get(name)
        return found[0].strip() if found else ""

    def getlist(self, name: str) -> list[str]:
        return [value.strip() for value in self.values.get(name, []) if value.strip()]


def _add_attribute(attributes: dict, code: str, values: list[str], as_list: bool) -> None:
    if code in attributes:
        before = attributes[code]
        attributes[code] = (before if isinstance(before, list) else [before]) + values
    else:
        attributes[code] = values if as_list or len(values) != 1 else values[0]


def fields_from_querydict(data, files=None) -> Fields:
    fields = Fields()
    for key in data:
        values = data.getlist(key)
        match = ATTRIBUTE_KEY.match(key)
        if match:
            _add_attribute(fields.attributes, match.group(1), values, bool(match.group(2)))
        else:
            fields.values[key] = values
    if files is not None:
        for key in files:
            fields.files.extend(files.getlist(key))
    return fields


def _scalar(name: str, value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if value is None:
        return ""
    raise bad_request(f"{name}: give a string or a number, not {type(value).__name__}.")


def _fields_from_json(body: bytes) -> Fields:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise bad_request(f"The request body is not valid JSON: {error}.") from error
    if not isinstance(data, dict):
        raise bad_request('The JSON request body must be an object of fields, like {"service_code": "..."}.')
    fields = Fields()
    for key, value in data.items():
        if key == "attribute" and isinstance(value, dict):
            for code, answer in value.items():
                as_list = isinstance(answer, list)
                answers = [_scalar(f"attribute[{code}]", a) for a in (answer if as_list else [answer])]
                _add_attribute(fields.attributes, str(code), answers, as_list)
            continue
        values = [_scalar(key, item) for item in value] if isinstance(value, list) else [_scalar(key, value)]
        match = ATTRIBUTE_KEY.match(key)
        if match:
            _add_attribute(fields.attributes, match.group(1), values, bool(match.group(2)) or isinstance(value, list))
        else:
            fields.values[key] = values
    return fields


def _fields_from_xml(body: bytes) -> Fields:
    """A root element whose children are the fields; answers as
    <attributes><attribute><code>bin</code><value>bag</value>...</attribute></attributes>."""
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", body, re.IGNORECASE):
        raise bad_request("XML request bodies may not declare a DOCTYPE or entities.")
    try:
        root = ET.fromstring(body)  # noqa: S314 - no DOCTYPE, so no entity expansion
    except ET.ParseError as error:
        raise bad_request(f"The request body is not well-formed XML: {error}.") from error
    fields = Fields()
    for child in root:
        if child.tag == "attributes":
            for attribute in child:
                code = (attribute.findtext("code") or "").strip()
                if attribute.tag != "attribute" or not code:
                    raise bad_request("Each <attribute> in <attributes> needs a <code> and one or more <value>.")
                values = [(v.text or "").strip() for v in attribute.findall("value")]
                _add_attribute(fields.attributes, code, values, len(values) > 1)
            continue
        fields.values.setdefault(child.tag, []).append((child.text or "").strip())
    return fields


def read_fields(request) -> Fields:
    """The query string of a GET, or the body of a POST (with the query string's fields it does not have, as
    some clients send api_key or jurisdiction_id there), as Fields; a 400 when the body cannot be read."""
    query = fields_from_querydict(request.GET)
    if request.method != "POST":
        return query
    fields = _body_fields(request)
    for name, values in query.values.items():
        fields.values.setdefault(name, values)
    return fields


def check_no_nul(fields: Fields) -> None:
    """No NUL characters anywhere (PostgreSQL text cannot hold them): a 400 rather than a database error."""
    named = [*fields.values.items(), *((f"attribute[{c}]", v) for c, v in fields.attributes.items())]
    named += [("media", upload.name or "") for upload in fields.files]
    for name, value in named:
        if "\x00" in (name + "".join(value if isinstance(value, list) else [value])):
            shown = name.replace("\x00", "\\x00")
            raise bad_request(f"{shown}: remove the NUL character (\\x00) from the value.")


def _body_fields(request) -> Fields:
    content_type = request.content_type or ""
    try:
        if content_type in FORM_TYPES:
            return fields_from_querydict(request.POST, request.FILES)
        if content_type == "application/json" or content_type.endswith("+json"):
            return _fields_from_json(request.body)
        if content_type in {"text/xml", "application/xml"} or content_type.endswith("+xml"):
            return _fields_from_xml(request.body)
    except RequestDataTooBig as error:
        raise bad_request("The request is too large: send photos as multipart file fields.") from error
    except (TooManyFieldsSent, TooManyFilesSent) as error:
        raise bad_request(f"The request has too many fields or files: {error}") from error
    except MultiPartParserError as error:
        raise bad_request(f"The multipart request body could not be read: {error}") from error
    raise bad_request(
        f"Send the fields form-encoded (application/x-www-form-urlencoded or multipart/form-data), as JSON or "
        f"as XML, not as {content_type}."
    )
