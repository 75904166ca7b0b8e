"""The case serializers build their fields once per class (borough.core.api.FieldsBuiltOnce, ADR 0020): what they
write must be exactly what DRF writes when it builds the fields for each object."""

from unittest import mock

import pytest
from django.db.models import Prefetch
from rest_framework import serializers

from borough.core.api import FieldsBuiltOnce
from borough.crm.api import CaseDetailSerializer, CaseEventSerializer, CaseSerializer
from borough.crm.models import Case, CaseEvent
from borough.crm.services import case_add_note, case_create
from borough.crm.tests.case_factories import make_person
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


def as_drf_writes(serializer_class, instances):
    """The output with DRF's own way: the fields built anew for every serializer."""
    with mock.patch.object(FieldsBuiltOnce, "fields", serializers.Serializer.fields):
        return serializer_class(instances, many=True).data


def test_cases_are_written_as_drf_writes_them(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant):
        resident = make_person(tenant)
        first = case_create(
            tenant=tenant,
            service="pothole",
            channel="web",
            description="Deep one",
            answers={"depth": 12},
            latitude="52.1",
            longitude="-1.2",
            requester=resident,
        )
        second = case_create(
            tenant=tenant, service="missed-bin", channel="phone", description="Missed", answers={"bin_type": "general"}
        )
        case_add_note(case=second, body="Called back")
        cases = list(
            Case.objects.filter(pk__in=[first.pk, second.pk])
            .select_related("service", "team", "assigned_to", "tenant")
            .prefetch_related(Prefetch("events", queryset=CaseEvent.objects.order_by("occurred_at", "id")))
            .order_by("id")
        )
        for serializer_class in (CaseSerializer, CaseDetailSerializer):
            fast = serializer_class(cases, many=True).data
            assert fast == as_drf_writes(serializer_class, cases)
            assert fast[0]["reference"] != fast[1]["reference"]
        fast_events = CaseEventSerializer(cases[1].events.all(), many=True).data
        assert fast_events == as_drf_writes(CaseEventSerializer, cases[1].events.all())
        assert [event["kind"] for event in fast_events] == ["created", "note"]
