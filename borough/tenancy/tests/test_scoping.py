"""The first layer of tenancy: the ORM refuses tenant-owned queries outside a scope and filters inside one."""

import pytest
from django_scopes import ScopeError

from borough.core.audit import Actor, acting_as, audit_record
from borough.core.models import AuditEvent
from borough.identity.models import Membership
from borough.tenancy.models import TenantMismatch
from borough.tenancy.scope import all_tenants_scope, tenant_scope


def test_query_outside_a_scope_raises(tenant_a):
    with pytest.raises(ScopeError):
        list(AuditEvent.objects.all())
    with pytest.raises(ScopeError):
        Membership.objects.filter(is_active=True).count()


def test_scope_shows_only_its_tenants_rows(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        tenants_seen = set(AuditEvent.objects.values_list("tenant_id", flat=True))
        memberships = set(Membership.objects.values_list("tenant_id", flat=True))
    assert tenants_seen == {tenant_a.pk}
    assert memberships == {tenant_a.pk}


def test_saving_a_row_of_another_tenant_inside_a_scope_is_refused(tenant_a, tenant_b):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")), pytest.raises(TenantMismatch):
        audit_record(tenant=tenant_b, action="test.cross", obj=tenant_b)


def test_an_object_of_another_tenant_is_not_found_by_id(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        event_of_b = AuditEvent.objects.first()
    with tenant_scope(tenant_a), pytest.raises(AuditEvent.DoesNotExist):
        AuditEvent.objects.get(pk=event_of_b.pk)


def test_the_provider_path_sees_every_tenant(tenant_a, tenant_b):
    with all_tenants_scope():
        assert set(AuditEvent.objects.values_list("tenant_id", flat=True)) == {tenant_a.pk, tenant_b.pk}
