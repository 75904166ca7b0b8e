"""Cross-tenant reading has one path, and every use of it is logged before any tenant's row is read."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import ScopeError

from borough.core.models import AuditEvent
from borough.provider.cross_tenant import cross_tenant_report
from borough.provider.models import ProviderAccessLog

BOROUGH = Path(__file__).resolve().parents[2]
# Where entering every tenant at once is allowed: its definition, the provider's audited path, and reviewed
# platform dispatchers that only list ids, then work in each tenant's own scope. Added to on review only.
ALLOWED = {
    BOROUGH / "tenancy" / "scope.py": "defines it",
    BOROUGH / "provider" / "cross_tenant.py": "the provider's audited path",
    BOROUGH / "core" / "tasks.py": "outbox_deliver_due lists due (tenant, message) ids, delivers per tenant",
}


def test_the_report_sees_every_tenant_and_is_logged(tenant_a, tenant_b, provider_user):
    with cross_tenant_report(user=provider_user, purpose="Count audit events") as log:
        tenants_seen = set(AuditEvent.objects.values_list("tenant_id", flat=True))
    assert tenants_seen == {tenant_a.pk, tenant_b.pk}
    assert log.pk is not None
    logged = ProviderAccessLog.objects.get()
    assert (logged.user, logged.purpose, logged.tenants) == (provider_user, "Count audit events", "all")


def test_the_scope_ends_with_the_block(tenant_a, provider_user):
    with cross_tenant_report(user=provider_user, purpose="Check"):
        pass
    with pytest.raises(ScopeError):
        AuditEvent.objects.count()


def test_named_tenants_are_logged_by_id(tenant_a, tenant_b, provider_user):
    with cross_tenant_report(user=provider_user, purpose="Two tenants", tenants=[tenant_b.pk, tenant_a.pk]):
        pass
    assert ProviderAccessLog.objects.get().tenants == sorted([tenant_a.pk, tenant_b.pk])


def test_only_provider_staff_may_and_nothing_is_read_or_logged_otherwise(tenant_a, make_staff):
    member = make_staff(tenant_a, ["tenant.admin"])
    with pytest.raises(PermissionDenied), cross_tenant_report(user=member, purpose="Curious"):
        pytest.fail("the block must not run")
    assert ProviderAccessLog.objects.count() == 0


def test_a_purpose_is_required(provider_user):
    with pytest.raises(ValidationError), cross_tenant_report(user=provider_user, purpose="  "):
        pytest.fail("the block must not run")
    assert ProviderAccessLog.objects.count() == 0


def test_an_inactive_provider_account_is_refused(db):
    user = get_user_model().objects.create_user(username="gone", is_provider_staff=True, is_active=False)
    with pytest.raises(PermissionDenied), cross_tenant_report(user=user, purpose="Left last month"):
        pytest.fail("the block must not run")


def _files_entering_all_tenants() -> list[str]:
    found = []
    for path in BOROUGH.rglob("*.py"):
        if path in ALLOWED or "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = getattr(node, "id", None) or getattr(node, "attr", None)
            if name in {"all_tenants_scope", "scopes_disabled"}:
                found.append(f"{path.relative_to(BOROUGH.parent)}:{node.lineno}")
    return found


def test_no_other_code_enters_every_tenant_at_once():
    assert _files_entering_all_tenants() == [], (
        "Cross-tenant work goes through borough.provider.cross_tenant.cross_tenant_report (DESIGN.md rule 1)"
    )
