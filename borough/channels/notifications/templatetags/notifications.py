"""The status of a notification on the case timeline: {% notification_status contact timeline as sent %}."""

from django import template

from borough.channels.notifications.events import Event, Language
from borough.channels.notifications.selectors import delivery_status_of, outbox_statuses
from borough.channels.notifications.selectors import notification_status as status_of

register = template.Library()

LANGUAGE_NAMES = {"en": "English", "cy": "Welsh", "cy+en": "Welsh and English"}
TAG_CLASSES = {
    "queued": "govuk-tag--grey",
    "sent": "govuk-tag--blue",
    "delivered": "govuk-tag--green",
    "failed": "govuk-tag--yellow",
    "permanently failed": "govuk-tag--red",
}


@register.simple_tag(takes_context=True)
def notification_status(context, contact, timeline=()) -> dict:
    """Event, channel, language and status of an outbound contact sent through the outbox. The outbox statuses of
    every contact on the timeline are read in one query, the first time."""
    cache = context.render_context
    if "notification_statuses" not in cache:
        keys = [
            item.contact.data["outbox_key"]
            for item in timeline
            if getattr(item, "contact", None) is not None and (item.contact.data or {}).get("outbox_key")
        ]
        keys.append(contact.data["outbox_key"])
        cache["notification_statuses"] = outbox_statuses(contact.tenant_id, keys)
    data = contact.data or {}
    key = data["outbox_key"]
    outbox_status, outbox_delivery = cache["notification_statuses"].get(key, ("", ""))
    status = status_of(outbox_status, delivery_status_of(data) or outbox_delivery)
    event = data.get("event", "")
    return {
        "event": Event(event).label if event in Event.values else "",
        "channel": contact.get_channel_display(),
        "language": LANGUAGE_NAMES.get(data.get("language", ""), Language.ENGLISH.label),
        "status": status,
        "tag_class": TAG_CLASSES[status],
        "fragments": data.get("fragments"),
        "to": data.get("to", ""),
    }
