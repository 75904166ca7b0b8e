"""`borough tenant create|suspend|reactivate|list`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from borough.core.models import AuditEvent
from borough.identity.models import Membership
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope


def run(*args) -> str:
    out = StringIO()
    call_command("tenant", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_makes_tenant_domains_branding_modules_and_administrator(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>')
    output = run(
        "create",
        "--slug",
        "eastmere",
        "--name",
        "Eastmere Council",
        "--kind",
        "council",
        "--domain",
        "services.eastmere.example",
        "--colour",
        "#005ea5",
        "--logo",
        str(logo),
        "--module",
        "crm",
        "--module",
        "revenues",
    )
    tenant = Tenant.objects.get(slug="eastmere")
    assert (tenant.name, tenant.kind, tenant.brand_colour) == ("Eastmere Council", "council", "#005ea5")
    assert tenant.enabled_modules == ["crm", "revenues"]
    assert "<svg" in tenant.logo_svg
    assert [d.domain for d in tenant.domains.all()] == ["services.eastmere.example"]
    assert tenant.reference_prefix == "EAS"
    assert "Administrator: eastmere-admin" in output and "shown once" in output
    with tenant_scope(tenant):
        membership = Membership.objects.get(user__username="eastmere-admin")
        assert membership.roles == ["tenant.admin"]
        assert AuditEvent.objects.filter(action="tenant.create", object_id=str(tenant.pk)).exists()
    # The custom domain reaches the tenant's own site.
    page = Client(HTTP_HOST="services.eastmere.example").get("/")
    assert page.status_code == 200 and "Eastmere Council" in page.content.decode()


@pytest.mark.django_db
def test_business_gets_business_modules_by_default():
    run("create", "--slug", "brightside", "--name", "Brightside Bakery", "--kind", "business")
    assert "crm" not in Tenant.objects.get(slug="brightside").enabled_modules


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "Bad Slug!", "--name", "X", "--kind", "council"], "slug"),
        (["--slug", "okslug", "--name", "X", "--kind", "council", "--colour", "green"], "colour"),
        (
            ["--slug", "okslug", "--name", "X", "--kind", "council", "--module", "teleportation"],
            "Unknown modules",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_created(args, message):
    with pytest.raises(CommandError, match=message):
        run("create", *args)
    assert not Tenant.objects.exists()


@pytest.mark.django_db
def test_duplicate_slug_and_domain_are_refused(make_tenant):
    make_tenant("northfield", domains=["northfield.example"])
    with pytest.raises(CommandError, match="already exists"):
        run("create", "--slug", "northfield", "--name", "Again", "--kind", "council")
    with pytest.raises(CommandError, match="already belongs"):
        run(
            "create",
            "--slug",
            "other",
            "--name",
            "Other",
            "--kind",
            "council",
            "--domain",
            "northfield.example",
        )
    assert not Tenant.objects.filter(slug="other").exists()


@pytest.mark.django_db
def test_suspend_and_reactivate(make_tenant):
    make_tenant("northfield")
    assert "Suspended northfield" in run("suspend", "northfield", "--reason", "Unpaid invoices since June")
    assert Client(HTTP_HOST="northfield.localhost").get("/").status_code == 503
    run("reactivate", "northfield")
    assert Client(HTTP_HOST="northfield.localhost").get("/").status_code == 200
    assert "northfield\tcouncil\tactive" in run("list")


@pytest.mark.django_db
def test_unknown_host_answers_404():
    assert Client(HTTP_HOST="nobody.localhost").get("/").status_code == 404


@pytest.mark.django_db
def test_a_logo_with_a_script_is_cleaned_and_a_non_svg_is_refused(tmp_path):
    logo = tmp_path / "logo.svg"
    hostile = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
    logo.write_text(hostile + '<rect width="1" height="1"/></svg>')
    run("create", "--slug", "eastmere", "--name", "Eastmere Council", "--kind", "council", "--logo", str(logo))
    cleaned = Tenant.objects.get(slug="eastmere").logo_svg
    assert "<rect" in cleaned and "script" not in cleaned and "onload" not in cleaned
    not_svg = tmp_path / "logo.png"
    not_svg.write_bytes(b"\x89PNG\r\n")
    with pytest.raises(CommandError, match="--logo"):
        run(
            "create",
            "--slug",
            "westmere",
            "--name",
            "Westmere Council",
            "--kind",
            "council",
            "--logo",
            str(not_svg),
        )
    assert not Tenant.objects.filter(slug="westmere").exists()
