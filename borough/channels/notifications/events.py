"""The events a resident is told about, the placeholders each event's templates may use, and Borough's default
templates (data/default_templates.toml)."""

import tomllib
from functools import cache
from pathlib import Path

from django.db import models

DEFAULTS_FILE = Path(__file__).resolve().parent / "data" / "default_templates.toml"


class Event(models.TextChoices):
    RECEIVED = "received", "Request received"
    ASSIGNED = "assigned", "Request assigned to a team"
    UPDATE = "update", "Update published"
    WAITING = "waiting", "Waiting on the resident"
    RESOLVED = "resolved", "Request resolved"
    CLOSED = "closed", "Request closed"
    SURVEY = "survey", "Satisfaction survey"


class NotifyChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    WELSH = "cy", "Welsh"


# Every template may use these.
COMMON_PLACEHOLDERS = {
    "name": "the resident's name (may be empty)",
    "reference": "the case reference, e.g. NF-000123",
    "service": "the service the request is about",
    "council": "the council's name",
    "track_link": "the address of the page where the resident follows their request",
}
EVENT_PLACEHOLDERS = {
    Event.RECEIVED: {"due_date": "the day it is due, e.g. Thursday 26 November 2026 (in Welsh in Welsh)"},
    Event.ASSIGNED: {"team": "the team now dealing with it"},
    Event.UPDATE: {"update": "the update the officer published"},
    Event.WAITING: {},
    Event.RESOLVED: {},
    Event.CLOSED: {},
    Event.SURVEY: {"survey_link": "the address of the satisfaction survey"},
}
DEFAULT_EVENTS = [event for event in Event.values if event != Event.ASSIGNED]  # assigning is internal by default


def allowed_placeholders(event: str) -> dict[str, str]:
    """Name -> what it is, for `event`'s templates."""
    return {**COMMON_PLACEHOLDERS, **EVENT_PLACEHOLDERS[Event(event)]}


@cache
def _defaults() -> dict:
    with DEFAULTS_FILE.open("rb") as file:
        return tomllib.load(file)


def default_text(event: str, channel: str, language: str) -> dict[str, str]:
    """Borough's default {"subject", "body"} for the event, channel and language."""
    text = _defaults()[event][channel][language]
    return {"subject": text.get("subject", ""), "body": text["body"]}
