"""Working a case through the services: status changes by the rules, the service-level pause and resume, reopening,
feedback, assignment, notes and updates, links. Each writes its timeline entry and audit event."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent, OutboxMessage
from borough.crm import services
from borough.crm.calc.sla import resume_due
from borough.crm.models import Case, CaseEvent, CaseLink, Interaction
from borough.crm.settings import crm_calendar, crm_settings
from borough.crm.tests.case_factories import add_member, make_person, make_team, new_case, png
from borough.crm.transitions import ALLOWED
from borough.people.services import consent_record
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
STATUSES = list(Case.Status.values)


@pytest.fixture
def work(catalogue):
    """A missed-bin case from Jane, inside the tenant's scope, acting as an agent."""
    tenant = catalogue["tenant"]
    with tenant_scope(tenant), acting_as(Actor.system("agent")):
        jane = make_person(tenant)
        case = new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, requester=jane)
        yield {**catalogue, "case": case, "jane": jane}


def set_status(case: Case, status: str) -> Case:
    """Put a case straight into a status (as if it had got there earlier)."""
    done = timezone.now() - timedelta(days=1) if status in ("resolved", "closed") else None
    Case.objects.filter(pk=case.pk).update(
        status=status,
        resolved_at=done,
        closed_at=done if status == "closed" else None,
        sla_paused_at=timezone.now() if status == "waiting_on_resident" else None,
    )
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("from_status", STATUSES)
@pytest.mark.parametrize("to_status", STATUSES)
def test_case_transition_follows_the_rules(work, from_status, to_status):
    case = set_status(work["case"], from_status)
    if to_status in ALLOWED[from_status]:
        changed = services.case_transition(case=case, to_status=to_status)
        assert changed.status == to_status
        event = CaseEvent.objects.filter(case=case, kind="status").get()
        assert event.is_public and {"from": from_status, "to": to_status}.items() <= event.data.items()
        # The resident hears of waiting on them, resolution and closure (borough.channels.notifications).
        assert ("notified" in event.data) == (to_status in {"waiting_on_resident", "resolved", "closed"})
        assert AuditEvent.objects.filter(action="case.transition", object_id=str(case.pk)).count() == 1
    else:
        with pytest.raises(ValidationError) as raised:
            services.case_transition(case=case, to_status=to_status)
        assert list(raised.value.message_dict) == ["to_status"]
        case.refresh_from_db()
        assert case.status == from_status
        assert not CaseEvent.objects.filter(case=case, kind="status").exists()


def test_refusals_say_why(work):
    case = set_status(work["case"], "closed")
    with pytest.raises(ValidationError, match="reopen it, giving a reason"):
        services.case_transition(case=case, to_status="open")
    with pytest.raises(ValidationError, match="'lost' is not a status"):
        services.case_transition(case=case, to_status="lost")


def test_resolving_and_closing_set_their_dates(work):
    case = services.case_transition(case=work["case"], to_status="in_progress", note="Crew sent")
    assert case.resolved_at is None
    assert CaseEvent.objects.filter(case=case, kind="note", body="Crew sent", is_public=False).exists()
    case = services.case_transition(case=case, to_status="resolved")
    resolved_at = case.resolved_at
    assert resolved_at is not None and case.closed_at is None
    case = services.case_transition(case=case, to_status="closed")
    assert case.closed_at is not None and case.resolved_at == resolved_at
    other = new_case(work["tenant"], work["missed_bin"], answers={"bin_type": "general"})
    closed_at_once = services.case_transition(case=other, to_status="closed")
    assert closed_at_once.resolved_at == closed_at_once.closed_at


def test_waiting_on_the_resident_pauses_the_clock_and_leaving_it_resumes(work):
    case = work["case"]
    first_due = case.due_at
    case = services.case_transition(case=case, to_status="waiting_on_resident")
    assert case.sla_paused_at is not None and case.due_at == first_due
    assert CaseEvent.objects.get(case=case, kind="sla").body == "Service-level clock paused."
    # As if the pause had begun a week ago, with a day of working time left then.
    paused_at = timezone.now() - timedelta(days=7)
    Case.objects.filter(pk=case.pk).update(sla_paused_at=paused_at)
    case = services.case_transition(case=case, to_status="in_progress")
    resumed_at = CaseEvent.objects.filter(case=case, kind="status").last().occurred_at
    expected = resume_due(first_due, paused_at, resumed_at, crm_calendar(work["tenant"]))
    assert case.sla_paused_at is None
    assert case.due_at == expected.due_at
    resume_event = CaseEvent.objects.filter(case=case, kind="sla").last()
    assert resume_event.data["steps"] == list(expected.steps)


def test_resident_information_restarts_a_case_waiting_on_them(work):
    case = services.case_transition(case=work["case"], to_status="waiting_on_resident")
    event = services.case_add_resident_information(case=case, body="The bin is green.", attachments=[png()])
    case.refresh_from_db()
    assert case.status == "open" and case.sla_paused_at is None
    assert event.is_public and event.kind == "resident" and len(event.data["attachments"]) == 1
    assert Interaction.objects.filter(case=case, direction="in", body="The bin is green.").exists()


def test_resident_information_needs_something_and_an_unfinished_case(work):
    with pytest.raises(ValidationError, match="Enter the information, or attach a file"):
        services.case_add_resident_information(case=work["case"], body=" ")
    case = set_status(work["case"], "closed")
    with pytest.raises(ValidationError, match="reopen it to add information"):
        services.case_add_resident_information(case=case, body="One more thing")


def test_reopening_within_the_period_starts_a_fresh_service_level(work):
    case = set_status(work["case"], "resolved")
    Case.objects.filter(pk=case.pk).update(breached_at=timezone.now(), escalated_at=timezone.now())
    case = services.case_reopen(case=case, reason="The bin was still not emptied")
    assert (case.status, case.reopen_count, case.resolved_at, case.breached_at, case.escalated_at) == (
        "open",
        1,
        None,
        None,
        None,
    )
    assert case.due_at > timezone.now()
    assert CaseEvent.objects.get(case=case, kind="status").body == "Reopened: The bin was still not emptied"
    assert AuditEvent.objects.filter(action="case.reopen").count() == 1


def test_reopening_is_refused_after_the_period_unfinished_or_without_reason(work):
    tenant = work["tenant"]
    settings = crm_settings(tenant)
    case = set_status(work["case"], "closed")
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - timedelta(days=settings.reopen_days + 1))
    with pytest.raises(ValidationError, match=f"up to {settings.reopen_days} days after it was resolved"):
        services.case_reopen(case=case, reason="Still broken")
    with pytest.raises(ValidationError, match="Say why"):
        services.case_reopen(case=case, reason="")
    open_case = new_case(tenant, work["missed_bin"], answers={"bin_type": "general"})
    with pytest.raises(ValidationError, match="Only a resolved or closed case"):
        services.case_reopen(case=open_case, reason="Why not")


def test_feedback_once_on_a_finished_case(work):
    with pytest.raises(ValidationError, match="once the case is resolved"):
        services.case_record_feedback(case=work["case"], rating=5)
    case = set_status(work["case"], "resolved")
    for bad in (0, 6, "five", True, None):
        with pytest.raises(ValidationError, match="Choose a rating"):
            services.case_record_feedback(case=case, rating=bad)
    case = services.case_record_feedback(case=case, rating="4", comment="Quick, thanks")
    assert (case.feedback_rating, case.feedback_comment) == (4, "Quick, thanks")
    assert CaseEvent.objects.get(case=case, kind="feedback").data == {"rating": 4}
    with pytest.raises(ValidationError, match="already been given"):
        services.case_record_feedback(case=case, rating=1)


def test_assigning_to_a_team_and_an_officer(work, make_staff, tenant_b):
    tenant = work["tenant"]
    agent = make_staff(tenant, roles=("crm.agent",), username="agent")
    revenues = make_staff(tenant, roles=("revenues.officer",), username="revenues")
    add_member(work["waste"], agent)
    case = services.case_assign(case=work["case"], user=agent)
    assert (case.team, case.assigned_to) == (work["waste"], agent)
    case = services.case_assign(case=case, team=work["highways"])  # agent is not in highways
    assert (case.team, case.assigned_to) == (work["highways"], None)
    assert (
        CaseEvent.objects.filter(case=case, kind="assigned").last().body == "Assigned to team Highways and no officer."
    )
    with pytest.raises(ValidationError) as raised:
        services.case_assign(case=case)
    assert list(raised.value.message_dict) == ["team"]
    with pytest.raises(ValidationError, match="not a customer contact officer"):
        services.case_assign(case=case, user=revenues)
    with tenant_scope(tenant_b):
        foreign = make_team(tenant_b, "waste")
    with pytest.raises(ValidationError, match="Choose a team of this council"):
        services.case_assign(case=case, team=foreign)


def test_notes_are_internal_and_updates_are_public_and_emailed(work):
    case = work["case"]
    note = services.case_add_note(case=case, body="Called the crew")
    assert (note.kind, note.is_public) == ("note", False)
    update = services.case_publish_update(case=case, body="We will collect it tomorrow.")
    assert (update.kind, update.is_public, update.data["emailed"]) == ("update", True, True)
    assert update.data["notified"] == {
        "event": "update",
        "sent": True,
        "channel": "email",
        "language": "en",
        "outbox_key": f"case-update-{update.pk}",
    }
    email = OutboxMessage.objects.get(idempotency_key=f"case-update-{update.pk}")
    assert "We will collect it tomorrow." in email.payload["body"] and email.payload["to"] == ["jane.smith@example.org"]
    with pytest.raises(ValidationError, match="Enter the note"):
        services.case_add_note(case=case, body="")
    with pytest.raises(ValidationError, match="Enter the update"):
        services.case_publish_update(case=case, body=None)


def test_no_update_email_after_the_resident_withdrew_consent(work):
    consent_record(person=work["jane"], purpose="email_updates", granted=False, channel="web")
    update = services.case_publish_update(case=work["case"], body="Collected.")
    assert update.data == {
        "emailed": False,
        "notified": {
            "event": "update",
            "sent": False,
            "reason": "consent to email updates withdrawn; no mobile number",
        },
    }
    assert not OutboxMessage.objects.filter(idempotency_key=f"case-update-{update.pk}").exists()


def test_links_between_cases(work, tenant_b):
    tenant = work["tenant"]
    case = work["case"]
    other = new_case(tenant, work["missed_bin"], answers={"bin_type": "general"})
    link = services.case_link(case=other, other_case=case, kind="duplicate_of")
    assert (link.case, link.other_case, link.kind) == (other, case, "duplicate_of")
    assert (
        CaseEvent.objects.get(case=case, kind="link").body
        == f"{other.reference} was marked as a duplicate of this case."
    )
    services.case_link(case=case, other_case=other, kind="related")
    assert set(CaseLink.objects.filter(kind="related").values_list("case_id", "other_case_id")) == {
        (case.pk, other.pk),
        (other.pk, case.pk),
    }
    with pytest.raises(ValidationError, match="already linked"):
        services.case_link(case=case, other_case=other, kind="related")
    with pytest.raises(ValidationError, match="cannot be linked to itself"):
        services.case_link(case=case, other_case=case, kind="related")
    with pytest.raises(ValidationError) as raised:
        services.case_link(case=case, other_case=other, kind="referred_to")
    assert list(raised.value.message_dict) == ["kind"]
