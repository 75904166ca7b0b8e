"""Walks every model and fails when a tenant-owned one breaks the tenancy rules (DESIGN.md rule 1).

Later modules are covered automatically: any model with a `tenant` foreign key must be a TenantOwnedModel with the
scoped manager, `tenant` in each unique constraint and leading each index (ready for distribution on tenant_id).
"""

import pytest
from django.apps import apps
from django.db import models
from django_scopes import ScopeError

from borough.tenancy.models import Tenant, TenantOwnedModel

# The control plane: read before a tenant scope exists (to find the tenant from the host name).
CONTROL_PLANE = {"tenancy.tenantdomain"}


def borough_models():
    return [m for m in apps.get_models() if m.__module__.startswith("borough.")]


def tenant_linked_models():
    return [
        m
        for m in borough_models()
        if any(isinstance(f, models.ForeignKey) and f.related_model is Tenant for f in m._meta.fields)
        and m._meta.label_lower not in CONTROL_PLANE
    ]


def test_there_are_tenant_owned_models_to_check():
    assert len(tenant_linked_models()) >= 8


@pytest.mark.parametrize("model", tenant_linked_models(), ids=lambda m: m._meta.label)
def test_model_with_a_tenant_is_tenant_owned(model):
    assert issubclass(model, TenantOwnedModel), f"{model._meta.label} has a tenant but is not a TenantOwnedModel"
    assert model._meta.get_field("tenant").column == "tenant_id"


@pytest.mark.parametrize("model", tenant_linked_models(), ids=lambda m: m._meta.label)
def test_default_manager_is_scoped(model, db):
    with pytest.raises(ScopeError):
        model._default_manager.count()
    with pytest.raises(ScopeError):
        model.objects.count()


@pytest.mark.parametrize("model", tenant_linked_models(), ids=lambda m: m._meta.label)
def test_unique_constraints_include_tenant(model):
    problems = []
    for field in model._meta.fields:
        if field.unique and not field.primary_key:
            problems.append(f"field {field.name} is unique on its own")
    for fields in model._meta.unique_together:
        if "tenant" not in fields:
            problems.append(f"unique_together {fields} lacks tenant")
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and "tenant" not in constraint.fields:
            problems.append(f"constraint {constraint.name} lacks tenant")
    assert problems == []


@pytest.mark.parametrize("model", tenant_linked_models(), ids=lambda m: m._meta.label)
def test_indexes_lead_with_tenant(model):
    for index in model._meta.indexes:
        first = index.fields[0] if index.fields else getattr(index.expressions[0], "name", None)  # F("tenant")
        assert first == "tenant", f"index {index.name} of {model._meta.label} does not lead with tenant"


@pytest.mark.parametrize("model", tenant_linked_models(), ids=lambda m: m._meta.label)
def test_many_to_many_tables_are_tenant_owned(model):
    """An automatic many-to-many table has no tenant_id, so RLS could not protect it: use an explicit through model."""
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        assert not through._meta.auto_created, f"{model._meta.label}.{field.name} needs a TenantOwnedModel through"
        assert issubclass(through, TenantOwnedModel)
