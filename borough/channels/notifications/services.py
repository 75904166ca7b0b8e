"""Telling a resident about their case on the channel they prefer, in English or Welsh, through the outbox; and
the tenant administrator's writes to the settings and templates.

    outcome = notify_resident(case=case, event=Event.UPDATE, update=body, key=f"case-update-{event.pk}")
    event.data = {..., "notified": outcome.as_data()}
"""

import logging
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.channels.notifications.compose import case_values, compose_email, compose_sms
from borough.channels.notifications.events import Event, Language, NotifyChannel, allowed_placeholders
from borough.channels.notifications.models import NotificationSettings, NotificationTemplate
from borough.channels.notifications.placeholders import nested_conditional, unknown_placeholders
from borough.channels.notifications.selectors import notification_settings, settings_memo_key, template_memo_key
from borough.core.audit import audit_record, snapshot
from borough.core.inserts import insert_later
from borough.core.models import OutboxMessage
from borough.core.outbox import OUTBOX_HANDLERS, email_message_id, outbox_enqueue
from borough.crm.models import Interaction
from borough.people.models import Channel, Consent, ContactPoint, Person
from borough.people.services import person_consents_in_force
from borough.people.services.people import new_person_key
from borough.tenancy.scope import scope_memo_forget, scope_noted

logger = logging.getLogger(__name__)

SMS_KIND = "sms.notify"
CONSENT_FOR = {NotifyChannel.EMAIL: Consent.Purpose.EMAIL_UPDATES, NotifyChannel.SMS: Consent.Purpose.SMS_UPDATES}
# Which channels to try, in order, for each preferred channel. Telephone, post and the web cannot carry an
# automatic message, so those residents are emailed, or sent a text message when they gave no email address.
CHANNEL_ORDER = {
    Channel.EMAIL: (NotifyChannel.EMAIL, NotifyChannel.SMS),
    Channel.SMS: (NotifyChannel.SMS, NotifyChannel.EMAIL),
    Channel.PHONE: (NotifyChannel.EMAIL, NotifyChannel.SMS),
    Channel.POST: (NotifyChannel.EMAIL, NotifyChannel.SMS),
    Channel.WEB: (NotifyChannel.EMAIL, NotifyChannel.SMS),
}


@dataclass(frozen=True)
class Outcome:
    """What notify_resident did: sent (queued) on a channel in a language, or why nothing was sent."""

    event: str
    sent: bool
    channel: str = ""
    language: str = ""
    outbox_key: str = ""
    reason: str = ""

    def as_data(self) -> dict:
        # Plain strings (not the Event enum) so the data reads the same after a trip through JSON.
        return {
            name: str(value) if isinstance(value, str) else value for name, value in asdict(self).items() if value != ""
        }


def _email_kind(tenant) -> str:
    try:  # the GOV.UK Notify channel decides, per tenant, once it is installed
        from borough.channels.notify.services import email_outbox_kind
    except ImportError:
        return "email.smtp"
    return email_outbox_kind(tenant)


def _contact(person: Person, channel: str) -> str:
    """The person's primary email address, or primary mobile number (E.164), or ""."""
    kind = ContactPoint.Kind.EMAIL if channel == NotifyChannel.EMAIL else ContactPoint.Kind.PHONE
    noted = scope_noted(new_person_key(person))  # a person created in this request
    if noted is not None:
        points = sorted(
            (p for p in noted["contact_points"] if p.kind == kind), key=lambda p: not p.is_primary
        )  # in the order made
    else:
        points = ContactPoint.objects.filter(tenant_id=person.tenant_id, person=person, kind=kind)
        points = points.order_by("-is_primary", "id")
    for point in points:
        if kind == ContactPoint.Kind.EMAIL or not point.normalised.startswith("+44") or point.normalised[3:4] == "7":
            return point.normalised  # a UK number takes a text message only if it is a mobile (07...)
    return ""


def choose_channel(person: Person, consents: dict[str, bool]) -> tuple[str, str, str]:
    """(channel, address, "") to notify `person` on, or ("", "", why not).

    The preferred channel first (email or SMS), then the other; telephone, post and web fall back to email, then
    SMS. A channel needs a contact point (a UK number must be a mobile) and consent not withdrawn (no record is
    consent to messages about the resident's own request). A resident who withdrew consent on one channel is not
    chased on the other unless they have positively agreed to it.
    """
    reasons, withdrawn = [], False
    for channel in CHANNEL_ORDER.get(person.preferred_channel, CHANNEL_ORDER[Channel.EMAIL]):
        address = _contact(person, channel)
        consent = consents.get(CONSENT_FOR[channel])
        label = NotifyChannel(channel).label.lower()
        if not address:
            reasons.append(f"no {'email address' if channel == NotifyChannel.EMAIL else 'mobile number'}")
        elif consent is False:
            reasons.append(f"consent to {label} updates withdrawn")
            withdrawn = True
        elif withdrawn and consent is not True:
            reasons.append(f"not chased by {label} after withdrawing consent")
        else:
            return channel, address, ""
    return "", "", "; ".join(reasons)


def _languages(person: Person, channel: str, settings: NotificationSettings) -> list[str]:
    """Welsh to a resident who prefers it, where the tenant writes in Welsh. A bilingual tenant emails everyone else
    in both languages, Welsh first (Welsh Language Standards: Welsh not treated less favourably; we cannot tell an
    English preference from a preference never asked), unless it turned that off. A text message is charged by
    length, so it goes in one language."""
    if not settings.bilingual:
        return [Language.ENGLISH]
    if person.preferred_language == Language.WELSH:
        return [Language.WELSH]
    if channel == NotifyChannel.EMAIL and settings.both_languages_in_email:
        return [Language.WELSH, Language.ENGLISH]
    return [Language.ENGLISH]


def _already(case, event: str, key: str) -> Outcome | None:
    """The notification already queued for this event, if any, on whichever channel."""
    keys = [key, f"{key}-sms"]
    message = OutboxMessage.objects.filter(tenant_id=case.tenant_id, idempotency_key__in=keys).first()
    if message is None:
        return None
    contact = Interaction.objects.filter(
        tenant_id=case.tenant_id, case=case, direction=Interaction.Direction.OUTBOUND
    ).filter(data__outbox_key=message.idempotency_key)
    data = (contact.first().data or {}) if contact.exists() else {}
    channel = NotifyChannel.SMS if message.idempotency_key.endswith("-sms") else NotifyChannel.EMAIL
    return Outcome(event, True, channel, data.get("language", ""), message.idempotency_key, "already sent")


def _enqueue(*, tenant, kind: str, payload: dict, key: str) -> OutboxMessage:
    if kind in OUTBOX_HANDLERS:
        return outbox_enqueue(tenant=tenant, kind=kind, payload=payload, idempotency_key=key)
    # No handler yet for text messages (the GOV.UK Notify channel registers it): the message waits in the outbox
    # until one is, as borough.portal.services does for security codes.
    message, _ = OutboxMessage.objects.get_or_create(
        tenant=tenant, idempotency_key=key, defaults={"kind": kind, "payload": payload}
    )
    return message


def notify_resident(*, case, event: str, key: str, update: str = "", fresh: bool = False) -> Outcome:
    """Queue the message for `event` on `case` to its requester, inside the caller's transaction, with an outbound
    Interaction (channel, outbox_key, event, language); return what was done or why nothing was.

    `key` identifies the case event (e.g. f"case-update-{event.pk}"): the email goes under it, a text message under
    f"{key}-sms", and a second call with the same key sends nothing more (`fresh`: the key names a case or case event
    created in this transaction, so nothing can have been sent under it yet and the check is skipped). `update` is the
    text of a published
    update. Nothing is sent when the tenant turned the event off, there is no requester, the survey lacks the
    resident's consent to surveys, or no channel has both a contact point and consent (see choose_channel).
    """
    event = Event(event)
    settings = notification_settings(case.tenant)
    if not settings.is_on(event):
        return Outcome(event, False, reason=f"{event.label.lower()} notifications are off")
    person = case.requester
    if person is None or not person.is_active or person.anonymised_at is not None:
        return Outcome(event, False, reason="no resident to tell")
    already = None if fresh else _already(case, event, key)
    if already is not None:
        return already
    consents = person_consents_in_force(person=person)
    if event == Event.SURVEY and consents.get(Consent.Purpose.SURVEYS) is not True:
        return Outcome(event, False, reason="no consent to surveys")
    channel, address, reason = choose_channel(person, consents)
    if not channel:
        return Outcome(event, False, reason=reason)
    languages = _languages(person, channel, settings)
    values = {
        language: case_values(case, event, language, notification_settings=settings, update=update)
        for language in languages
    }
    try:
        if channel == NotifyChannel.EMAIL:
            return _send_email(case, event, key, address, languages, values)
        return _send_sms(case, event, f"{key}-sms", address, languages[0], values[languages[0]])
    except ValidationError as error:  # an address the provider's checks refuse: the case change still stands
        logger.warning("Notification %s for case %s refused: %s", key, case.pk, error.messages)
        return Outcome(event, False, channel, reason=f"refused: {'; '.join(error.messages)}")


def _record(case, event, channel, key, summary, body, data) -> None:
    insert_later(
        Interaction(
            tenant_id=case.tenant_id,
            person=case.requester,
            case=case,
            channel=Channel.EMAIL if channel == NotifyChannel.EMAIL else Channel.SMS,
            direction=Interaction.Direction.OUTBOUND,
            summary=summary[:200],
            body=body,
            data={"outbox_key": key, "event": event, **data},
        )
    )


def _send_email(case, event, key, address, languages, values) -> Outcome:
    email = compose_email(case, event, languages, values)
    kind = _email_kind(case.tenant)
    payload = {"to": [address], "subject": email.subject, "body": email.text, "html": email.html}
    queued = _enqueue(tenant=case.tenant, kind=kind, payload=payload, key=key)
    data = {"to": address, "language": email.language}
    if kind == "email.smtp":  # we set the Message-ID, so a reply's In-Reply-To finds the case (channels.receivers)
        data["message_id"] = email_message_id(case.tenant_id, key, queued.payload.get("from"))
    _record(case, event, NotifyChannel.EMAIL, key, email.subject, email.text, data)
    return Outcome(event, True, NotifyChannel.EMAIL, email.language, key)


def _send_sms(case, event, key, address, language, values) -> Outcome:
    message = compose_sms(case, event, language, values)
    _enqueue(tenant=case.tenant, kind=SMS_KIND, payload={"to": address, "body": message.body}, key=key)
    data = {
        "to": address,
        "language": language,
        "characters": message.characters,
        "fragments": message.fragments,
        "encoding": message.encoding,
    }
    _record(case, event, NotifyChannel.SMS, key, message.body, message.body, data)
    return Outcome(event, True, NotifyChannel.SMS, language, key)


# The tenant administrator's writes

SETTINGS_FIELDS = ("bilingual", "both_languages_in_email", "events", "survey_url")
TEMPLATE_FIELDS = ("subject", "body")


def _check_survey_url(value: str) -> str:
    value = (value or "").strip()
    if value and not value.startswith(("https://", "http://")):
        raise ValidationError({"survey_url": "Enter the survey's full address, starting with https://"})
    unknown = unknown_placeholders(value, ["reference"])
    if unknown:
        raise ValidationError({"survey_url": f"The survey address can only use ((reference)), not (({unknown[0]}))"})
    return value


@transaction.atomic
def notification_settings_update(
    *, tenant, bilingual: bool, both_languages_in_email: bool, events: list[str], survey_url: str = ""
) -> NotificationSettings:
    """Save the tenant's settings (made on first save)."""
    unknown = [event for event in events if event not in Event.values]
    if unknown:
        raise ValidationError({"events": f"Choose from: {', '.join(Event.values)}"})
    survey_url = _check_survey_url(survey_url)
    settings, _ = NotificationSettings.objects.select_for_update().get_or_create(tenant=tenant)
    before = snapshot(settings, SETTINGS_FIELDS)
    settings.bilingual, settings.both_languages_in_email = bool(bilingual), bool(both_languages_in_email)
    settings.events = [event for event in Event.values if event in events]
    settings.survey_url, settings.updated_at = survey_url, timezone.now()
    settings.save()
    scope_memo_forget(settings_memo_key(tenant))
    audit_record(
        tenant=tenant,
        action="notifications.settings",
        obj=settings,
        before=before,
        after=snapshot(settings, SETTINGS_FIELDS),
    )
    return settings


def check_template(*, event: str, channel: str, subject: str, body: str) -> dict[str, list[str]]:
    """Field messages for a template: a body, a subject for an email, only the event's placeholders."""
    errors: dict[str, list[str]] = {}
    allowed = allowed_placeholders(event)
    listed = ", ".join(f"(({name}))" for name in allowed)
    if not body.strip():
        errors["body"] = ["Enter the message"]
    if channel == NotifyChannel.EMAIL and not subject.strip():
        errors["subject"] = ["Enter the subject of the email"]
    for field, text in (("subject", subject), ("body", body)):
        unknown = unknown_placeholders(text, allowed)
        if unknown:
            names = ", ".join(f"(({name}))" for name in unknown)
            errors.setdefault(field, []).append(f"{names} cannot be used here. You can use: {listed}")
        elif nested := nested_conditional(text):
            errors.setdefault(field, []).append(
                f"Put no placeholder inside (({nested}??…)): its text is shown as it is"
            )
    return errors


@transaction.atomic
def notification_template_save(
    *, tenant, event: str, channel: str, language: str, subject: str, body: str, user=None
) -> NotificationTemplate:
    """Save the tenant's own wording for an event, channel and language (checked as check_template says)."""
    if event not in Event.values or channel not in NotifyChannel.values or language not in Language.values:
        raise ValidationError({"body": "There is no such template"})
    subject = " ".join((subject or "").split()) if channel == NotifyChannel.EMAIL else ""
    body = (body or "").replace("\r\n", "\n").strip()
    errors = check_template(event=event, channel=channel, subject=subject, body=body)
    if errors:
        raise ValidationError(errors)
    template = NotificationTemplate.objects.select_for_update().filter(
        tenant=tenant, event=event, channel=channel, language=language
    ).first() or NotificationTemplate(tenant=tenant, event=event, channel=channel, language=language)
    before = snapshot(template, TEMPLATE_FIELDS) if template.pk else None
    template.subject, template.body, template.updated_by, template.updated_at = subject, body, user, timezone.now()
    template.save()
    scope_memo_forget(template_memo_key(tenant, event, channel, language))
    audit_record(
        tenant=tenant,
        action="notifications.template_save",
        obj=template,
        before=before,
        after=snapshot(template, TEMPLATE_FIELDS),
    )
    return template


@transaction.atomic
def notification_template_reset(*, tenant, event: str, channel: str, language: str) -> bool:
    """Go back to Borough's default wording; False when the tenant had none of its own."""
    template = NotificationTemplate.objects.filter(
        tenant=tenant, event=event, channel=channel, language=language
    ).first()
    if template is None:
        return False
    audit_record(
        tenant=tenant, action="notifications.template_reset", obj=template, before=snapshot(template, TEMPLATE_FIELDS)
    )
    template.delete()
    scope_memo_forget(template_memo_key(tenant, event, channel, language))
    return True
