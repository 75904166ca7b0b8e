"""A Northfield catalogue (borough.crm.tests.case_factories) and people to notify, made through the services."""

import pytest

from borough.core.audit import Actor, acting_as
from borough.crm.tests.case_factories import catalogue, make_person, new_case  # noqa: F401 - catalogue is a fixture
from borough.people.services import consent_record
from borough.tenancy.scope import tenant_scope


def person(tenant, **extra):
    with tenant_scope(tenant):
        return make_person(tenant, **extra)


def consent(tenant, who, purpose: str, granted: bool) -> None:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        consent_record(person=who, purpose=purpose, granted=granted, channel="web")


def case_for(catalogue, requester, **extra):  # noqa: F811 - the fixture's value, passed in
    tenant = catalogue["tenant"]
    with tenant_scope(tenant):
        return new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, requester=requester, **extra)


@pytest.fixture
def settings_of(catalogue):  # noqa: F811
    """Save the tenant's notification settings: settings_of(bilingual=True, events=[...])."""
    from borough.channels.notifications.events import DEFAULT_EVENTS
    from borough.channels.notifications.services import notification_settings_update

    def save(**changes):
        values = {"bilingual": False, "both_languages_in_email": True, "events": list(DEFAULT_EVENTS), **changes}
        with tenant_scope(catalogue["tenant"]), acting_as(Actor.system("test")):
            return notification_settings_update(tenant=catalogue["tenant"], **values)

    return save
