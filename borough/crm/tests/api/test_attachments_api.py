"""A case's files in the API: list, add (multipart, checked as at creation), download with safe headers; bad files
answer 400 and write nothing; scopes by method; another tenant's or another case's file is a 404; the schema."""

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.crm.attachments import MAX_ATTACHMENT_BYTES
from borough.crm.models import CaseAttachment, CaseEvent
from borough.crm.tests.case_factories import JPEG, PDF, PNG, new_case
from borough.identity.services import apikey_create
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle_budgets():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_key(tenant, *scopes) -> str:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return apikey_create(tenant=tenant, name=f"Key {'-'.join(scopes)}", scopes=list(scopes))[1]


class Api:
    """A client on the tenant's host with an API key (or a signed-in user)."""

    def __init__(self, client, key: str | None = None):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}

    def get(self, url, **headers):
        return self.client.get(url, **self.headers, **headers)

    def upload(self, url, name="photo.png", content=PNG, **fields):
        return self.client.post(url, {"file": SimpleUploadedFile(name, content), **fields}, **self.headers)

    def post(self, url, body, content_type):
        return self.client.post(url, body, content_type=content_type, **self.headers)


def files_url(case) -> str:
    return f"/api/v1/cases/{case.reference}/attachments/"


def invalid(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["detail"]) == ("invalid", "The request has errors; see `errors`.")
    return body["errors"]


@pytest.fixture
def case(catalogue):
    with tenant_scope(catalogue["tenant"]):
        return new_case(catalogue["tenant"], catalogue["missed_bin"], answers={"bin_type": "general"})


@pytest.fixture
def api(catalogue, client_for):
    tenant = catalogue["tenant"]
    return Api(client_for(tenant), make_key(tenant, "read", "write"))


def written(tenant) -> tuple[int, int, int]:
    with tenant_scope(tenant):
        audits = AuditEvent.objects.filter(action="case.attachment").count()
        return CaseAttachment.objects.count(), CaseEvent.objects.count(), audits


def test_add_list_and_download(api, case, catalogue):
    url = files_url(case)
    assert api.get(url).json() == {"count": 0, "next": None, "previous": None, "results": []}

    added = api.upload(url, name="pothole.png")
    assert added.status_code == 201, added.content
    body = added.json()
    download_url = f"http://northfield.localhost{url}{body['id']}/"
    assert body == {
        "id": body["id"],
        "original_name": "pothole.png",
        "content_type": "image/png",
        "size": len(PNG),
        "is_public": False,  # staff and integrations add internal files unless they say otherwise
        "uploaded_at": body["uploaded_at"],
        "download_url": download_url,
    }
    public = api.upload(url.lower(), name="letter.pdf", content=PDF, is_public="true").json()
    assert (public["content_type"], public["is_public"]) == ("application/pdf", True)

    listed = api.get(url).json()["results"]
    assert [(f["id"], f["original_name"]) for f in listed] == [
        (body["id"], "pothole.png"),
        (public["id"], "letter.pdf"),
    ]

    downloaded = api.get(download_url.removeprefix("http://northfield.localhost"))
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == PNG
    assert downloaded["Content-Type"] == "image/png"
    assert downloaded["Content-Disposition"] == 'attachment; filename="pothole.png"'
    assert downloaded["X-Content-Type-Options"] == "nosniff"
    assert downloaded["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert downloaded["Cache-Control"] == "private, no-store"

    with tenant_scope(catalogue["tenant"]):
        events = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ATTACHMENT).order_by("id")
        assert [(e.body, e.is_public) for e in events] == [("Added pothole.png.", False), ("Added letter.pdf.", True)]
        audit = AuditEvent.objects.filter(action="case.attachment").order_by("id").first()
        assert audit.actor_type == "api_key" and audit.detail["attachment"] == body["id"]


def test_a_download_has_a_safe_name_whatever_it_was_sent_as_and_whatever_is_accepted(api, case):
    sent = api.upload(files_url(case), name="invoice.html", content=JPEG).json()
    assert sent["content_type"] == "image/jpeg"
    downloaded = api.get(f"{files_url(case)}{sent['id']}/", HTTP_ACCEPT="image/jpeg")
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"] == 'attachment; filename="invoice.html.jpg"'
    assert downloaded["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("send", "errors"),
    [
        (
            lambda api, url: api.upload(url, name="run.exe", content=b"MZ\x90\x00 a program"),
            {"file": ["run.exe must be a photo or a PDF (JPEG, PNG, GIF, WebP, HEIC, PDF)"]},
        ),
        (
            lambda api, url: api.upload(url, name="big.pdf", content=PDF + b"0" * MAX_ATTACHMENT_BYTES),
            {"file": ["big.pdf is 10.0 MB: it must be 10 MB or smaller"]},
        ),
        (lambda api, url: api.upload(url, name="empty.png", content=b""), {"file": ["empty.png is empty"]}),
        (
            lambda api, url: api.client.post(url, {"is_public": "true"}, **api.headers),
            {"file": ["Choose a file to attach: a photo or a PDF"]},
        ),
        (
            lambda api, url: api.client.post(url, {"file": "not a file"}, **api.headers),
            {"file": ["Send the file as multipart/form-data, in the field `file`"]},
        ),
        (
            lambda api, url: api.upload(url, is_public="perhaps"),
            {"is_public": ["Must be a valid boolean."]},
        ),
        (
            lambda api, url: api.post(url, json.dumps({"file": "cGhvdG8="}), "application/json"),
            {"file": ["Send the file as multipart/form-data, in the field `file`"]},
        ),
        (
            lambda api, url: api.post(url, "file=photo.png", "application/x-www-form-urlencoded"),
            {"file": ["Send the file as multipart/form-data, in the field `file`"]},
        ),
        (
            lambda api, url: api.post(url, PNG, "image/png"),
            {"file": ["Send the file as multipart/form-data, in the field `file`"]},
        ),
    ],
    ids=["wrong-type", "too-big", "empty", "no-file", "text-not-file", "bad-is-public", "json", "form", "raw-body"],
)
def test_bad_files_answer_400_and_write_nothing(api, case, catalogue, media, send, errors):
    before = written(catalogue["tenant"])
    assert invalid(send(api, files_url(case))) == errors
    assert written(catalogue["tenant"]) == before
    assert not (media / "crm").exists()


def test_a_malformed_multipart_body_is_a_400(api, case, catalogue):
    before = written(catalogue["tenant"])
    response = api.post(files_url(case), b"not multipart at all", "multipart/form-data")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert written(catalogue["tenant"]) == before


def test_scopes_by_method_and_a_signed_in_agent(catalogue, case, client_for, make_staff):
    tenant = catalogue["tenant"]
    url = files_url(case)
    reader = Api(client_for(tenant), make_key(tenant, "read"))
    writer = Api(client_for(tenant), make_key(tenant, "write"))
    denied = reader.upload(url)
    assert denied.status_code == 403 and "write" in denied.json()["detail"]
    added = writer.upload(url)
    assert added.status_code == 201
    assert writer.get(url).status_code == 403
    assert reader.get(url).json()["count"] == 1
    assert reader.get(f"{url}{added.json()['id']}/").status_code == 200
    assert Api(client_for(tenant)).get(url).status_code == 401
    agent = make_staff(tenant, roles=("crm.agent",), username="agent")
    assert Api(client_for(tenant, agent)).upload(url).status_code == 201
    admin = make_staff(tenant, roles=("tenant.admin",), username="admin-only")
    assert Api(client_for(tenant, admin)).get(url).status_code == 403


def test_another_tenants_case_or_file_and_another_cases_file_are_404(api, case, catalogue, client_for, tenant_b):
    tenant = catalogue["tenant"]
    url = files_url(case)
    mine = api.upload(url).json()["id"]
    with tenant_scope(tenant):
        other_case = new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "recycling"})
    assert api.get(f"{files_url(other_case)}{mine}/").status_code == 404  # not that case's file
    assert api.get(f"{url}{mine + 1000}/").status_code == 404
    assert api.get("/api/v1/cases/NFD-999999/attachments/").status_code == 404
    assert api.upload("/api/v1/cases/NFD-999999/attachments/").status_code == 404

    southvale = Api(client_for(tenant_b), make_key(tenant_b, "read", "write"))
    assert southvale.get(url).status_code == 404
    assert southvale.get(f"{url}{mine}/").status_code == 404
    before = written(tenant)
    assert southvale.upload(url).status_code == 404
    assert southvale.post(url, "{}", "application/json").status_code == 404  # the case first, whatever the body
    assert written(tenant) == before


def test_a_file_missing_from_storage_is_a_404(api, case, media):
    sent = api.upload(files_url(case)).json()
    for stored in (media / "crm").rglob("*.png"):
        stored.unlink()
    assert api.get(f"{files_url(case)}{sent['id']}/").status_code == 404


def test_the_schema_describes_the_attachment_endpoints(catalogue, client_for):
    schema = client_for(catalogue["tenant"]).get("/api/schema/?format=json").json()
    files = schema["paths"]["/api/v1/cases/{reference}/attachments/"]
    assert set(files) >= {"get", "post"}
    assert list(files["post"]["requestBody"]["content"]) == ["multipart/form-data"]
    assert {"201", "400", "403", "404"} <= set(files["post"]["responses"])
    download = schema["paths"]["/api/v1/cases/{reference}/attachments/{id}/"]["get"]
    assert {"image/png", "application/pdf"} <= set(download["responses"]["200"]["content"])
    assert {p["name"] for p in download["parameters"]} == {"reference", "id"}
