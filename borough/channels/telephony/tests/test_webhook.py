"""The telephony platform's webhook: events recorded once each, the call's state only moving forward, a missed
call, unknown numbers and agents, and every kind of bad input or credential answered clearly (and logged)."""

import logging

import pytest

from borough.channels.telephony.models import Call, CallEvent
from borough.channels.telephony.tests.conftest import WEBHOOK, Hook, make_key
from borough.core.models import AuditEvent
from borough.crm.models import Interaction
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


def stored(tenant):
    with tenant_scope(tenant):
        return list(Call.objects.all()), CallEvent.objects.count()


def invalid(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] in {"invalid", "parse_error"}
    return body["errors"]


def test_a_ringing_call_from_a_known_number_pops_their_record(hook, desk):
    response = hook.event(agent="anna")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "call_id": "c-1",
        "state": "ringing",
        "recorded": True,
        "missed": False,
        "caller_known": True,
        "person": desk["jane"].pk,
        "agent": "anna",
        "duration_seconds": None,
        "warnings": {},
    }
    with tenant_scope(desk["tenant"]):
        call = Call.objects.get()
        assert (call.caller_normalised, call.agent, call.person) == ("+447700900123", desk["agent"], desk["jane"])
        interaction = Interaction.objects.get(pk=call.interaction_id)
        assert (interaction.channel, interaction.direction, interaction.person) == ("phone", "in", desk["jane"])
        assert interaction.data["call_id"] == "c-1"
        assert AuditEvent.objects.filter(action="telephony.call_event", object_id=str(call.pk)).count() == 1


def test_a_repeated_event_changes_nothing(hook, desk):
    assert hook.event().status_code == 201
    again = hook.event()
    assert again.status_code == 200
    assert again.json()["recorded"] is False
    calls, events = stored(desk["tenant"])
    assert (len(calls), events) == (1, 1)
    with tenant_scope(desk["tenant"]):
        assert Interaction.objects.filter(channel="phone", data__call_id="c-1").count() == 1


def test_ringing_answered_ended_gives_the_duration(hook, desk):
    hook.event(occurred_at="2026-11-26T09:00:00Z")
    hook.event(state="answered", agent="anna@northfield.example", occurred_at="2026-11-26T09:00:10Z")
    body = hook.event(state="ended", occurred_at="2026-11-26T09:04:40Z").json()
    assert (body["state"], body["missed"], body["duration_seconds"], body["agent"]) == ("ended", False, 270, "anna")


def test_ended_without_answered_is_a_missed_call(hook, desk):
    hook.event(occurred_at="2026-11-26T09:00:00Z")
    body = hook.event(state="ended", occurred_at="2026-11-26T09:00:30Z").json()
    assert (body["missed"], body["duration_seconds"]) == (True, 0)
    with tenant_scope(desk["tenant"]):
        call = Call.objects.get()
        assert call.outcome == Call.Outcome.MISSED
        assert Interaction.objects.get(pk=call.interaction_id).summary == "Missed call from 07700 900123"


def test_events_out_of_order_never_move_the_call_back(hook, desk):
    assert hook.event(state="ended", occurred_at="2026-11-26T09:05:00Z").json()["missed"] is True
    late_answer = hook.event(state="answered", occurred_at="2026-11-26T09:01:00Z").json()
    assert (late_answer["state"], late_answer["missed"], late_answer["duration_seconds"]) == ("ended", False, 240)
    late_ring = hook.event(state="ringing", occurred_at="2026-11-26T09:00:30Z").json()
    assert late_ring["state"] == "ended"
    with tenant_scope(desk["tenant"]):
        call = Call.objects.get()
        assert call.outcome == ""  # not missed after all: the agent logs the outcome
        assert call.ringing_at.isoformat() == "2026-11-26T09:00:30+00:00"


def test_an_unknown_number_is_recorded_without_a_person(hook, desk):
    body = hook.event(caller="01632 960999").json()
    assert (body["caller_known"], body["person"]) == (False, None)
    withheld = hook.event(call_id="c-2", caller="anonymous").json()
    assert (withheld["recorded"], withheld["caller_known"]) == (True, False)
    with tenant_scope(desk["tenant"]):
        assert Call.objects.get(provider_call_id="c-2").caller_normalised == ""


def test_an_unknown_agent_is_a_warning_and_the_call_is_offered_to_all(hook, desk, caplog):
    with caplog.at_level(logging.WARNING, logger="borough.telephony"):
        response = hook.event(agent="nobody@example.org")
    assert response.status_code == 201
    assert response.json()["agent"] is None
    assert "nobody@example.org" in response.json()["warnings"]["agent"][0]
    assert "unknown agent" in caplog.text


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"call_id", "caller", "called", "state"}),
        ({"call_id": "c-1", "caller": "07700 900123", "called": "01632 960000"}, {"state"}),
        ({"call_id": "c-1", "caller": "07700 900123", "called": "01632 960000", "state": "on-hold"}, {"state"}),
        ({"call_id": "", "caller": "", "called": "0", "state": "ringing"}, {"call_id"}),
        ({"call_id": "x" * 101, "caller": "1", "called": "0", "state": "ringing"}, {"call_id"}),
        (
            {"call_id": "c", "caller": "1", "called": "0", "state": "ringing", "occurred_at": "yesterday"},
            {"occurred_at"},
        ),
        ({"call_id": ["c"], "caller": 5, "called": {"a": 1}, "state": "ringing"}, {"call_id", "called"}),
    ],
)
def test_bad_fields_answer_400_with_field_messages(hook, desk, body, fields, caplog):
    with caplog.at_level(logging.WARNING, logger="borough.telephony"):
        errors = invalid(hook.post(**body))
    assert set(errors) == fields
    assert stored(desk["tenant"]) == ([], 0)
    assert "event refused" in caplog.text


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "null", '"ringing"'])
def test_a_body_that_is_not_a_json_object_is_a_400(hook, desk, raw):
    assert hook.raw(raw).status_code == 400
    assert stored(desk["tenant"]) == ([], 0)


def test_a_body_that_is_not_json_is_a_415(hook, desk):
    assert hook.raw("call_id=c-1", content_type="application/x-www-form-urlencoded").status_code == 415


def test_credentials(desk, client_for, make_tenant, caplog):
    tenant = desk["tenant"]
    client = client_for(tenant)
    with caplog.at_level(logging.WARNING, logger="borough.telephony"):
        assert Hook(client, None).event().status_code == 401
        assert Hook(client, "forged-key-123456").event().status_code == 401
        other_tenant = make_tenant("southvale")
        assert Hook(client, make_key(other_tenant, "telephony")).event().status_code == 401
        assert Hook(client, make_key(tenant, "read", "write")).event().status_code == 403
    assert caplog.text.count("refused on northfield") == 4
    assert stored(tenant) == ([], 0)
    # The right key on another tenant's host is unknown there.
    assert Hook(client_for(other_tenant), make_key(tenant, "telephony")).event().status_code == 401


def test_a_call_id_is_per_tenant(hook, desk, make_tenant, client_for):
    other = make_tenant("southvale")
    assert hook.event().status_code == 201
    assert Hook(client_for(other), make_key(other, "telephony")).event().status_code == 201
    with tenant_scope(other):
        assert Call.objects.get().person is None  # Jane is Northfield's


def test_staff_may_post_only_as_crm_supervisors(desk, client_for, make_staff):
    tenant = desk["tenant"]
    agent_client = client_for(tenant, desk["agent"])
    assert Hook(agent_client, None).event().status_code == 403
    supervisor = make_staff(tenant, roles=("crm.agent", "crm.supervisor"), username="sue")
    assert Hook(client_for(tenant, supervisor), None).event().status_code == 201


def test_the_endpoint_is_in_the_schema(client_for, desk):
    schema = client_for(desk["tenant"]).get("/api/schema/?format=json").json()
    operation = schema["paths"][WEBHOOK]["post"]
    assert {"200", "201", "400", "401", "403", "415"} <= set(operation["responses"])


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800"])
def test_characters_a_database_cannot_store_are_refused(hook, desk, bad):
    body = '{"call_id": "c-' + bad + '", "caller": "07700 900123", "called": "01632 960000", "state": "ringing"}'
    assert set(invalid(hook.raw(body))) == {"call_id"}
    assert stored(desk["tenant"]) == ([], 0)
