"""What the case page shows: the summary in plain words, the service level with the steps that explain it, and
the timeline of events and contacts. The quick actions re-render parts of it, so it is built in one place."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from borough.crm.desk import forms as action_forms
from borough.crm.desk.due import DueState, clock_for, due_state
from borough.crm.models import Case, CaseEvent, Interaction, ServiceQuestion

ACTION_NAMES = ("assign", "status", "note", "update", "attach", "link", "refer")


def case_for(reference: str) -> Case:
    """The tenant's case with this reference (the scoped manager keeps other tenants' cases out: 404)."""
    related = ("tenant", "service", "requester", "team", "assigned_to", "logged_by")
    return get_object_or_404(Case.objects.select_related(*related), reference=reference.strip().upper())


@dataclass(frozen=True)
class Answer:
    prompt: str
    text: str


def _answer_text(question: ServiceQuestion, value) -> str:
    names = {str(choice.get("key")): choice.get("name", choice.get("key")) for choice in question.choices or []}
    if value in (None, "", []):
        return "Not answered"
    if isinstance(value, list):
        return ", ".join(str(names.get(str(item), item)) for item in value)
    if question.kind == ServiceQuestion.Kind.SINGLE_CHOICE:
        return str(names.get(str(value), value))
    if question.kind == ServiceQuestion.Kind.DATETIME and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return _when(moment)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _when(moment: datetime) -> str:
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%-d %B %Y} at {moment:%H:%M}"


def answers(case: Case) -> list[Answer]:
    """Each of the service's questions with the answer in words; answers to questions since removed come last."""
    given = dict(case.answers or {})
    lines = [Answer(q.prompt, _answer_text(q, given.pop(q.code, None))) for q in case.service.questions.all()]
    lines += [Answer(code.replace("_", " ").capitalize(), str(value)) for code, value in given.items()]
    return lines


def coordinates_text(latitude: Decimal | None, longitude: Decimal | None) -> str:
    """52.12345° N, 1.23456° W: the map's text alternative."""
    if latitude is None or longitude is None:
        return ""
    north = "N" if latitude >= 0 else "S"
    east = "E" if longitude >= 0 else "W"
    return f"{abs(latitude):.5f}° {north}, {abs(longitude):.5f}° {east}"


@dataclass
class TimelineItem:
    title: str
    byline: str
    occurred_at: datetime
    body: str = ""
    lines: list[str] = field(default_factory=list)
    audience: str = ""  # "Seen by the resident", "Staff only" or "" for contacts
    kind: str = ""
    contact: Interaction | None = None  # a contact's own record, e.g. a notification's delivery status


def _event_item(event: CaseEvent) -> TimelineItem:
    title, lines = event.get_kind_display(), []
    data = event.data or {}
    if event.kind == CaseEvent.Kind.STATUS and data.get("to"):
        title = f"Status changed to {action_forms.status_label(data['to'])}"
    body = event.body
    if event.kind == CaseEvent.Kind.SLA and data.get("steps"):
        # The headline, then the steps that explain the new due time.
        title, body, lines = f"Service level: {event.body}", "", [str(step) for step in data["steps"]]
    audience = "Seen by the resident" if event.is_public else "Staff only"
    byline = event.actor_user.display_name if event.actor_user_id else event.actor_label
    return TimelineItem(title, byline, event.occurred_at, body, lines, audience, event.kind)


def _interaction_item(contact: Interaction) -> TimelineItem:
    direction = "from the resident" if contact.direction == Interaction.Direction.INBOUND else "to the resident"
    title = f"{contact.get_channel_display()} {direction}"
    byline = contact.recorded_by.display_name if contact.recorded_by_id else "the system"
    return TimelineItem(
        title, byline, contact.occurred_at, contact.body, [contact.summary], "", "interaction", contact=contact
    )


def timeline(case: Case) -> list[TimelineItem]:
    """Every event and contact of the case, newest first (MOJ timelines read from the latest)."""
    items = [_event_item(event) for event in case.events.select_related("actor_user")]
    items += [_interaction_item(contact) for contact in case.interactions.select_related("recorded_by")]
    return sorted(items, key=lambda item: item.occurred_at, reverse=True)


def empty_forms(request, case: Case) -> dict:
    return {
        "assign": action_forms.AssignForm(case=case),
        "status": action_forms.StatusForm(case=case),
        "note": action_forms.NoteForm(),
        "update": action_forms.UpdateForm(case=case),
        "attach": action_forms.AttachForm(),
        "link": action_forms.LinkForm(case=case),
        "refer": action_forms.ReferForm(case=case, tenant=request.tenant),
    }


def summary_context(case: Case) -> dict:
    state: DueState = due_state(case, clock_for(case.tenant), explain=True)
    return {
        "case": case,
        "answers": answers(case),
        "coordinates": coordinates_text(case.latitude, case.longitude),
        "due": state,
        "links": list(case.links.select_related("other_case", "other_tenant").order_by("created_at")),
        "attachments": list(case.attachments.order_by("uploaded_at")),
        "person_url": person_url(case.requester_id),
    }


def person_url(pk: int | None) -> str | None:
    """The person page of the people module, once it is there."""
    if pk is None:
        return None
    try:
        return reverse("people:detail", kwargs={"pk": pk})
    except NoReverseMatch:
        return None


def case_page_context(request, case: Case, forms: dict | None = None) -> dict:
    return {
        **summary_context(case),
        "timeline": timeline(case),
        "forms": {**empty_forms(request, case), **(forms or {})},
    }
