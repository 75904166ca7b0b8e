"""Writing a notification: the values of a case's placeholders in a language, and the email or text message made
from the tenant's template (or Borough's default) with them."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from borough.channels.notifications.events import Event, Language, NotifyChannel
from borough.channels.notifications.models import NotificationSettings
from borough.channels.notifications.placeholders import render, sms_length
from borough.channels.notifications.selectors import template_for
from borough.tenancy.resolve import tenant_base_url
from borough.tenancy.scope import scope_memo

WELSH_DAYS = ("dydd Llun", "dydd Mawrth", "dydd Mercher", "dydd Iau", "dydd Gwener", "dydd Sadwrn", "dydd Sul")
WELSH_MONTHS = (
    "Ionawr",
    "Chwefror",
    "Mawrth",
    "Ebrill",
    "Mai",
    "Mehefin",
    "Gorffennaf",
    "Awst",
    "Medi",
    "Hydref",
    "Tachwedd",
    "Rhagfyr",
)
# The words an email has around the template's body, in each language.
WORDS = {
    Language.ENGLISH: {
        "greeting": "Dear {name},",
        "hello": "Hello,",
        "reference": "Your reference:",
        "footer": "Reply to this email to add to your request. Please keep the reference in the subject.",
    },
    Language.WELSH: {
        "greeting": "Annwyl {name},",
        "hello": "Helo,",
        "reference": "Eich cyfeirnod:",
        "footer": "Atebwch yr e-bost hwn i ychwanegu at eich cais. Cadwch y cyfeirnod yn y pwnc, os gwelwch yn dda.",
    },
}


def day_text(moment, language: str) -> str:
    """Thursday 26 November 2026, or dydd Iau 26 Tachwedd 2026."""
    local = timezone.localtime(moment)
    if language == Language.WELSH:
        return f"{WELSH_DAYS[local.weekday()]} {local.day} {WELSH_MONTHS[local.month - 1]} {local.year}"
    return f"{local:%A} {local.day} {local:%B %Y}"


def site_link(tenant, name: str, **kwargs) -> str:
    """An absolute address on the tenant's own site, by BOROUGH_SITE_SCHEME and BOROUGH_SITE_PORT."""
    base = scope_memo(("tenant_base_url", tenant.pk), lambda: tenant_base_url(tenant)).split("://", 1)[1]
    path = reverse(name, urlconf=settings.BOROUGH_TENANT_URLCONF, kwargs=kwargs or None)
    port = f":{settings.BOROUGH_SITE_PORT}" if settings.BOROUGH_SITE_PORT else ""
    return f"{settings.BOROUGH_SITE_SCHEME}://{base}{port}{path}"


def survey_link(case, notification_settings: NotificationSettings) -> str:
    if notification_settings.survey_url:
        return notification_settings.survey_url.replace("((reference))", case.reference)
    return site_link(case.tenant, "portal:case_feedback", reference=case.reference)


def case_values(case, event: str, language: str, *, notification_settings, update: str = "") -> dict[str, str]:
    """The value of every placeholder `event`'s templates may use, for this case, in `language`."""
    person = case.requester
    values = {
        "name": person.display_name if person is not None and (person.given_name or person.family_name) else "",
        "reference": case.reference,
        "service": case.service.name,
        "council": case.tenant.name,
        "track_link": site_link(case.tenant, "portal:track"),
    }
    if event == Event.RECEIVED:
        values["due_date"] = day_text(case.due_at, language)
    elif event == Event.ASSIGNED:
        values["team"] = case.team.name if case.team_id else ""
    elif event == Event.UPDATE:
        values["update"] = update
    elif event == Event.SURVEY:
        values["survey_link"] = survey_link(case, notification_settings)
    return values


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str
    language: str  # "en", "cy", or "cy+en" for both, Welsh first


@dataclass(frozen=True)
class TextMessage:
    body: str
    language: str
    characters: int
    fragments: int
    encoding: str


@dataclass(frozen=True)
class _Part:
    language: str
    subject: str
    greeting: str
    paragraphs: list[str]
    words: dict[str, str]


def _part(case, event: str, language: str, values: dict[str, str]) -> _Part:
    template = template_for(case.tenant, event, NotifyChannel.EMAIL, language)
    words = WORDS[Language(language)]
    greeting = words["greeting"].format(name=values["name"]) if values["name"] else words["hello"]
    body = render(template.body, values).replace("\r\n", "\n")
    paragraphs = [paragraph.strip() for paragraph in body.split("\n\n") if paragraph.strip()]
    return _Part(language, render(template.subject, values).strip(), greeting, paragraphs, words)


def compose_email(case, event: str, languages: list[str], values: dict[str, dict[str, str]]) -> Email:
    """The email in each of `languages` in turn (one section each); the subject joins theirs with a slash."""
    parts = [_part(case, event, language, values[language]) for language in languages]
    subject = " / ".join(dict.fromkeys(part.subject for part in parts))[:200]
    sections = ["\n\n".join([part.greeting, *part.paragraphs, case.tenant.name]) for part in parts]
    text = "\n\n----------\n\n".join(sections)
    html = render_to_string(
        "notifications/email/resident.html",
        {"tenant": case.tenant, "subject": subject, "parts": parts, "reference": case.reference},
    )
    return Email(subject, text, html, "+".join(languages))


def compose_sms(case, event: str, language: str, values: dict[str, str]) -> TextMessage:
    template = template_for(case.tenant, event, NotifyChannel.SMS, language)
    body = " ".join(render(template.body, values).split())  # one line: a text message has no paragraphs
    length = sms_length(body)
    return TextMessage(body, language, length.characters, length.fragments, length.encoding)


# Previews on the templates page, with made-up values.
SAMPLES = {
    Language.ENGLISH: {
        "name": "Jane Smith",
        "service": "Missed bin collection",
        "team": "Waste and recycling",
        "update": "We will collect your bin tomorrow.",
    },
    Language.WELSH: {
        "name": "Siân Jones",
        "service": "Casgliad bin a fethwyd",
        "team": "Gwastraff ac ailgylchu",
        "update": "Byddwn yn casglu eich bin yfory.",
    },
}


@dataclass(frozen=True)
class Preview:
    subject: str
    paragraphs: list[str]
    sms: TextMessage | None


def preview(tenant, event: str, channel: str, language: str, *, subject: str, body: str, notification_settings):
    """The message a resident would get from this (checked) subject and body, with sample values."""
    sample = SAMPLES[Language(language)]
    reference = f"{tenant.reference_prefix}-000123"
    values = {
        "name": sample["name"],
        "reference": reference,
        "service": sample["service"],
        "council": tenant.name,
        "track_link": site_link(tenant, "portal:track"),
        "due_date": day_text(timezone.now(), language),
        "team": sample["team"],
        "update": sample["update"],
    }
    if notification_settings.survey_url:
        values["survey_link"] = notification_settings.survey_url.replace("((reference))", reference)
    else:
        values["survey_link"] = site_link(tenant, "portal:case_feedback", reference=reference)
    if channel == NotifyChannel.SMS:
        text = " ".join(render(body, values).split())
        length = sms_length(text)
        return Preview("", [], TextMessage(text, language, length.characters, length.fragments, length.encoding))
    words = WORDS[Language(language)]
    paragraphs = [p.strip() for p in render(body, values).replace("\r\n", "\n").split("\n\n") if p.strip()]
    lines = [words["greeting"].format(name=values["name"]), *paragraphs, f"{words['reference']} {reference}"]
    return Preview(render(subject, values), [*lines, tenant.name], None)
