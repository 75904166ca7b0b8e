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
