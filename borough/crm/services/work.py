"""Working a case: status changes (with the service-level clock), reopening, assignment, notes and updates,
information from the resident, feedback."""

from datetime import UTC, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.channels.notifications.events import Event
from borough.channels.notifications.services import notify_resident
from borough.core.audit import audit_record
from borough.crm.attachments import check_attachments
from borough.crm.models import Case, CaseEvent, Interaction, Team, TeamMember
from borough.crm.services.common import (
    CRM_ROLES,
    Errors,
    Status,
    case_event,
    case_snapshot,
    clean_text,
    day_text,
    lock_case,
)
from borough.crm.services.create import save_attachments
from borough.crm.settings import crm_calendar, crm_settings
from borough.crm.transitions import DONE_STATUSES, REOPENABLE, apply_transition, can_transition, refusal
from borough.identity.models import Membership
from borough.people.models import Channel


@transaction.atomic
def case_transition(*, case: Case, to_status: str, note: str = "") -> Case:
    """Move a case to another status, as borough.crm.transitions allows; `note` is kept as an internal note."""
    errors = Errors()
    note = clean_text(note, "note", errors)
    case = lock_case(case)
    if not can_transition(case.status, to_status):
        errors.add("to_status", refusal(case.status, to_status))
    errors.raise_any()
    return change_status(case, to_status, note=note)


def change_status(
    case: Case, to_status: str, *, note: str = "", public_body: str = "", action: str = "case.transition"
) -> Case:
    before = case_snapshot(case)
    from_label = case.get_status_display()
    now = timezone.now()
    steps = apply_transition(case, to_status, now=now, calendar=crm_calendar(case.tenant))
    case.save()
    status_event = case_event(
        case,
        CaseEvent.Kind.STATUS,
        body=public_body or f"Status changed from {from_label.lower()} to {case.get_status_display().lower()}.",
        public=True,
        at=now,
        data={"from": before["status"], "to": to_status},
    )
    _notify_status(case, status_event)
    if steps:
        paused = case.sla_paused_at is not None
        case_event(
            case,
            CaseEvent.Kind.SLA,
            body="Service-level clock paused."
            if paused
            else f"Now due {day_text(case.due_at)} ({_local(case.due_at)}).",
            at=now,
            data={"steps": list(steps), "due_at": case.due_at.astimezone(UTC).isoformat()},
        )
    if note:
        case_event(case, CaseEvent.Kind.NOTE, body=note, at=now)
    audit_record(
        tenant=case.tenant, action=action, obj=case, before=before, after=case_snapshot(case), detail={"note": note}
    )
    return case


STATUS_EVENTS = {
    Status.WAITING_ON_RESIDENT: Event.WAITING,
    Status.RESOLVED: Event.RESOLVED,
    Status.CLOSED: Event.CLOSED,
}


def _notify_status(case: Case, status_event: CaseEvent) -> None:
    """Tell the resident their case waits on them, is resolved or is closed; a closed case also brings the
    satisfaction survey, once per case, while no feedback has been given."""
    event = STATUS_EVENTS.get(case.status)
    if event is None:
        return
    notified = {
        "notified": notify_resident(case=case, event=event, key=f"case-status-{status_event.pk}", fresh=True).as_data()
    }
    if case.status == Status.CLOSED and case.feedback_rating is None:
        survey = notify_resident(case=case, event=Event.SURVEY, key=f"case-survey-{case.pk}")
        notified["survey"] = survey.as_data()
    status_event.data = {**status_event.data, **notified}
    status_event.save(update_fields=["data"])


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


@transaction.atomic
def case_reopen(*, case: Case, reason: str) -> Case:
    """Reopen a resolved or closed case, with the reason, within CrmSettings.reopen_days of its resolution."""
    errors = Errors()
    reason = clean_text(reason, "reason", errors, required="Say why the case should be reopened")
    case = lock_case(case)
    if case.status not in REOPENABLE:
        errors.add("reason", "Only a resolved or closed case can be reopened")
    else:
        days = crm_settings(case.tenant).reopen_days
        finished = case.resolved_at or case.closed_at
        if finished is not None and timezone.now() > finished + timedelta(days=days):
            errors.add(
                "reason",
                f"A case can be reopened up to {days} days after it was resolved; this one was resolved on "
                f"{day_text(finished)}. Please make a new request.",
            )
    errors.raise_any()
    return change_status(case, Status.OPEN, public_body=f"Reopened: {reason}", action="case.reopen")


# Assignment, notes, updates


def _crm_member(tenant, user) -> bool:
    membership = Membership.objects.filter(tenant=tenant, user=user, is_active=True).first()
    return membership is not None and bool(CRM_ROLES & set(membership.roles))


@transaction.atomic
def case_assign(*, case: Case, team: Team | None = None, user=None) -> Case:
    """Give the case to a team, an officer, or both. Moving it to a team its officer is not in unassigns the officer."""
    errors = Errors()
    if team is None and user is None:
        errors.add("team", "Choose a team or an officer")
    if team is not None and (not isinstance(team, Team) or team.tenant_id != case.tenant_id):
        errors.add("team", "Choose a team of this council")
    if user is not None and not _crm_member(case.tenant, user):
        errors.add("user", f"{user.get_username()} is not a customer contact officer here")
    errors.raise_any()
    case = lock_case(case)
    before = case_snapshot(case)
    team_before = case.team_id
    if team is not None:
        case.team = team
        officer_elsewhere = (
            case.assigned_to_id is not None
            and not TeamMember.objects.filter(tenant=case.tenant, team=team, user_id=case.assigned_to_id).exists()
        )
        if user is None and officer_elsewhere:
            case.assigned_to = None
    if user is not None:
        case.assigned_to = user
    case.save()
    parts = [f"team {case.team.name}" if case.team else "no team"]
    parts.append(f"officer {_user_name(case.assigned_to)}" if case.assigned_to else "no officer")
    assigned = case_event(
        case,
        CaseEvent.Kind.ASSIGNED,
        body=f"Assigned to {' and '.join(parts)}.",
        data={"team": case.team_id, "user": case.assigned_to_id},
    )
    if case.team_id is not None and case.team_id != team_before:  # a new team, not a new officer in the same one
        notified = notify_resident(case=case, event=Event.ASSIGNED, key=f"case-assigned-{assigned.pk}", fresh=True)
        assigned.data = {**assigned.data, "notified": notified.as_data()}
        assigned.save(update_fields=["data"])
    audit_record(tenant=case.tenant, action="case.assign", obj=case, before=before, after=case_snapshot(case))
    return case


def _user_name(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def case_add_note(*, case: Case, body: str) -> CaseEvent:
    """An internal note: staff see it, the resident does not."""
    errors = Errors()
    body = clean_text(body, "body", errors, required="Enter the note")
    errors.raise_any()
    event = case_event(case, CaseEvent.Kind.NOTE, body=body)
    audit_record(tenant=case.tenant, action="case.note", obj=case, detail={"event": event.pk})
    return event


@transaction.atomic
def case_publish_update(*, case: Case, body: str) -> CaseEvent:
    """A public update: on the case's page for the resident, and sent to them on their preferred channel."""
    errors = Errors()
    body = clean_text(body, "body", errors, required="Enter the update for the resident")
    errors.raise_any()
    event = case_event(case, CaseEvent.Kind.UPDATE, body=body, public=True)
    notified = notify_resident(case=case, event=Event.UPDATE, key=f"case-update-{event.pk}", update=body, fresh=True)
    emailed = notified.sent and notified.channel == "email"
    event.data = {"emailed": emailed, "notified": notified.as_data()}
    event.save(update_fields=["data"])
    detail = {"event": event.pk, "emailed": emailed, "notified": notified.channel if notified.sent else ""}
    audit_record(tenant=case.tenant, action="case.update", obj=case, detail=detail)
    return event


@transaction.atomic
def case_add_resident_information(*, case: Case, body: str, attachments=(), channel: str = Channel.WEB) -> CaseEvent:
    """More information from the resident (text, files or both). A case waiting on them starts moving again."""
    errors = Errors()
    body = clean_text(body, "body", errors)
    if channel not in Channel.values:
        errors.add("channel", f"Choose a channel: {', '.join(Channel.values)}")
    checked_files = []
    try:
        checked_files = check_attachments(attachments)
    except ValidationError as error:
        errors.absorb(error)
    if not body and not checked_files and "attachments" not in errors.messages:
        errors.add("body", "Enter the information, or attach a file")
    case = lock_case(case)
    if case.status in DONE_STATUSES:
        errors.add("body", "This case is finished: reopen it to add information")
    errors.raise_any()
    now = timezone.now()
    files = save_attachments(case, checked_files, now)
    event = case_event(case, CaseEvent.Kind.RESIDENT, body=body, public=True, at=now, data={"attachments": files})
    Interaction.objects.create(
        tenant_id=case.tenant_id,
        person=case.requester,
        case=case,
        channel=channel,
        direction=Interaction.Direction.INBOUND,
        summary=f"{case.reference}: more information"[:200],
        body=body,
        data={"attachments": files},
        occurred_at=now,
    )
    audit_record(
        tenant=case.tenant,
        action="case.resident_information",
        obj=case,
        detail={"event": event.pk, "attachments": files},
    )
    if case.status == Status.WAITING_ON_RESIDENT:
        change_status(case, Status.OPEN, public_body="The resident replied, so the case is open again.")
    return event


@transaction.atomic
def case_record_feedback(*, case: Case, rating, comment: str = "") -> Case:
    """The resident's rating (1 to 5) of a resolved or closed case, given once."""
    errors = Errors()
    if isinstance(rating, str) and rating.strip().isdigit():
        rating = int(rating.strip())
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors.add("rating", "Choose a rating from 1 (very poor) to 5 (very good)")
    comment = clean_text(comment, "comment", errors, limit=2000)
    case = lock_case(case)
    if case.status not in DONE_STATUSES:
        errors.add("rating", "Feedback can be given once the case is resolved")
    elif case.feedback_rating is not None:
        errors.add("rating", "Feedback has already been given for this case")
    errors.raise_any()
    case.feedback_rating, case.feedback_comment = rating, comment
    case.save(update_fields=["feedback_rating", "feedback_comment", "updated_at"])
    case_event(case, CaseEvent.Kind.FEEDBACK, body=comment, data={"rating": rating})
    audit_record(tenant=case.tenant, action="case.feedback", obj=case, after={"feedback_rating": rating})
    return case


# Links and referrals
