"""The desk's case timeline shows each notification's channel, language and status."""

import re

from borough.channels.notifications.tests.conftest import case_for, person
from borough.core.models import OutboxMessage
from borough.crm.models import Interaction
from borough.tenancy.scope import tenant_scope


def statuses(response) -> list[str]:
    text = re.sub(r"\s+", " ", response.content.decode())
    return re.findall(r"Notification: ([^<]*?) <strong class=\"govuk-tag [^\"]*\">([^<]*)</strong>", text)


def test_each_notification_shows_channel_language_and_status(catalogue, settings_of, make_staff, client_for):
    tenant = catalogue["tenant"]
    settings_of(bilingual=True)
    agent = make_staff(tenant, roles=("crm.agent",))
    email_case = case_for(catalogue, person(tenant))
    text_case = case_for(
        catalogue, person(tenant, email="", phone="07700 900123", preferred_channel="sms", preferred_language="cy")
    )
    client = client_for(tenant, agent)

    def shown(case):
        response = client.get(f"/staff/crm/cases/{case.reference}/")
        assert response.status_code == 200
        return statuses(response)

    assert shown(email_case) == [("request received. Email in Welsh and English to jane.smith@example.org.", "Queued")]
    assert shown(text_case) == [
        ("request received. Text message in Welsh to +447700900123 (2 text messages).", "Queued")
    ]
    with tenant_scope(tenant):
        OutboxMessage.objects.filter(idempotency_key=f"case-ack-{email_case.pk}").update(status="sent")
        OutboxMessage.objects.filter(idempotency_key=f"case-ack-{text_case.pk}-sms").update(status="sent")
    assert shown(email_case)[0][1] == "Sent"
    # GOV.UK Notify's receipt (recorded by the notify channel on the Interaction) says more than "sent".
    with tenant_scope(tenant):
        contact = Interaction.objects.get(case=text_case, direction="out")
        contact.data = {**contact.data, "delivery_status": "delivered"}
        contact.save()
    assert shown(text_case)[0][1] == "Delivered"
    contact.data = {**contact.data, "delivery_status": "", "delivery": {"status": "permanent-failure"}}
    with tenant_scope(tenant):
        contact.save()
    assert shown(text_case)[0][1] == "Permanently failed"
    with tenant_scope(tenant):  # a receipt recorded only on the outbox message counts too
        contact.data = {key: value for key, value in contact.data.items() if key not in ("delivery", "delivery_status")}
        contact.save()
        OutboxMessage.objects.filter(idempotency_key=f"case-ack-{text_case.pk}-sms").update(
            result={"delivery_status": "temporary-failure"}
        )
    assert shown(text_case)[0][1] == "Failed"
    with tenant_scope(tenant):
        OutboxMessage.objects.filter(idempotency_key=f"case-ack-{email_case.pk}").update(status="failed")
    assert shown(email_case)[0][1] == "Failed"
    with tenant_scope(tenant):
        OutboxMessage.objects.filter(idempotency_key=f"case-ack-{email_case.pk}").update(status="dead")
    assert shown(email_case)[0][1] == "Permanently failed"
