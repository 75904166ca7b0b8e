"""Every write of the telephone channel: call events from the platform, agents taking and wrapping up calls,
recording an unknown caller, raising a case from a call, and call-backs.

Each validates first (ValidationError names each bad field), then writes in one transaction with an audit event.
A change to a call locks its row, so the platform's events and an agent's clicks cannot overwrite each other.
"""

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from borough.channels.telephony.models import (
    STATE_ORDER,
    Call,
    CallBack,
    CallCase,
    CallEvent,
    CallState,
    WrapUpCode,
)
from borough.core.audit import audit_record, current_actor, snapshot
from borough.crm.models import Case, CaseChannel, Interaction, Team
from borough.crm.services import case_create
from borough.crm.services.common import Errors, clean_text
from borough.identity.models import Membership
from borough.people.models import Channel, Person
from borough.people.normalise import normalise_phone
from borough.people.services import person_create, person_find

logger = logging.getLogger("borough.telephony")

CALL_AUDIT_FIELDS = (
    "state",
    "ringing_at",
    "answered_at",
    "ended_at",
    "duration_seconds",
    "agent",
    "person",
    "outcome",
    "wrap_up_code",
    "notes",
    "wrapped_up_at",
)
CALLBACK_AUDIT_FIELDS = ("person", "phone", "call", "case", "due_at", "assigned_to", "team", "notes", "done_at")
MAX_NOTES = 5_000
# A call rings for seconds; a duration past this is a mistake in the events or in what was typed.
MAX_DURATION_SECONDS = 24 * 3600
DEFAULT_WRAP_UP_CODES = (
    ("general", "General enquiry"),
    ("council-tax", "Council tax"),
    ("waste", "Bins and recycling"),
    ("highways", "Roads and pavements"),
    ("complaint", "Complaint"),
    ("wrong-number", "Wrong number or silent call"),
)


def _call_snapshot(call: Call) -> dict[str, Any]:
    return snapshot(call, CALL_AUDIT_FIELDS)


def _normalised_phone(value: str) -> str:
    try:
        return normalise_phone(value) if value else ""
    except ValueError:
        return ""


def _active_person(person: Person | None) -> Person | None:
    """The survivor of a merge; None once anonymised."""
    seen = set()
    while person is not None and person.merged_into_id is not None and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    return person if person is not None and person.anonymised_at is None else None


# Wrap-up codes


def wrap_up_codes_ensure(*, tenant) -> list[WrapUpCode]:
    """The tenant's active codes; a tenant without any gets the default list (so the desk works from day one)."""
    codes = list(WrapUpCode.objects.filter(tenant=tenant, is_active=True))
    if codes or WrapUpCode.objects.filter(tenant=tenant).exists():
        return codes
    with transaction.atomic():
        for order, (code, label) in enumerate(DEFAULT_WRAP_UP_CODES):
            made, created = WrapUpCode.objects.get_or_create(
                tenant=tenant, code=code, defaults={"label": label, "order": order * 10}
            )
            if created:
                audit_record(tenant=tenant, action="telephony.wrap_up_code_create", obj=made, after={"code": code})
    return list(WrapUpCode.objects.filter(tenant=tenant, is_active=True))


# Call events from the platform


def agent_for(*, tenant, name: str):
    """The active member of the tenant with this username or email address, or None."""
    name = (name or "").strip()
    if not name:
        return None
    members = Membership.objects.filter(tenant=tenant, is_active=True).select_related("user")
    found = members.filter(Q(user__username__iexact=name) | Q(user__email__iexact=name), user__is_active=True)
    membership = found.order_by("user__username").first()
    return membership.user if membership else None


def _interaction_summary(call: Call) -> str:
    who = call.caller or "a withheld number"
    if call.is_missed:
        return f"Missed call from {who}"[:200]
    return f"Telephone call from {who}"[:200]


def _sync_interaction(call: Call) -> None:
    """The call's Interaction follows the call: its person, its first case, its state and wrap-up."""
    interaction = call.interaction
    if interaction is None:
        return
    interaction.person = call.person
    interaction.summary = _interaction_summary(call)
    interaction.body = call.notes
    interaction.recorded_by = call.agent
    if interaction.case_id is None:
        first = CallCase.objects.filter(tenant_id=call.tenant_id, call=call).order_by("created_at", "id").first()
        interaction.case_id = first.case_id if first else None
    interaction.data = {
        "call_id": call.provider_call_id,
        "state": call.state,
        "missed": call.is_missed,
        "duration_seconds": call.duration_seconds,
        "outcome": call.outcome,
        "wrap_up_code": call.wrap_up_code.code if call.wrap_up_code_id else "",
        "called": call.called,
    }
    interaction.save()


def _set_duration(call: Call) -> None:
    if call.answered_at and call.ended_at and not call.duration_entered:
        seconds = int((call.ended_at - call.answered_at).total_seconds())
        call.duration_seconds = min(max(seconds, 0), MAX_DURATION_SECONDS)
    elif call.is_missed:
        call.duration_seconds = 0


def _apply_event(call: Call, state: str, at: datetime) -> None:
    """Move the call on. Events may come out of order: each fills in its own time; the state only moves forward."""
    if state == CallState.RINGING:
        call.ringing_at = at
    elif state == CallState.ANSWERED:
        call.answered_at = at
    else:
        call.ended_at = at
    if STATE_ORDER[state] > STATE_ORDER[call.state]:
        call.state = state
    _set_duration(call)
    if call.is_missed and not call.outcome:
        call.outcome = Call.Outcome.MISSED
    elif call.outcome == Call.Outcome.MISSED and not call.is_missed:
        call.outcome = ""  # an `answered` that arrived after its `ended`: the call was not missed after all


def _new_call(*, tenant, call_id: str, caller: str, called: str, state: str, at: datetime) -> Call:
    normalised = _normalised_phone(caller)
    person = person_find(tenant=tenant, phone=normalised) if normalised else None
    call = Call(
        tenant=tenant,
        provider_call_id=call_id,
        caller=caller,
        caller_normalised=normalised,
        called=called,
        state=state,
        person=person,
        created_at=at,
    )
    try:
        with transaction.atomic():  # a savepoint: the same call's first events may race each other
            call.save()
    except IntegrityError:
        return None
    call.interaction = Interaction.objects.create(
        tenant=tenant,
        person=person,
        channel=Channel.PHONE,
        direction=Interaction.Direction.INBOUND,
        summary=_interaction_summary(call),
        data={"call_id": call_id, "state": state},
        occurred_at=at,
    )
    call.save(update_fields=["interaction"])
    return call


def _locked_call(tenant, call_id: str) -> Call | None:
    calls = Call.objects.select_for_update(of=("self",)).select_related("interaction", "wrap_up_code")
    return calls.filter(tenant=tenant, provider_call_id=call_id).first()


def call_event_record(
    *,
    tenant,
    call_id: str,
    caller: str,
    called: str,
    state: str,
    agent: str = "",
    occurred_at: datetime | None = None,
    payload: dict | None = None,
) -> tuple[Call, bool, dict[str, list[str]]]:
    """Record one event of a call; returns (call, recorded, warnings). `recorded` is False for a repeat of an
    event already recorded (same call and state): nothing changes, so the platform may retry freely.

    An unknown agent is a warning, not an error: the call is still recorded and offered to every agent.
    """
    errors = Errors()
    call_id = clean_text(call_id, "call_id", errors, required="Give the call's id", limit=100)
    caller = clean_text(caller, "caller", errors, limit=40)
    called = clean_text(called, "called", errors, required="Give the number that was called", limit=40)
    if state not in CallState.values:
        errors.add("state", f"Choose a state: {', '.join(CallState.values)}")
    errors.raise_any()
    at = occurred_at or timezone.now()
    warnings: dict[str, list[str]] = {}
    user = agent_for(tenant=tenant, name=agent)
    if agent and user is None:
        warnings["agent"] = [f"No active staff member of this council is “{agent}”; the call is offered to all agents."]
        logger.warning("telephony: call %s names unknown agent %r", call_id, agent)

    with transaction.atomic():
        call = _locked_call(tenant, call_id)
        if call is None:
            call = _new_call(tenant=tenant, call_id=call_id, caller=caller, called=called, state=state, at=at)
            call = _locked_call(tenant, call_id)  # locked, whether this request or a racing one made it
            before = None
        else:
            before = _call_snapshot(call)
        if CallEvent.objects.filter(tenant=tenant, call=call, state=state).exists():
            return call, False, warnings
        CallEvent.objects.create(tenant=tenant, call=call, state=state, occurred_at=at, payload=payload or {})
        _apply_event(call, state, at)
        if user is not None and (call.agent_id is None or state == CallState.ANSWERED):
            call.agent = user
        if call.person_id is None and call.caller_normalised:
            call.person = person_find(tenant=tenant, phone=call.caller_normalised)
        call.person = _active_person(call.person)
        call.save()
        _sync_interaction(call)
        audit_record(
            tenant=tenant,
            action="telephony.call_event",
            obj=call,
            before=before,
            after=_call_snapshot(call),
            detail={"call_id": call_id, "state": state, "warnings": warnings},
        )
    if call.person_id is None:
        logger.info("telephony: call %s from a number with no person on record", call_id)
    return call, True, warnings


# What agents do with a call


def _locked(call: Call) -> Call:
    return (
        Call.objects.select_for_update(of=("self",))
        .select_related("interaction")
        .get(tenant_id=call.tenant_id, pk=call.pk)
    )


def call_take(*, call: Call, agent) -> Call:
    """An agent takes a call that rings for everyone. A call another agent took first is refused."""
    with transaction.atomic():
        locked = _locked(call)
        if locked.agent_id is not None and locked.agent_id != agent.pk:
            raise ValidationError({"call": ["Another agent has taken this call."]})
        if locked.agent_id == agent.pk:
            return locked
        before = _call_snapshot(locked)
        locked.agent = agent
        locked.save()
        _sync_interaction(locked)
        audit_record(
            tenant=locked.tenant, action="telephony.call_take", obj=locked, before=before, after=_call_snapshot(locked)
        )
    return locked


def call_wrap_up(
    *, call: Call, outcome: str, wrap_up_code: WrapUpCode | None, notes: str = "", duration_seconds=None, agent
) -> Call:
    """Log how the call went. The duration comes from the events; it is typed only when they lack it."""
    errors = Errors()
    if outcome not in Call.Outcome.values:
        errors.add("outcome", "Choose the outcome of the call")
    if wrap_up_code is None:
        errors.add("wrap_up_code", "Choose what the call was about")
    elif wrap_up_code.tenant_id != call.tenant_id or not wrap_up_code.is_active:
        errors.add("wrap_up_code", "Choose one of the wrap-up codes listed")
    notes = clean_text(notes, "notes", errors, limit=MAX_NOTES)
    if call.state == CallState.RINGING:
        errors.add("call", "The call is still ringing: wrap it up once it has been answered or has ended")
    if duration_seconds is not None and not 0 <= duration_seconds <= MAX_DURATION_SECONDS:
        errors.add("duration_seconds", "Enter a duration between 0 and 24 hours")
    errors.raise_any()
    with transaction.atomic():
        locked = _locked(call)
        before = _call_snapshot(locked)
        locked.outcome = outcome
        locked.wrap_up_code = wrap_up_code
        locked.notes = notes
        if duration_seconds is not None and (locked.duration_seconds is None or locked.duration_entered):
            locked.duration_seconds = duration_seconds
            locked.duration_entered = True
        locked.wrapped_up_at = timezone.now()
        locked.wrapped_up_by = agent
        if locked.agent_id is None:
            locked.agent = agent
        locked.save()
        _sync_interaction(locked)
        audit_record(
            tenant=locked.tenant,
            action="telephony.call_wrap_up",
            obj=locked,
            before=before,
            after=_call_snapshot(locked),
        )
    return locked


def call_person_create(*, call: Call, given_name: str = "", family_name: str = "", email: str = "") -> Call:
    """Record the caller as a new person (the agent has confirmed), with the call's number, and link the call."""
    if call.person_id is not None:
        raise ValidationError({"call": ["This call's caller is already on record."]})
    with transaction.atomic():
        locked = _locked(call)
        if locked.person_id is not None:
            raise ValidationError({"call": ["This call's caller is already on record."]})
        person = person_create(
            tenant=locked.tenant,
            given_name=given_name,
            family_name=family_name,
            email=email,
            phone=locked.caller_normalised,
            preferred_channel=Channel.PHONE,
        )
        return _link_person(locked, person, "telephony.call_person_create")


def call_person_link(*, call: Call, person: Person) -> Call:
    """The caller is someone already on record (found by the agent): link the call to them."""
    person = _active_person(person)
    if person is None or person.tenant_id != call.tenant_id:
        raise ValidationError({"person": ["Choose a person of this council"]})
    with transaction.atomic():
        return _link_person(_locked(call), person, "telephony.call_person_link")


def _link_person(locked: Call, person: Person, action: str) -> Call:
    before = _call_snapshot(locked)
    locked.person = person
    locked.save()
    _sync_interaction(locked)
    audit_record(tenant=locked.tenant, action=action, obj=locked, before=before, after=_call_snapshot(locked))
    return locked


def call_raise_case(
    *,
    call: Call,
    service,
    description: str,
    answers: dict[str, Any] | None = None,
    address: str = "",
    postcode: str = "",
    agent,
) -> Case:
    """A case logged on the caller's behalf (channel phone), linked to the call. case_create checks the fields."""
    with transaction.atomic():
        locked = _locked(call)
        case = case_create(
            tenant=locked.tenant,
            service=service,
            channel=CaseChannel.PHONE,
            description=description,
            answers=answers,
            requester=_active_person(locked.person),
            address=address,
            postcode=postcode,
            logged_by=agent,
        )
        link = CallCase.objects.create(tenant=locked.tenant, call=locked, case=case)
        if locked.agent_id is None:
            locked.agent = agent
            locked.save()
        _sync_interaction(locked)
        audit_record(
            tenant=locked.tenant,
            action="telephony.call_raise_case",
            obj=locked,
            detail={"case": case.reference, "link": link.pk},
        )
    return case


# Call-backs


def _check_team(tenant, team, errors: Errors) -> Team | None:
    if team is None:
        return None
    if not isinstance(team, Team) or team.tenant_id != tenant.pk:
        errors.add("team", "Choose a team of this council")
        return None
    return team


def callback_schedule(
    *,
    tenant,
    phone: str,
    due_at: datetime | None,
    notes: str = "",
    call: Call | None = None,
    person: Person | None = None,
    case: Case | None = None,
    assigned_to=None,
    team: Team | None = None,
) -> CallBack:
    """A call-back owed to a resident: for an agent, else a team, else anyone on the call desk."""
    errors = Errors()
    normalised = ""
    try:
        normalised = normalise_phone(phone)
    except ValueError as error:
        errors.add("phone", str(error))
    if due_at is None:
        errors.add("due_at", "Enter when to call back")
    notes = clean_text(notes, "notes", errors, limit=MAX_NOTES)
    team = _check_team(tenant, team, errors)
    if assigned_to is not None and agent_for(tenant=tenant, name=assigned_to.get_username()) is None:
        errors.add("assigned_to", "Choose a member of staff of this council")
    for value, name in ((call, "call"), (person, "person"), (case, "case")):
        if value is not None and value.tenant_id != tenant.pk:
            errors.add(name, f"Choose a {name} of this council")
    errors.raise_any()
    if person is None and call is not None:
        person = call.person
    with transaction.atomic():
        callback = CallBack.objects.create(
            tenant=tenant,
            person=_active_person(person),
            phone=normalised,
            call=call,
            case=case,
            due_at=due_at,
            assigned_to=assigned_to,
            team=team,
            notes=notes,
            created_by=_current_user(),
        )
        audit_record(
            tenant=tenant,
            action="telephony.callback_schedule",
            obj=callback,
            after=snapshot(callback, CALLBACK_AUDIT_FIELDS),
        )
    return callback


def callback_complete(*, callback: CallBack, note: str = "", agent) -> CallBack:
    """The call-back was made: done, with an outbound telephone Interaction on the person's (and case's) timeline."""
    errors = Errors()
    note = clean_text(note, "note", errors, required="Say how the call-back went", limit=MAX_NOTES)
    errors.raise_any()
    with transaction.atomic():
        locked = CallBack.objects.select_for_update(of=("self",)).get(tenant_id=callback.tenant_id, pk=callback.pk)
        if locked.done_at is not None:
            raise ValidationError({"callback": ["This call-back is already done."]})
        before = snapshot(locked, CALLBACK_AUDIT_FIELDS)
        locked.done_at = timezone.now()
        locked.done_by = agent
        locked.done_note = note
        locked.save()
        Interaction.objects.create(
            tenant_id=locked.tenant_id,
            person=_active_person(locked.person),
            case=locked.case,
            channel=Channel.PHONE,
            direction=Interaction.Direction.OUTBOUND,
            summary=f"Call-back to {locked.phone}"[:200],
            body=note,
            data={"callback_id": locked.pk, "call_id": locked.call.provider_call_id if locked.call_id else ""},
            occurred_at=locked.done_at,
            recorded_by=agent,
        )
        audit_record(
            tenant=locked.tenant,
            action="telephony.callback_complete",
            obj=locked,
            before=before,
            after=snapshot(locked, CALLBACK_AUDIT_FIELDS),
        )
    return locked


def _current_user():
    actor = current_actor.get()
    user = actor.user if actor is not None else None
    return user if isinstance(user, get_user_model()) else None
