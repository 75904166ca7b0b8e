"""Creating a tenant in the console: domains, branding, modules, an administrator; or errors and nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from borough.core.models import AuditEvent
from borough.identity.models import Membership
from borough.tenancy.models import Tenant, TenantDomain
from borough.tenancy.scope import tenant_scope

CREATE = reverse("provider:create", urlconf="config.urls_provider")
LOGO = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">
<script>alert(1)</script><rect width="10" height="10" fill="#8f23b3" onclick="alert(2)"/></svg>"""


def valid_data(**overrides):
    data = {
        "name": "Eastmoor Borough Council",
        "slug": "eastmoor",
        "kind": "council",
        "nation": "england-and-wales",
        "domains": "www.eastmoor.gov.uk\nservices.eastmoor.gov.uk\n",
        "colour": "#8F23B3",
        "modules": ["crm", "revenues", "hr"],
        "reference_prefix": "",
        "admin_username": "eastmoor-admin",
        "admin_email": "admin@eastmoor.gov.uk",
    }
    data.update(overrides)
    return data


def logo(content=LOGO, name="logo.svg"):
    return SimpleUploadedFile(name, content, content_type="image/svg+xml")


def test_the_form_shows_its_fields_with_labels_and_fieldsets(console):
    page = console.get(CREATE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert html.count('<fieldset class="govuk-fieldset"') == 3  # kind, nation, modules
    assert 'for="id_slug"' in html and 'type="file"' in html
    assert 'id="id_modules_0"' in html


def test_creating_a_tenant_makes_its_domains_branding_modules_and_administrator(console):
    response = console.post(CREATE, {**valid_data(), "logo": logo()})
    assert response.status_code == 201
    html = response.content.decode()
    assert "Eastmoor Borough Council is ready" in html
    assert "no-store" in response["Cache-Control"]

    tenant = Tenant.objects.get(slug="eastmoor")
    assert tenant.kind == "council" and tenant.is_active
    assert tenant.brand_colour == "#8f23b3"
    assert tenant.enabled_modules == ["crm", "revenues", "hr"]
    assert "<rect" in tenant.logo_svg
    assert "script" not in tenant.logo_svg and "onload" not in tenant.logo_svg and "onclick" not in tenant.logo_svg
    domains = list(TenantDomain.objects.filter(tenant=tenant).values_list("domain", "is_primary"))
    assert sorted(domains) == [("services.eastmoor.gov.uk", False), ("www.eastmoor.gov.uk", True)]

    admin = get_user_model().objects.get(username="eastmoor-admin")
    assert admin.email == "admin@eastmoor.gov.uk" and not admin.is_provider_staff
    with tenant_scope(tenant):
        assert Membership.objects.get(user=admin).roles == ["tenant.admin"]
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        creator = AuditEvent.objects.get(action="tenant.create")
    assert {"tenant.create", "membership.grant"} <= actions
    assert creator.actor_user.username == "ops"

    # The one-time password is on the page, and it works.
    password = html.split('<code class="borough-secret">', 1)[1].split("</code>", 1)[0]
    assert admin.check_password(password)
    assert "http://www.eastmoor.gov.uk/" in html


def test_the_new_tenant_answers_on_its_domain(console, client):
    console.post(CREATE, valid_data())
    assert client.get("/", HTTP_HOST="www.eastmoor.gov.uk").status_code == 200
    assert client.get("/", HTTP_HOST="eastmoor.localhost").status_code == 200


def test_a_business_gets_only_business_modules(console):
    response = console.post(CREATE, valid_data(kind="business", modules=["crm", "payroll"]))
    assert response.status_code == 400
    assert "Customer contact cannot be enabled for a small business." in response.content.decode()
    response = console.post(CREATE, valid_data(kind="business", modules=["payroll"]))
    assert response.status_code == 201
    assert Tenant.objects.get(slug="eastmoor").enabled_modules == ["payroll"]


def test_an_existing_account_becomes_administrator_only_with_its_email(console, tenant_a, make_staff):
    person = make_staff(tenant_a, ["hr.officer"], username="shared-person", email="person@shared.example")
    response = console.post(CREATE, valid_data(admin_username="shared-person", admin_email="guess@x.example"))
    assert response.status_code == 400
    assert "This username is taken" in response.content.decode()

    response = console.post(CREATE, valid_data(admin_username="shared-person", admin_email="person@shared.example"))
    assert response.status_code == 201
    assert "keeps their own password" in response.content.decode()
    with tenant_scope(Tenant.objects.get(slug="eastmoor")):
        assert Membership.objects.get(user=person).roles == ["tenant.admin"]


def test_provider_staff_cannot_be_made_a_tenant_administrator(console):
    response = console.post(CREATE, valid_data(admin_username="ops", admin_email="ops@provider.test"))
    assert response.status_code == 400
    assert "support access only" in response.content.decode()


BAD_INPUT = [
    pytest.param({"slug": "northfield"}, "A tenant with the short name northfield already exists", id="duplicate slug"),
    pytest.param({"slug": "Bad Slug!"}, "Use 3 to 32 lower-case letters", id="bad slug"),
    pytest.param({"colour": "blue"}, "Use a colour like #1d70b8.", id="bad colour"),
    pytest.param({"colour": "#12345"}, "Use a colour like #1d70b8.", id="short colour"),
    pytest.param({"domains": "https://www.eastmoor.gov.uk/"}, "is not a domain name", id="url as domain"),
    pytest.param({"domains": "not a domain"}, "is not a domain name", id="garbage domain"),
    pytest.param({"domains": "<script>x</script>"}, "is not a domain name", id="markup as domain"),
    pytest.param({"domains": "localhost"}, "one of the platform&#x27;s own addresses", id="base domain"),
    pytest.param({"domains": "southvale.localhost"}, "one of the platform&#x27;s own", id="another tenant's host"),
    pytest.param({"domains": "a.example.org\nA.example.org"}, "a.example.org is listed twice", id="twice"),
    pytest.param({"domains": "www.northfield.gov.uk"}, "already belongs to a tenant", id="taken domain"),
    pytest.param({"kind": "charity"}, "Select a kind listed", id="unknown kind"),
    pytest.param({"modules": ["crm", "astrology"]}, "Select a valid choice", id="unknown module"),
    pytest.param({"name": ""}, "Enter the tenant&#x27;s name", id="no name"),
    pytest.param({"admin_username": "has spaces"}, "Enter a valid username", id="bad username"),
    pytest.param({"admin_email": "not-an-email"}, "in the correct format", id="bad email"),
    pytest.param({"reference_prefix": "NOR"}, "The reference prefix NOR is taken", id="taken prefix"),
    pytest.param({"reference_prefix": "x1"}, "Use 2 to 5 capital letters", id="bad prefix"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT)
def test_bad_input_is_refused_with_a_message_and_nothing_is_created(console, make_tenant, overrides, message):
    make_tenant("northfield", domains=["www.northfield.gov.uk"], reference_prefix="NOR")
    make_tenant("southvale")
    users_before = get_user_model().objects.count()

    response = console.post(CREATE, valid_data(**overrides))

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'class="govuk-error-summary"' in html
    assert message in html
    assert html.count("govuk-error-message") >= 1
    assert set(Tenant.objects.values_list("slug", flat=True)) == {"northfield", "southvale"}
    assert TenantDomain.objects.filter(domain__contains="eastmoor").count() == 0
    assert get_user_model().objects.count() == users_before


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(logo(name="logo.png"), "a name ending in .svg", id="not .svg"),
        pytest.param(logo(b"<svg><g></svg>"), "not a well-formed SVG", id="broken XML"),
        pytest.param(logo(b"<html><body/></html>"), "root element must be &lt;svg&gt;", id="not svg"),
        pytest.param(logo(b"<svg>" + b" " * 110_000 + b"</svg>"), "100 kB or smaller", id="too big"),
        pytest.param(logo(b'<!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>'), "DOCTYPE", id="entities"),
    ],
)
def test_a_bad_logo_is_refused_and_nothing_is_created(console, upload, message):
    response = console.post(CREATE, {**valid_data(), "logo": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'href="#id_logo"' in response.content.decode()
    assert not Tenant.objects.filter(slug="eastmoor").exists()
