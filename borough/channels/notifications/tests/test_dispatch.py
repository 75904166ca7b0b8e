"""notify_resident: the channel (preference, contact points, consent), the language, the outbox and idempotency."""

import pytest
from django.core import mail

from borough.channels.notifications.events import Event
from borough.channels.notifications.services import notify_resident
from borough.channels.notifications.tests.conftest import case_for, consent, person
from borough.core.audit import Actor, acting_as
from borough.core.models import OutboxMessage
from borough.core.outbox import outbox_deliver
from borough.crm.models import Interaction
from borough.people.models import ContactPoint
from borough.tenancy.scope import tenant_scope

MOBILE = "07700 900123"


def notify(catalogue, case, event=Event.UPDATE, key="probe", **extra):
    with tenant_scope(catalogue["tenant"]), acting_as(Actor.system("test")):
        return notify_resident(case=case, event=event, key=key, update="We will collect it tomorrow.", **extra)


def sent(catalogue, key):
    with tenant_scope(catalogue["tenant"]):
        return OutboxMessage.objects.filter(idempotency_key__in=[key, f"{key}-sms"]).first()


@pytest.mark.parametrize(
    ("preferred", "email", "phone", "channel"),
    [
        ("email", "jane@example.org", MOBILE, "email"),
        ("sms", "jane@example.org", MOBILE, "sms"),
        ("sms", "jane@example.org", "", "email"),  # no phone: email
        ("sms", "jane@example.org", "01632 960000", "email"),  # a landline takes no text message
        ("email", "", MOBILE, "sms"),  # no email: a text message
        ("phone", "jane@example.org", MOBILE, "email"),  # telephone, post and web fall back to email first
        ("post", "", MOBILE, "sms"),
        ("web", "jane@example.org", "", "email"),
    ],
)
def test_the_channel_follows_the_preference_and_the_contact_points(catalogue, preferred, email, phone, channel):
    tenant = catalogue["tenant"]
    jane = person(tenant, email=email, phone=phone, preferred_channel=preferred)
    case = case_for(catalogue, jane)
    outcome = notify(catalogue, case)
    assert (outcome.sent, outcome.channel, outcome.language) == (True, channel, "en")
    message = sent(catalogue, "probe")
    with tenant_scope(tenant):
        contact = Interaction.objects.get(case=case, data__outbox_key=message.idempotency_key)
    assert contact.channel == channel and contact.direction == "out"
    if channel == "sms":
        assert (message.kind, message.idempotency_key) == ("sms.notify", "probe-sms")
        assert message.payload == {"to": "+447700900123", "body": contact.body}
        assert contact.body.startswith("Northfield District Council update on ")
        assert contact.data["fragments"] == 1 and contact.data["encoding"] == "GSM-7"
    else:
        assert message.kind == "email.smtp" and message.payload["to"] == [email]
        assert "We will collect it tomorrow." in message.payload["body"]
        assert contact.data["message_id"].startswith("<outbox.")  # replies thread by In-Reply-To


def test_no_contact_and_no_requester_are_reasons(catalogue):
    tenant = catalogue["tenant"]
    nobody = person(tenant, email="", phone="")
    outcome = notify(catalogue, case_for(catalogue, nobody))
    assert (outcome.sent, outcome.reason) == (False, "no email address; no mobile number")
    outcome = notify(catalogue, case_for(catalogue, None))
    assert (outcome.sent, outcome.reason) == (False, "no resident to tell")
    with tenant_scope(tenant):
        assert not OutboxMessage.objects.exists()
        assert not Interaction.objects.filter(direction="out").exists()


def test_withdrawn_consent_sends_nothing_and_says_why(catalogue):
    tenant = catalogue["tenant"]
    jane = person(tenant, phone=MOBILE, preferred_channel="sms")
    consent(tenant, jane, "sms_updates", False)  # STOP
    case = case_for(catalogue, jane)
    with tenant_scope(tenant):
        OutboxMessage.objects.all().delete()
    outcome = notify(catalogue, case)
    assert (outcome.sent, outcome.channel) == (False, "")
    assert outcome.reason == "consent to text message updates withdrawn; not chased by email after withdrawing consent"
    assert sent(catalogue, "probe") is None
    consent(tenant, jane, "email_updates", True)  # agreed to email positively: email it is
    assert notify(catalogue, case, key="probe-2").channel == "email"


def test_welsh_for_a_resident_who_prefers_it_where_the_tenant_is_bilingual(catalogue, settings_of):
    tenant = catalogue["tenant"]
    settings_of(bilingual=True)
    cymraeg = person(tenant, given_name="Siân", family_name="Jones", email="sian@example.org", preferred_language="cy")
    case = case_for(catalogue, cymraeg)
    with tenant_scope(tenant):
        ack = OutboxMessage.objects.get(idempotency_key=f"case-ack-{case.pk}")
        contact = Interaction.objects.get(case=case, direction="out")
    assert ack.payload["subject"] == f"Eich cyfeirnod {case.reference}: Missed bin collection"
    assert ack.payload["body"].startswith("Annwyl Siân Jones,\n\nDiolch am gysylltu. Mae Northfield District Council")
    assert "erbyn diwedd dydd " in ack.payload["body"] and "Dear" not in ack.payload["body"]
    assert '<html lang="cy">' in ack.payload["html"] and "Eich cyfeirnod:" in ack.payload["html"]
    assert contact.data["language"] == "cy"


def test_a_bilingual_tenant_emails_others_in_welsh_then_english_or_english_only(catalogue, settings_of):
    tenant = catalogue["tenant"]
    settings_of(bilingual=True)
    jane = person(tenant)
    case = case_for(catalogue, jane)
    with tenant_scope(tenant):
        ack = OutboxMessage.objects.get(idempotency_key=f"case-ack-{case.pk}")
    subject, body = ack.payload["subject"], ack.payload["body"]
    welsh, english = f"Eich cyfeirnod {case.reference}", f"Your reference {case.reference}"
    assert subject == f"{welsh}: Missed bin collection / {english}: Missed bin collection"
    assert body.index("Annwyl Jane Smith,") < body.index("Dear Jane Smith,")
    assert ack.payload["html"].index('lang="cy"', 20) < ack.payload["html"].index('lang="en"')
    settings_of(bilingual=True, both_languages_in_email=False)
    outcome = notify(catalogue, case)
    assert outcome.language == "en" and "Annwyl" not in sent(catalogue, "probe").payload["body"]


def test_a_welsh_text_message_and_english_only_tenants(catalogue, settings_of):
    tenant = catalogue["tenant"]
    cymraeg = person(tenant, email="", phone=MOBILE, preferred_channel="sms", preferred_language="cy")
    case = case_for(catalogue, cymraeg)
    assert notify(catalogue, case).language == "en"  # the tenant does not write in Welsh
    settings_of(bilingual=True)
    outcome = notify(catalogue, case, key="probe-cy")
    assert (outcome.channel, outcome.language) == ("sms", "cy")
    assert sent(catalogue, "probe-cy").payload["body"].startswith("Northfield District Council – diweddariad am ")


def test_the_same_event_twice_is_one_message_even_if_the_preference_changed(catalogue):
    tenant = catalogue["tenant"]
    jane = person(tenant, phone=MOBILE, preferred_channel="sms")
    case = case_for(catalogue, jane)
    first = notify(catalogue, case)
    with tenant_scope(tenant):
        jane.preferred_channel = "email"
        jane.save()
    again = notify(catalogue, case)
    assert (first.channel, again.channel, again.sent, again.reason) == ("sms", "sms", True, "already sent")
    with tenant_scope(tenant):
        assert OutboxMessage.objects.filter(idempotency_key__startswith="probe").count() == 1
        assert Interaction.objects.filter(case=case, data__outbox_key="probe-sms").count() == 1


def test_an_event_the_tenant_turned_off_sends_nothing(catalogue, settings_of):
    settings_of(events=["received"])
    case = case_for(catalogue, person(catalogue["tenant"]))
    outcome = notify(catalogue, case)
    assert (outcome.sent, outcome.reason) == (False, "update published notifications are off")
    assert sent(catalogue, "probe") is None


def test_an_address_the_outbox_refuses_is_a_reason_not_an_error(catalogue):
    tenant = catalogue["tenant"]
    jane = person(tenant, email="")
    with tenant_scope(tenant):
        ContactPoint.objects.create(tenant=tenant, person=jane, kind="email", value="x", normalised="not-an-address")
    outcome = notify(catalogue, case_for(catalogue, jane))
    assert not outcome.sent and outcome.reason == "refused: 'not-an-address' is not an email address."


def test_the_email_goes_out_through_the_outbox_with_its_message_id(catalogue, settings_of):
    tenant = catalogue["tenant"]
    settings_of(bilingual=True)
    case = case_for(catalogue, person(tenant, preferred_language="cy"))
    with tenant_scope(tenant):
        message = OutboxMessage.objects.get(idempotency_key=f"case-ack-{case.pk}")
        contact = Interaction.objects.get(case=case, direction="out")
        delivered = outbox_deliver(message=message)
    assert delivered.status == "sent"
    [email] = mail.outbox
    assert email.extra_headers["Message-ID"] == contact.data["message_id"]
    assert email.subject.startswith("Eich cyfeirnod") and email.alternatives[0][0].startswith("<!DOCTYPE html>")


def test_a_tenant_that_emails_through_notify_gets_the_notify_kind(catalogue):
    from borough.channels.notify.services import notify_account_configure

    tenant = catalogue["tenant"]
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        notify_account_configure(
            tenant=tenant,
            sms_template_id="f33517ff-2a88-4f6e-b855-c550268ce08a",
            email_template_id="a2f1b7d8-1c4e-4a55-9d8e-0b5b7e2f1c11",
            email_via_notify=True,
            callback_token="a-callback-token-for-tests",
        )
    case = case_for(catalogue, person(tenant))
    with tenant_scope(tenant):
        message = OutboxMessage.objects.get(idempotency_key=f"case-ack-{case.pk}")
        contact = Interaction.objects.get(case=case, direction="out")
    assert message.kind == "email.notify"
    assert "message_id" not in contact.data  # Notify sets its own Message-ID; replies thread by the reference
