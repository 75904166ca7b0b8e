"""Each case event the CRM services tell the resident about, through notify_resident, noted on the case event."""

from borough.channels.notifications.tests.conftest import case_for, consent, person
from borough.core.audit import Actor, acting_as
from borough.core.models import OutboxMessage
from borough.crm import services
from borough.crm.models import CaseEvent, Interaction
from borough.crm.tests.case_factories import make_team
from borough.tenancy.scope import tenant_scope


def outbox_keys(tenant) -> list[str]:
    with tenant_scope(tenant):
        return sorted(OutboxMessage.objects.values_list("idempotency_key", flat=True))


def act(tenant, work):
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return work()


def test_received_is_acknowledged_and_noted_on_the_created_event(catalogue):
    tenant = catalogue["tenant"]
    case = case_for(catalogue, person(tenant))
    assert case.created_event.data["notified"] == {
        "event": "received",
        "sent": True,
        "channel": "email",
        "language": "en",
        "outbox_key": f"case-ack-{case.pk}",
    }
    with tenant_scope(tenant):
        body = OutboxMessage.objects.get().payload["body"]
    assert "We have received your request about Missed bin collection." in body
    assert f"Your reference is {case.reference}." in body and "We aim to deal with it by the end of " in body


def test_assignment_is_told_only_when_the_tenant_turns_it_on_and_the_team_changes(catalogue, settings_of):
    tenant = catalogue["tenant"]
    case = case_for(catalogue, person(tenant))
    with tenant_scope(tenant):
        streets = make_team(tenant, "streets", "Street cleansing")
    act(tenant, lambda: services.case_assign(case=case, team=catalogue["highways"]))
    assert outbox_keys(tenant) == [f"case-ack-{case.pk}"]  # off by default
    settings_of(events=["received", "assigned"])
    act(tenant, lambda: services.case_assign(case=case, team=streets))
    with tenant_scope(tenant):
        assigned = CaseEvent.objects.filter(case=case, kind="assigned").last()
        message = OutboxMessage.objects.get(idempotency_key=f"case-assigned-{assigned.pk}")
    assert assigned.data["notified"]["sent"] is True
    assert message.payload["subject"] == f"Your request {case.reference} is with Street cleansing"
    act(tenant, lambda: services.case_assign(case=case, team=streets))  # the same team again: nothing new
    assert len(outbox_keys(tenant)) == 2


def test_a_published_update_is_sent(catalogue):
    tenant = catalogue["tenant"]
    case = case_for(catalogue, person(tenant, email="", phone="07700 900123", preferred_channel="sms"))
    update = act(tenant, lambda: services.case_publish_update(case=case, body="Collected this morning."))
    assert update.data["emailed"] is False and update.data["notified"]["channel"] == "sms"
    with tenant_scope(tenant):
        text = OutboxMessage.objects.get(idempotency_key=f"case-update-{update.pk}-sms")
    assert text.payload["body"] == f"Northfield District Council update on {case.reference}: Collected this morning."


def status_notices(tenant, case) -> dict[str, dict]:
    with tenant_scope(tenant):
        return {e.data["to"]: e.data for e in CaseEvent.objects.filter(case=case, kind="status")}


def test_waiting_resolved_and_closed_are_told_and_closing_brings_the_survey_when_consented(catalogue):
    tenant = catalogue["tenant"]
    jane = person(tenant)
    consent(tenant, jane, "surveys", True)
    case = case_for(catalogue, jane)
    for status in ("in_progress", "waiting_on_resident", "open", "resolved", "closed"):
        case = act(tenant, lambda status=status: services.case_transition(case=case, to_status=status))
    notices = status_notices(tenant, case)
    assert "notified" not in notices["in_progress"] and "notified" not in notices["open"]
    for status in ("waiting_on_resident", "resolved", "closed"):
        assert notices[status]["notified"]["sent"] is True, status
    assert notices["closed"]["survey"]["outbox_key"] == f"case-survey-{case.pk}"
    with tenant_scope(tenant):
        subjects = {m.idempotency_key: m.payload["subject"] for m in OutboxMessage.objects.all()}
        survey = OutboxMessage.objects.get(idempotency_key=f"case-survey-{case.pk}").payload["body"]
    waiting_key = notices["waiting_on_resident"]["notified"]["outbox_key"]
    assert (
        waiting_key.startswith("case-status-")
        and subjects[waiting_key] == f"We need more information: {case.reference}"
    )
    assert f"https://northfield.localhost/track/{case.reference}/feedback/" in survey
    assert len(subjects) == 5  # acknowledgement, waiting, resolved, closed, survey


def test_no_survey_without_consent_or_after_feedback(catalogue, settings_of):
    tenant = catalogue["tenant"]
    case = case_for(catalogue, person(tenant))
    case = act(tenant, lambda: services.case_transition(case=case, to_status="closed"))
    assert status_notices(tenant, case)["closed"]["survey"] == {
        "event": "survey",
        "sent": False,
        "reason": "no consent to surveys",
    }
    jane = person(tenant, email="jane2@example.org")
    consent(tenant, jane, "surveys", True)
    settings_of(survey_url="https://survey.example.org/s?ref=((reference))")
    case = case_for(catalogue, jane)
    case = act(tenant, lambda: services.case_transition(case=case, to_status="resolved"))
    act(tenant, lambda: services.case_record_feedback(case=case, rating=5))
    case = act(tenant, lambda: services.case_transition(case=case, to_status="closed"))
    assert "survey" not in status_notices(tenant, case)["closed"]  # they already told us
    with tenant_scope(tenant):
        assert not Interaction.objects.filter(case=case, data__event="survey").exists()
    case = act(tenant, lambda: services.case_transition(case=case_for(catalogue, jane), to_status="closed"))
    with tenant_scope(tenant):
        survey = OutboxMessage.objects.get(idempotency_key=f"case-survey-{case.pk}")
    assert f"https://survey.example.org/s?ref={case.reference}" in survey.payload["body"]
