"""Service.allow_anonymous: a resident's own report (`from_resident`) to a service that does not allow anonymous
reports needs a requester; staff and the council's own systems may create a case without one. The data migration
keeps anonymous reports open to the services that need a location."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django_scopes import scopes_disabled

from borough.crm.models import Case, Service
from borough.crm.tests.case_factories import make_person, make_service, new_case
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("borough.crm.migrations.0002_service_allow_anonymous_open311_update_id")


@pytest.fixture
def enquiry(tenant_a):
    with tenant_scope(tenant_a):
        return make_service(tenant_a, "council-tax", name="Council tax enquiry")


def test_a_new_service_does_not_allow_anonymous_reports(enquiry):
    assert enquiry.allow_anonymous is False


def test_a_residents_own_report_without_a_requester_is_refused(tenant_a, enquiry):
    with tenant_scope(tenant_a), pytest.raises(ValidationError) as refused:
        new_case(tenant_a, enquiry, description="Why did my bill go up?", from_resident=True)
    assert refused.value.message_dict == {
        "requester": [
            "Give the resident's contact details (an email address or a phone number): Council tax enquiry does "
            "not take anonymous reports"
        ]
    }
    with tenant_scope(tenant_a):
        assert not Case.objects.exists()


def test_a_residents_own_report_with_a_requester_is_taken(tenant_a, enquiry):
    with tenant_scope(tenant_a):
        ann = make_person(tenant_a)
        case = new_case(tenant_a, enquiry, requester=ann, from_resident=True)
    assert case.requester == ann


def test_an_anonymous_report_is_taken_where_the_service_allows_it(tenant_a, catalogue):
    with tenant_scope(tenant_a):
        case = new_case(tenant_a, catalogue["pothole"], postcode="NF1 2AB", from_resident=True)
    assert case.requester is None


def test_staff_and_council_systems_may_create_without_a_requester(tenant_a, enquiry):
    with tenant_scope(tenant_a):
        case = new_case(tenant_a, enquiry, channel="phone")
    assert case.requester is None


def test_a_bad_requester_is_reported_once(tenant_a, tenant_b, enquiry):
    with tenant_scope(tenant_b):
        theirs = make_person(tenant_b)
    with tenant_scope(tenant_a), pytest.raises(ValidationError) as refused:
        new_case(tenant_a, enquiry, requester=theirs, from_resident=True)
    assert refused.value.message_dict["requester"] == ["Choose a person of this council"]


def test_the_migration_keeps_anonymous_reports_for_services_that_need_a_location(tenant_a, tenant_b):
    made = {}
    for tenant in (tenant_a, tenant_b):
        with tenant_scope(tenant):
            made[tenant.pk, "located"] = make_service(tenant, "pothole", needs_location=True)
            made[tenant.pk, "enquiry"] = make_service(tenant, "council-tax")
    schema_editor = SimpleNamespace(
        connection=connection, execute=lambda sql, params=None: connection.cursor().execute(sql, params)
    )
    with scopes_disabled():  # as a migration's models are: every tenant's rows
        MIGRATION.keep_anonymous_reports_of_located_services(apps, schema_editor)
        allowed = dict(Service.objects.values_list("pk", "allow_anonymous"))
    assert {key: allowed[service.pk] for key, service in made.items()} == {
        (tenant_a.pk, "located"): True,
        (tenant_a.pk, "enquiry"): False,
        (tenant_b.pk, "located"): True,
        (tenant_b.pk, "enquiry"): False,
    }
