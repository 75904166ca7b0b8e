"""Plain words for residents: times as GOV.UK writes them, statuses, and answers as they were given."""

from datetime import datetime

from django import template
from django.utils import timezone

from borough.crm.models import Case, CaseEvent, ServiceQuestion

register = template.Library()

STATUS_TEXT = {
    Case.Status.NEW: ("Received", "govuk-tag--blue"),
    Case.Status.OPEN: ("Received", "govuk-tag--blue"),
    Case.Status.IN_PROGRESS: ("In progress", "govuk-tag--light-blue"),
    Case.Status.WAITING_ON_RESIDENT: ("Waiting for information from you", "govuk-tag--yellow"),
    Case.Status.WAITING_ON_THIRD_PARTY: ("Waiting for someone else", "govuk-tag--yellow"),
    Case.Status.RESOLVED: ("Resolved", "govuk-tag--green"),
    Case.Status.CLOSED: ("Closed", "govuk-tag--grey"),
}
EVENT_TEXT = {
    CaseEvent.Kind.CREATED: "Report received",
    CaseEvent.Kind.STATUS: "Status changed",
    CaseEvent.Kind.UPDATE: "Update from us",
    CaseEvent.Kind.RESIDENT: "Information you added",
    CaseEvent.Kind.ATTACHMENT: "File added",
    CaseEvent.Kind.FEEDBACK: "Your feedback",
}


def clock(moment: datetime) -> str:
    """GOV.UK style: 9am, 5:30pm, midday, midnight."""
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "midday"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


@register.filter
def plain_date(moment: datetime | None) -> str:
    """ "Friday 14 March 2025"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local:%A} {local.day} {local:%B %Y}"


@register.filter
def plain_when(moment: datetime | None) -> str:
    """ "5pm on Friday 14 March 2025"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{clock(local)} on {plain_date(local)}"


@register.filter
def status_text(status: str) -> str:
    return STATUS_TEXT.get(status, (str(status).replace("_", " ").capitalize(), ""))[0]


@register.filter
def status_tag(status: str) -> str:
    return STATUS_TEXT.get(status, ("", "govuk-tag--grey"))[1]


@register.filter
def event_text(kind: str) -> str:
    return EVENT_TEXT.get(kind, str(kind).replace("_", " ").capitalize())


@register.filter
def file_size(size) -> str:
    try:
        size = int(size)
    except (TypeError, ValueError):
        return ""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}MB"
    return f"{max(1, round(size / 1024))}KB"


def answer_text(question: ServiceQuestion, raw) -> str:
    """An answer as the resident would recognise it: choice names, not keys; dates in words."""
    if raw in (None, "", []):
        return "Not answered"
    names = {str(c.get("key")): str(c.get("name", c.get("key"))) for c in question.choices if isinstance(c, dict)}
    if question.kind == ServiceQuestion.Kind.MULTI_CHOICE and isinstance(raw, list):
        return ", ".join(names.get(str(item), str(item)) for item in raw)
    if question.kind == ServiceQuestion.Kind.SINGLE_CHOICE:
        return names.get(str(raw), str(raw))
    if question.kind == ServiceQuestion.Kind.DATETIME and isinstance(raw, str):
        try:
            return plain_when(datetime.fromisoformat(raw))
        except ValueError:
            return raw
    return str(raw)
