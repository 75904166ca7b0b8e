"""Objects of a tenant that the channels URLs point at, for the isolation sweep (borough.tenancy.sweep)."""

from borough.channels.email.ingest import ingest_spooled
from borough.channels.email.spool import spool_store
from borough.tenancy.sweep import sweep_factory


@sweep_factory(
    "channels:review_detail",
    "channels:open_case",
    "channels:add_to_case",
    "channels:dismiss",
    "channels:original",
)
def an_email_for_review(tenant):
    raw = b"From: \r\nTo: probe@x\r\nSubject: Sweep probe\r\n\r\nUnreadable sender, so it waits for review.\r\n"
    record = ingest_spooled(spool_store(raw, envelope_from="", recipient=f"probe@{tenant.slug}.localhost"))
    return {"pk": record.pk}


@sweep_factory("channels:mailbox_edit", "channels:mailbox_switch")
def a_mailbox(tenant):
    from borough.channels.demo import channels_demo_seed

    return {"pk": channels_demo_seed(tenant).pk}


@sweep_factory("channels:imap_detail", "channels:imap_edit", "channels:imap_poll_now")
def an_imap_account(tenant):
    from borough.channels.demo import channels_demo_seed
    from borough.channels.models import ImapAccount

    account = ImapAccount.objects.create(
        tenant=tenant,
        mailbox=channels_demo_seed(tenant),
        host="imap.example.org",
        username=f"sweep@{tenant.slug}.example",
        secret_env=f"BOROUGH_IMAP_SECRET_{tenant.slug.upper()}__SWEEP",
    )
    return {"pk": account.pk}


@sweep_factory(
    "telephony:call",
    "telephony:take",
    "telephony:wrap_up",
    "telephony:caller",
    "telephony:link_person",
    "telephony:schedule_callback",
    "telephony:raise_case",
)
def a_call(tenant):
    from borough.channels.telephony.services import call_event_record

    call, _recorded, _warnings = call_event_record(
        tenant=tenant, call_id="sweep-probe", caller="07700 900999", called="01632 960000", state="ringing"
    )
    return {"pk": call.pk}


@sweep_factory("telephony:callback")
def a_call_back(tenant):
    from django.utils import timezone

    from borough.channels.telephony.services import callback_schedule

    return {"pk": callback_schedule(tenant=tenant, phone="07700 900999", due_at=timezone.now()).pk}


@sweep_factory("texts:review_detail", "texts:open_case", "texts:add_to_case", "texts:dismiss")
def a_text_for_review(tenant):
    from borough.channels.notify.inbound import inbound_sms_receive

    record, _created = inbound_sms_receive(
        tenant=tenant, payload={"id": "sweep-probe", "source_number": "SWEEP", "message": "Unreadable sender"}
    )
    return {"pk": record.pk}
