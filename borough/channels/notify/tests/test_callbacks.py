"""Notify's callbacks, posted to the tenant's host with the documented bodies: delivery receipts update the outbox
message and the Interaction; received texts are stored, then STOP/START change consent, a reply joins the sender's
open case, a keyword opens a case, anything else waits for review. Forged tokens, bad JSON, unknown numbers: a
clear answer each time, never a 500."""

import json
import uuid

import pytest

from borough.channels.notify.models import InboundSms
from borough.channels.notify.services import notify_account_configure
from borough.channels.notify.tests.conftest import CALLBACK_TOKEN, INBOUND_NUMBER
from borough.core.audit import Actor, acting_as
from borough.core.models import OutboxMessage
from borough.core.outbox import outbox_deliver, outbox_enqueue
from borough.crm.models import Case, CaseEvent, Interaction
from borough.crm.services import case_create
from borough.crm.tests.case_factories import make_service, make_team
from borough.people.models import Channel, Consent, ContactPoint, Person
from borough.people.services import person_consents_in_force, person_create
from borough.tenancy.scope import tenant_scope

DELIVERY = "/callbacks/notify/delivery-status"
INBOUND = "/callbacks/notify/inbound-sms"
JANE = "07700 900123"


@pytest.fixture
def post(client_for, tenant_a):
    client = client_for(tenant_a)

    def send(path, body, token=CALLBACK_TOKEN, raw=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
        data = raw if raw is not None else json.dumps(body)
        return client.post(path, data=data, content_type="application/json", **headers)

    return send


@pytest.fixture
def bins(tenant_a):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        team = make_team(tenant_a, "waste", "Waste")
        return make_service(tenant_a, "missed-bin", name="Missed bin", keywords="bin, bins", team=team)


@pytest.fixture
def jane(tenant_a):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        return person_create(tenant=tenant_a, given_name="Jane", family_name="Doe", phone=JANE)


def inbound(message, source="447700900123", destination=INBOUND_NUMBER):
    from borough.channels.notify.standin import NotifyStandIn

    return NotifyStandIn.inbound_sms(source_number=source, message=message, destination_number=destination)


# -- delivery receipts --------------------------------------------------------------------------------------------


@pytest.fixture
def sent_text(tenant_a, notify_account, notify_standin):
    """A text sent through the outbox to the stand-in, with its outbound Interaction."""
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        message = outbox_enqueue(
            tenant=tenant_a, kind="sms.notify", payload={"to": JANE, "body": "Hello"}, idempotency_key="case-1-sms"
        )
        Interaction.objects.create(
            tenant=tenant_a,
            channel=Channel.SMS,
            direction=Interaction.Direction.OUTBOUND,
            summary="Hello",
            data={"outbox_key": "case-1-sms"},
        )
        message = outbox_deliver(message=message)
    assert message.status == OutboxMessage.Status.SENT, message.last_error
    return message.result["notification_id"]


def test_a_delivery_receipt_updates_the_message_and_the_interaction(post, tenant_a, notify_standin, sent_text):
    receipt = notify_standin.delivery_receipt(sent_text, "delivered")
    answer = post(DELIVERY, receipt)
    assert answer.status_code == 200 and answer.json()["outcome"] == "recorded"
    with tenant_scope(tenant_a):
        message = OutboxMessage.objects.get(idempotency_key="case-1-sms")
        interaction = Interaction.objects.get(data__outbox_key="case-1-sms")
    assert message.result["delivery_status"] == "delivered"
    assert message.result["deliveries"][sent_text]["completed_at"] == receipt["completed_at"]
    assert message.result["notification_id"] == sent_text  # what the delivery recorded stays
    assert interaction.data["delivery"]["status"] == "delivered"
    assert interaction.data["delivery"]["completed_at"] == receipt["completed_at"]


def test_a_repeated_or_older_receipt_changes_nothing(post, tenant_a, notify_standin, sent_text):
    sending = notify_standin.delivery_receipt(sent_text, "sending")
    delivered = notify_standin.delivery_receipt(sent_text, "delivered")
    assert post(DELIVERY, delivered).json()["outcome"] == "recorded"
    assert post(DELIVERY, delivered).json()["outcome"] == "unchanged"
    late = post(DELIVERY, sending)  # arrives after the final one
    assert late.status_code == 200 and late.json()["outcome"] == "older"
    with tenant_scope(tenant_a):
        assert OutboxMessage.objects.get(idempotency_key="case-1-sms").result["delivery_status"] == "delivered"
        assert Interaction.objects.get(data__outbox_key="case-1-sms").data["delivery"]["status"] == "delivered"


def test_a_receipt_for_no_message_of_ours_is_answered_and_logged(post, notify_account, caplog):
    receipt = {
        "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
        "reference": "not-ours",
        "to": "+447700900123",
        "status": "delivered",
        "created_at": "2026-11-26T10:00:00.000000Z",
        "completed_at": "2026-11-26T10:00:05.000000Z",
        "sent_at": "2026-11-26T10:00:01.000000Z",
        "notification_type": "sms",
    }
    answer = post(DELIVERY, receipt)
    assert answer.status_code == 200 and answer.json()["outcome"] == "unknown"
    assert "not-ours" in caplog.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "delivered", "notification_type": "sms"}, "id"),
        ({"id": "x", "status": "arrived", "notification_type": "sms"}, "status"),
        ({"id": "x", "status": "delivered", "notification_type": "fax"}, "notification_type"),
        ({"id": "x", "status": "delivered", "notification_type": "sms", "reference": 7}, "reference"),
        (["a", "list"], "body"),
    ],
)
def test_a_malformed_receipt_gets_400_with_the_field(post, notify_account, body, field):
    answer = post(DELIVERY, body)
    assert answer.status_code == 400 and field in answer.json()["errors"]


# -- authentication and bad requests ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DELIVERY, INBOUND])
@pytest.mark.parametrize("token", [None, "", "forged-token-0123456789", CALLBACK_TOKEN + "x"])
def test_a_missing_or_forged_token_gets_401_and_stores_nothing(post, tenant_a, notify_account, path, token, caplog):
    answer = post(path, inbound("STOP"), token=token)
    assert answer.status_code == 401 and "token" in answer.json()["error"]
    assert "refused (401)" in caplog.text
    with tenant_scope(tenant_a):
        assert not InboundSms.objects.exists()


def test_another_tenants_token_does_not_open_this_tenant(post, tenant_b, notify_account):
    with tenant_scope(tenant_b), acting_as(Actor.system("test")):
        notify_account_configure(
            tenant=tenant_b, callback_token="southvale-token-0123456789", sms_template_id=str(uuid.uuid4())
        )
    assert post(INBOUND, inbound("hello"), token="southvale-token-0123456789").status_code == 401


def test_bad_json_gets_400(post, notify_account):
    answer = post(INBOUND, None, raw="{not json")
    assert answer.status_code == 400 and answer.json()["errors"] == {"body": "Send the documented JSON object"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": None}, "id"),
        ({"source_number": ""}, "source_number"),
        ({"message": 12}, "message"),
        ({"date_received": "yesterday"}, "date_received"),
    ],
)
def test_missing_or_bad_fields_get_400_with_field_messages(post, tenant_a, notify_account, change, field):
    answer = post(INBOUND, {**inbound("hello"), **change})
    assert answer.status_code == 400 and field in answer.json()["errors"]
    with tenant_scope(tenant_a):
        assert not InboundSms.objects.exists()


def test_a_tenant_without_notify_answers_404(post):
    answer = post(INBOUND, inbound("hello"))
    assert answer.status_code == 404 and "Notify" in answer.json()["error"]


def test_a_text_to_another_number_answers_404(post, tenant_a, notify_account):
    answer = post(INBOUND, inbound("hello", destination="07700900999"))
    assert answer.status_code == 404
    with tenant_scope(tenant_a):
        assert not InboundSms.objects.exists()


def test_an_unknown_host_answers_404(client, notify_account):
    answer = client.post(INBOUND, data="{}", content_type="application/json", HTTP_HOST="nowhere.localhost")
    assert answer.status_code == 404


def test_get_is_not_allowed(client_for, tenant_a, notify_account):
    assert client_for(tenant_a).get(INBOUND).status_code == 405


# -- received texts -----------------------------------------------------------------------------------------------


def test_stop_and_start_change_sms_consent(post, tenant_a, notify_account, notify_standin, jane):
    answer = post(INBOUND, inbound(" stop "))
    assert answer.status_code == 201 and answer.json()["outcome"] == "stopped"
    with tenant_scope(tenant_a):
        assert person_consents_in_force(person=jane)[Consent.Purpose.SMS_UPDATES] is False
        consent = Consent.objects.get(person=jane)
        assert consent.channel == Channel.SMS and "STOP" in consent.note
    answer = post(INBOUND, inbound("Start"))
    assert answer.json()["outcome"] == "started"
    with tenant_scope(tenant_a):
        assert person_consents_in_force(person=jane)[Consent.Purpose.SMS_UPDATES] is True
        record = InboundSms.objects.get(outcome=InboundSms.Outcome.STARTED)
        assert record.person == jane
        # A confirmation is queued to the number, and both texts are on Jane's timeline.
        confirmation = OutboxMessage.objects.get(idempotency_key=f"notify-start-{record.pk}")
        assert confirmation.kind == "sms.notify" and confirmation.payload["to"] == "+447700900123"
        inbound_texts = Interaction.objects.filter(person=jane, channel=Channel.SMS, direction="in")
        assert inbound_texts.count() == 2


def test_stop_inside_a_sentence_is_not_a_command(post, tenant_a, notify_account, jane):
    answer = post(INBOUND, inbound("please stop the noise next door"))
    assert answer.json()["outcome"] == "review"
    with tenant_scope(tenant_a):
        assert not Consent.objects.exists()


def test_stop_from_an_unknown_number_is_recorded(post, tenant_a, notify_account):
    answer = post(INBOUND, inbound("STOP", source="447700900999"))
    assert answer.json()["outcome"] == "stopped" and "No one has this number" in answer.json()["reason"]


def test_a_reply_joins_the_senders_most_recent_open_case(post, tenant_a, notify_account, bins, jane):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        older = case_create(tenant=tenant_a, service=bins, channel="phone", description="Bin missed", requester=jane)
        newer = case_create(tenant=tenant_a, service=bins, channel="phone", description="Again", requester=jane)
    answer = post(INBOUND, inbound("BIN still not collected, it is by the gate"))
    assert answer.status_code == 201 and answer.json()["outcome"] == "added_to_case"
    with tenant_scope(tenant_a):
        record = InboundSms.objects.get()
        assert record.case == newer and record.person == jane
        event = CaseEvent.objects.filter(case=newer, kind=CaseEvent.Kind.RESIDENT).get()
        assert event.body == "BIN still not collected, it is by the gate"
        texts = Interaction.objects.filter(case=newer, channel=Channel.SMS, direction="in")
        assert texts.count() == 1
        assert not CaseEvent.objects.filter(case=older, kind=CaseEvent.Kind.RESIDENT).exists()
        assert Case.objects.count() == 2  # the keyword did not open a third


def test_a_keyword_opens_a_case_for_a_new_sender(post, tenant_a, notify_account, bins):
    answer = post(INBOUND, inbound("BIN 12 High St, not collected", source="+447700900555"))
    assert answer.status_code == 201 and answer.json()["outcome"] == "case_created"
    with tenant_scope(tenant_a):
        case = Case.objects.get()
        assert case.service == bins and case.channel == "sms"
        assert case.description == "12 High St, not collected"
        person = case.requester
        assert ContactPoint.objects.get(person=person).normalised == "+447700900555"
        assert person.preferred_channel == Channel.SMS
        record = InboundSms.objects.get()
        assert record.case == case and record.person == person and record.segments == 1
        assert Interaction.objects.filter(case=case, channel=Channel.SMS, direction="in").count() == 1


def test_a_keyword_from_a_known_person_without_an_open_case_uses_that_person(
    post, tenant_a, notify_account, bins, jane
):
    post(INBOUND, inbound("bins: left out since Monday"))
    with tenant_scope(tenant_a):
        assert Case.objects.get().requester == jane
        assert Person.objects.count() == 1


def test_an_unknown_number_without_a_keyword_waits_for_review(post, tenant_a, notify_account, bins):
    answer = post(INBOUND, inbound("Hello, who is this?", source="447700900777"))
    assert answer.status_code == 201 and answer.json()["outcome"] == "review"
    assert "not a service keyword" in answer.json()["reason"]
    with tenant_scope(tenant_a):
        record = InboundSms.objects.get()
        assert record.phone == "+447700900777" and record.raw["message"] == "Hello, who is this?"
        interaction = Interaction.objects.get(channel=Channel.SMS)
        assert interaction.data["inbound_sms"] == record.pk and interaction.person is None


def test_an_unreadable_sender_waits_for_review(post, tenant_a, notify_account):
    answer = post(INBOUND, inbound("BIN 1 High St", source="COUNCIL"))
    assert answer.json()["outcome"] == "review" and "could not be read" in answer.json()["reason"]


def test_a_repeated_callback_is_stored_once(post, tenant_a, notify_account, bins):
    body = inbound("BIN 3 Low Rd")
    first, second = post(INBOUND, body), post(INBOUND, body)
    assert first.status_code == 201 and second.status_code == 200 and second.json()["repeat"] is True
    with tenant_scope(tenant_a):
        assert InboundSms.objects.count() == 1 and Case.objects.count() == 1


def test_a_case_that_cannot_be_opened_waits_for_review_with_the_reason(post, tenant_a, notify_account, bins):
    with tenant_scope(tenant_a):
        type(bins).objects.filter(pk=bins.pk).update(needs_location=True)
    answer = post(INBOUND, inbound("bin"))  # no address after the keyword
    assert answer.json()["outcome"] == "review" and "could not be opened" in answer.json()["reason"]
    with tenant_scope(tenant_a):
        assert not Case.objects.exists() and InboundSms.objects.count() == 1


def test_a_fault_while_processing_keeps_the_text_for_review(post, tenant_a, notify_account, monkeypatch):
    from borough.channels.notify import inbound as inbound_module

    def broken(record):
        raise RuntimeError("a bug")

    monkeypatch.setattr(inbound_module, "_decide", broken)
    answer = post(INBOUND, inbound("BIN 1 High St"))
    assert answer.status_code == 201 and answer.json()["outcome"] == "review"
    with tenant_scope(tenant_a):
        record = InboundSms.objects.get()
        assert record.message == "BIN 1 High St" and "Could not be processed" in record.reason
        assert Interaction.objects.get(channel=Channel.SMS).data["inbound_sms"] == record.pk


def test_a_later_final_status_replaces_an_earlier_one(post, tenant_a, notify_standin, sent_text):
    failed = {**notify_standin.delivery_receipt(sent_text, "temporary-failure"), "completed_at": "2026-11-26T10:00:00Z"}
    delivered = {**failed, "status": "delivered", "completed_at": "2026-11-26T11:00:00Z"}
    assert post(DELIVERY, failed).json()["outcome"] == "recorded"
    assert post(DELIVERY, delivered).json()["outcome"] == "recorded"
    assert post(DELIVERY, failed).json()["outcome"] == "older"  # the earlier final status, late
    with tenant_scope(tenant_a):
        assert Interaction.objects.get(data__outbox_key="case-1-sms").data["delivery"]["status"] == "delivered"
