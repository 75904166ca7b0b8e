"""Demo councils send text messages (and not email) through a local Notify stand-in, never the real service:
`borough channels_notify_standin --demo` runs it and prints the API key variables the workers need (ADR 0016).
The demo's keys and callback token are published, like the demo password."""

import os
import uuid

from borough.channels.notify.models import NotifyAccount
from borough.channels.notify.services import notify_account_configure

DEMO_STANDIN_URL = os.environ.get("BOROUGH_DEMO_NOTIFY_URL", "http://127.0.0.1:8026")
DEMO_CALLBACK_TOKEN = "demo-notify-callback-token"
DEMO_SLUGS = ("northfield", "southvale", "brightside")  # the demo tenants (borough/core/demo.py)
_NAMESPACE = uuid.UUID("6f1d3a52-3c4e-4b8e-9d0e-8a0c2b7f4e11")


def demo_api_key(slug: str) -> str:
    """The same key for a demo tenant every time, so the stand-in and the workers agree without sharing state."""
    return f"demo_{slug}-{uuid.uuid5(_NAMESPACE, slug + ':service')}-{uuid.uuid5(_NAMESPACE, slug + ':secret')}"


def notify_demo_seed(tenant) -> NotifyAccount:
    existing = NotifyAccount.objects.filter(tenant=tenant).first()
    if existing is not None:
        return existing
    return notify_account_configure(
        tenant=tenant,
        callback_token=DEMO_CALLBACK_TOKEN,
        base_url=DEMO_STANDIN_URL,
        sms_template_id=str(uuid.uuid5(_NAMESPACE, tenant.slug + ":sms")),
        email_template_id=str(uuid.uuid5(_NAMESPACE, tenant.slug + ":email")),
        email_via_notify=False,
    )
