"""sms.notify and email.notify delivered through the outbox to the Notify stand-in: the reference is the outbox
key, the result records the Notify id and the SMS length, a message that may have reached Notify already is never
sent twice, and a tenant without a key or an account gets a clear, retried error."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from borough.channels.notify.outbox import deliver_sms, notify_recover
from borough.channels.notify.services import api_key_env_name, email_outbox_kind, notify_account_configure
from borough.channels.notify.tests.conftest import EMAIL_TEMPLATE, SMS_TEMPLATE
from borough.core.models import OutboxMessage, UsageRecord
from borough.core.outbox import outbox_deliver, outbox_enqueue
from borough.crm.models import Interaction
from borough.people.models import Channel

SMS = {"to": "+447700900123", "body": "Your security code is 123456. It expires in 10 minutes."}
EMAIL = {"to": ["ann@example.org", "bob@example.org"], "subject": "Your case", "body": "We have it.", "html": "<p>x"}


def enqueue(tenant, kind="sms.notify", payload=SMS, key="portal-code-1") -> OutboxMessage:
    return outbox_enqueue(tenant=tenant, kind=kind, payload=payload, idempotency_key=key)


def test_a_text_goes_to_notify_with_the_key_as_reference_and_its_length_recorded(in_a, notify_account, notify_standin):
    message = outbox_deliver(message=enqueue(in_a))
    assert message.status == OutboxMessage.Status.SENT, message.last_error
    [sent] = notify_standin.sent("sms")
    assert sent["phone_number"] == "+447700900123" and sent["reference"] == "portal-code-1"
    assert sent["template"]["id"] == SMS_TEMPLATE and sent["body"] == SMS["body"]
    assert message.result["notification_id"] == sent["id"]
    assert message.result["sms"] == {"characters": 55, "units": 55, "encoding": "gsm7", "segments": 1}
    assert UsageRecord.objects.filter(service="channels.sms_segment").aggregate(total=Sum("quantity"))["total"] == 1


def test_a_long_unicode_text_counts_its_parts_on_the_interaction(in_a, notify_account, notify_standin):
    body = "Café Zoë: " + "x" * 100  # ë makes it UCS-2: 110 characters are two parts of 67
    Interaction.objects.create(
        tenant=in_a,
        channel=Channel.SMS,
        direction=Interaction.Direction.OUTBOUND,
        summary="A text",
        body=body,
        data={"outbox_key": "case-9-sms"},
    )
    message = outbox_deliver(message=enqueue(in_a, payload={"to": "07700 900123", "body": body}, key="case-9-sms"))
    assert message.result["sms"]["encoding"] == "ucs2" and message.result["sms"]["segments"] == 2
    interaction = Interaction.objects.get(data__outbox_key="case-9-sms")
    assert interaction.data["sms"]["segments"] == 2
    assert interaction.data["notify_id"] == notify_standin.sent()[0]["id"]
    assert UsageRecord.objects.filter(service="channels.sms_segment").aggregate(total=Sum("quantity"))["total"] == 2


def test_email_through_notify_goes_to_each_address_with_subject_and_body(in_a, notify_account, notify_standin):
    message = outbox_deliver(message=enqueue(in_a, kind="email.notify", payload=EMAIL, key="case-1-ack"))
    assert message.status == OutboxMessage.Status.SENT, message.last_error
    sent = notify_standin.sent("email")
    assert sorted(n["email_address"] for n in sent) == ["ann@example.org", "bob@example.org"]
    assert {(n["subject"], n["body"], n["reference"]) for n in sent} == {("Your case", "We have it.", "case-1-ack")}
    assert {n["template"]["id"] for n in sent} == {EMAIL_TEMPLATE}
    assert set(message.result["notifications"]) == {"ann@example.org", "bob@example.org"}


def test_the_tenant_chooses_notify_or_smtp_for_email(in_a, notify_standin, monkeypatch):
    from borough.channels.notify.tests.conftest import configure_notify

    assert email_outbox_kind(in_a) == "email.smtp"  # no account
    configure_notify(in_a, notify_standin, monkeypatch)
    assert email_outbox_kind(in_a) == "email.smtp"  # an account, but email stays on SMTP
    notify_account_configure(tenant=in_a, email_via_notify=True)
    assert email_outbox_kind(in_a) == "email.notify"
    notify_account_configure(tenant=in_a, email_via_notify=False)
    assert email_outbox_kind(in_a) == "email.smtp"


def test_a_message_notify_already_has_is_recovered_and_not_sent_again(in_a, notify_account, notify_standin):
    message = outbox_deliver(message=enqueue(in_a))
    first_id = message.result["notification_id"]
    # The worker died after Notify accepted it, before it recorded so: the lease ran out, the result is unknown.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, locked_until=timezone.now() - timedelta(seconds=1), result={}
    )
    message.refresh_from_db()
    assert notify_recover(message)["notification_id"] == first_id
    again = outbox_deliver(message=message)
    assert again.status == OutboxMessage.Status.SENT and again.result["notification_id"] == first_id
    assert again.result["recovered"] is True
    assert len(notify_standin.sent()) == 1
    posts = [r for r in notify_standin.requests if r["method"] == "POST"]
    assert len(posts) == 1
    assert UsageRecord.objects.filter(service="channels.sms_segment").aggregate(total=Sum("quantity"))["total"] == 1


def test_recover_finds_nothing_for_a_message_notify_never_got(in_a, notify_account, notify_standin):
    message = enqueue(in_a)
    assert notify_recover(message) is None


def test_a_retry_after_a_lost_answer_sends_only_to_who_lacks_it(in_a, notify_account, notify_standin):
    # Notify took the first address, then failed (500) on the second: the retry sends the second only.
    message = enqueue(in_a, kind="email.notify", payload=EMAIL, key="case-2-ack")
    original = notify_standin.answer

    calls = {"posts": 0}

    def second_post_fails(method, target, headers, raw):
        if method == "POST":
            calls["posts"] += 1
            if calls["posts"] == 2:
                return 500, {"status_code": 500, "errors": [{"error": "Exception", "message": "Internal error"}]}
        return original(method, target, headers, raw)

    notify_standin.answer = second_post_fails
    failed = outbox_deliver(message=message)
    assert failed.status == OutboxMessage.Status.FAILED and "500" in failed.last_error
    assert [n["email_address"] for n in notify_standin.sent()] == ["ann@example.org"]
    notify_standin.answer = original
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    sent = outbox_deliver(message=failed)
    assert sent.status == OutboxMessage.Status.SENT and sent.attempts == 2
    assert sorted(n["email_address"] for n in notify_standin.sent()) == ["ann@example.org", "bob@example.org"]


def test_a_missing_api_key_fails_with_a_clear_error_and_is_retried(in_a, notify_account, notify_standin, monkeypatch):
    monkeypatch.delenv(api_key_env_name(in_a))
    message = outbox_deliver(message=enqueue(in_a))
    assert message.status == OutboxMessage.Status.FAILED and message.next_attempt_at > timezone.now()
    assert "BOROUGH_NOTIFY_KEY_NORTHFIELD" in message.last_error and "empty" in message.last_error
    assert notify_standin.requests == []


def test_a_malformed_api_key_fails_clearly(in_a, notify_account, monkeypatch):
    monkeypatch.setenv(api_key_env_name(in_a), "not-a-key")
    message = outbox_deliver(message=enqueue(in_a))
    assert message.status == OutboxMessage.Status.FAILED and "does not look like a Notify API key" in message.last_error


def test_a_tenant_without_a_notify_account_fails_clearly(in_a):
    message = outbox_deliver(message=enqueue(in_a))
    assert message.status == OutboxMessage.Status.FAILED
    assert "has no active GOV.UK Notify account" in message.last_error


def test_a_refused_key_and_a_server_error_are_retried_with_notifys_reason(in_a, notify_account, notify_standin):
    notify_standin.fail_next(1)
    message = outbox_deliver(message=enqueue(in_a))
    assert message.status == OutboxMessage.Status.FAILED and "Notify refused to" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver(message=message).status == OutboxMessage.Status.SENT
    assert len(notify_standin.sent()) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"to": "01632 9600", "body": "x"}, "to"),
        ({"to": "not a number", "body": "x"}, "to"),
        ({"to": "", "body": "x"}, "to"),
        ({"to": "+447700900123", "body": "  "}, "body"),
        ({"to": "+447700900123", "body": "x" * 919}, "body"),
        ({"to": "+447700900123"}, "body"),
    ],
)
def test_a_bad_text_is_refused_when_queued(in_a, payload, field):
    with pytest.raises(ValidationError) as refused:
        enqueue(in_a, payload=payload)
    assert field in refused.value.message_dict
    assert not OutboxMessage.objects.exists()


def test_notify_refusing_the_number_is_a_clear_error_and_given_up_at_once(in_a, notify_account, notify_standin):
    # A number Borough accepts (a landline) that Notify will not text: no retry can change that.
    message = outbox_deliver(message=enqueue(in_a, payload={"to": "01632 960001", "body": "x"}))
    assert message.status == OutboxMessage.Status.DEAD and message.attempts == 1
    assert "Not a UK mobile number" in message.last_error


def test_deliver_sms_is_the_registered_handler():
    from borough.core.outbox import OUTBOX_HANDLERS

    assert OUTBOX_HANDLERS["sms.notify"].deliver is deliver_sms
    assert "email.notify" in OUTBOX_HANDLERS
