"""A real third-party Open311 client, the PyPI package `georeport`, against the live test server in both formats.

georeport builds its URLs from a base address and calls `requests` directly, with no way to set a Host header.
The tenant is found by host name (northfield.localhost), which Python's resolver does not resolve, so these tests
resolve *.localhost to the live server's own address by patching socket.getaddrinfo for the test's duration.
"""

import socket
from urllib.parse import urlsplit

import pytest
import requests
from georeport import GeoReport

from borough.crm.tests.test_open311_fixtures import add_catalogue, make_case, make_key, pothole_fields

BOTH = pytest.mark.parametrize("fmt", ["xml", "json"])


@pytest.fixture
def base_url(live_server, monkeypatch):
    """http://northfield.localhost:<port>/open311/v2, resolvable by this process."""
    address = urlsplit(live_server.url)
    original = socket.getaddrinfo

    def resolve_localhost_names(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".localhost"):
            host = address.hostname
        return original(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve_localhost_names)
    # One request per connection: a server thread waiting on a kept-alive connection keeps its database
    # connection open, and PostgreSQL then refuses to drop the test database at the end of the session.
    default_headers = requests.utils.default_headers

    def closing_headers():
        headers = default_headers()
        headers["Connection"] = "close"
        return headers

    monkeypatch.setattr(requests.sessions, "default_headers", closing_headers)
    return f"http://northfield.localhost:{address.port}/open311/v2"


@pytest.fixture
def published(transactional_db, tenant_a):
    catalogue = add_catalogue(tenant_a)
    first = make_case(tenant_a, catalogue.pothole, description="Pothole by the school")
    second = make_case(tenant_a, catalogue.pothole, description="Pothole on the bridge")
    return catalogue, first, second


@BOTH
def test_georeport_reads_services_and_a_definition(base_url, published, fmt):
    client = GeoReport(base_url, jurisdiction="northfield", output_format=fmt)
    services = client.get_service_list()
    codes = {service["service_code"] for service in services}
    assert codes == {"pothole", "council-tax"}
    definition = client.get_service_definition("pothole")
    assert definition["service_code"] == "pothole"
    attributes = definition["attributes"]["attribute"] if fmt == "xml" else definition["attributes"]
    assert [a["code"] for a in attributes] == ["hazard", "depth", "surfaces", "noticed", "notes"]


@BOTH
def test_georeport_reads_requests(base_url, published, fmt):
    _catalogue, first, second = published
    client = GeoReport(base_url, jurisdiction="northfield", output_format=fmt)
    found = client.get_service_requests(status="open", service_code="pothole")
    assert [r["service_request_id"] for r in found] == [second.reference, first.reference]
    one = client.get_service_request(first.reference)
    assert one["service_request_id"] == first.reference
    assert one["description"] == "Pothole by the school"
    assert one["status"] == "open"
    only = client.get_service_requests(service_request_id=second.reference)
    # georeport's XML reading (xmltodict) gives one request as a dict, several as a list.
    assert (only["service_request_id"] if fmt == "xml" else only[0]["service_request_id"]) == second.reference


@BOTH
def test_georeport_sees_a_request_posted_over_http(base_url, published, tenant_a, fmt):
    """georeport does not POST; a plain HTTP POST makes the request it then reads back."""
    key = make_key(tenant_a)
    response = requests.post(f"{base_url}/requests.{fmt}", data=pothole_fields(key), timeout=10)
    assert response.status_code == 201
    client = GeoReport(base_url, output_format=fmt)
    reference = client.get_service_requests()[0]["service_request_id"]
    assert client.get_service_request(reference)["description"] == "Deep pothole by the bus stop"


@BOTH
def test_georeport_gets_the_spec_errors_as_http_errors(base_url, published, fmt):
    client = GeoReport(base_url, output_format=fmt)
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_definition("no-such-service")
    assert raised.value.response.status_code == 404
    wrong = GeoReport(base_url, jurisdiction="elsewhere", output_format=fmt)
    with pytest.raises(requests.HTTPError) as raised:
        wrong.get_service_list()
    assert raised.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_requests(start_date="not a date")
    assert raised.value.response.status_code == 400
