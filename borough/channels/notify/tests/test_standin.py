"""The Notify stand-in speaks the v2 API as the real client uses it, and checks the client's JWT with the client
package's own functions: a good key sends, anything else is refused with Notify's error body."""

import time
import uuid

import jwt
import pytest
import requests
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from borough.channels.notify.standin import make_api_key, phone_problem

TEMPLATE = str(uuid.uuid4())


def client(standin, key=None):
    return NotificationsAPIClient(key or standin.api_key, base_url=standin.url, timeout=5)


def test_a_good_key_sends_and_the_notification_can_be_read_back(notify_standin):
    notify = client(notify_standin)
    answer = notify.send_sms_notification(
        "+447700900123", TEMPLATE, personalisation={"body": "Your bin is booked"}, reference="case-1-sms"
    )
    assert answer["reference"] == "case-1-sms" and answer["content"]["body"] == "Your bin is booked"
    assert answer["uri"] == f"{notify_standin.url}/v2/notifications/{answer['id']}"
    assert answer["template"]["id"] == TEMPLATE
    read = notify.get_notification_by_id(answer["id"])
    assert read["type"] == "sms" and read["phone_number"] == "+447700900123" and read["status"] == "created"
    listed = notify.get_all_notifications(reference="case-1-sms")["notifications"]
    assert [n["id"] for n in listed] == [answer["id"]]
    assert notify.get_all_notifications(reference="another")["notifications"] == []


def test_email_renders_subject_and_body(notify_standin):
    answer = client(notify_standin).send_email_notification(
        "ann@example.org", TEMPLATE, personalisation={"subject": "Hello", "body": "Text"}, reference="k"
    )
    assert answer["content"]["subject"] == "Hello" and answer["content"]["body"] == "Text"
    [sent] = notify_standin.sent("email")
    assert sent["email_address"] == "ann@example.org"


def test_a_registered_template_renders_its_placeholders_and_needs_them(notify_standin):
    notify_standin.add_template(TEMPLATE, body="Hi ((name)), ref ((ref))")
    answer = client(notify_standin).send_sms_notification(
        "07700900123", TEMPLATE, personalisation={"name": "Ann", "ref": "NFD-1"}
    )
    assert answer["content"]["body"] == "Hi Ann, ref NFD-1"
    with pytest.raises(HTTPError) as refused:
        client(notify_standin).send_sms_notification("07700900123", TEMPLATE, personalisation={"name": "Ann"})
    assert refused.value.status_code == 400
    assert refused.value.message == [{"error": "BadRequestError", "message": "Missing personalisation: ref"}]


def test_a_key_of_another_service_is_refused_with_403(notify_standin):
    with pytest.raises(HTTPError) as refused:
        client(notify_standin, make_api_key()).send_sms_notification("+447700900123", TEMPLATE)
    assert refused.value.status_code == 403
    assert refused.value.message == [{"error": "AuthError", "message": "Invalid token: service not found"}]
    assert notify_standin.sent() == []


def test_the_right_service_with_the_wrong_secret_is_refused(notify_standin):
    forged = notify_standin.api_key[:-36] + str(uuid.uuid4())
    with pytest.raises(HTTPError) as refused:
        client(notify_standin, forged).send_sms_notification("+447700900123", TEMPLATE)
    assert refused.value.status_code == 403 and "signature" in refused.value.message[0]["message"]


def test_an_old_token_and_no_token_are_refused(notify_standin):
    service_id, secret = notify_standin.api_key[-73:-37], notify_standin.api_key[-36:]
    old = jwt.encode({"iss": service_id, "iat": int(time.time()) - 120}, secret, algorithm="HS256")
    url = f"{notify_standin.url}/v2/notifications"
    expired = requests.get(url, headers={"Authorization": f"Bearer {old}"}, timeout=5)
    assert expired.status_code == 403 and expired.json()["errors"][0]["error"] == "AuthError"
    assert "expired" in expired.json()["errors"][0]["message"]
    missing = requests.get(url, timeout=5)
    assert missing.status_code == 401 and missing.json()["status_code"] == 401


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("07700 9001", "phone_number Not enough digits"),
        ("077009001234", "phone_number Too many digits"),
        ("01632 960001", "phone_number Not a UK mobile number"),
        ("07700 9OO123", "phone_number Must not contain letters or symbols"),
    ],
)
def test_bad_phone_numbers_get_notifys_validation_error(notify_standin, number, message):
    with pytest.raises(HTTPError) as refused:
        client(notify_standin).send_sms_notification(number, TEMPLATE, personalisation={"body": "x"})
    assert refused.value.status_code == 400
    assert refused.value.message == [{"error": "ValidationError", "message": message}]


@pytest.mark.parametrize(
    "number", ["+447700900123", "447700900123", "07700 900123", "0044 7700 900123", "+33612345678"]
)
def test_good_phone_numbers_pass(number):
    assert phone_problem(number) == ""


def test_fail_next_answers_500_then_recovers(notify_standin):
    notify_standin.fail_next(2)
    notify = client(notify_standin)
    for _ in range(2):
        with pytest.raises(HTTPError) as failed:
            notify.send_sms_notification("+447700900123", TEMPLATE, personalisation={"body": "x"})
        assert failed.value.status_code == 500
    assert notify.send_sms_notification("+447700900123", TEMPLATE, personalisation={"body": "x"})["id"]
    assert [r["status"] for r in notify_standin.requests] == [500, 500, 201]


def test_delivery_receipt_has_the_documented_fields(notify_standin):
    answer = client(notify_standin).send_sms_notification(
        "+447700900123", TEMPLATE, personalisation={"body": "x"}, reference="r"
    )
    receipt = notify_standin.delivery_receipt(answer["id"], "delivered")
    assert {"id", "reference", "to", "status", "created_at", "completed_at", "sent_at", "notification_type"} <= set(
        receipt
    )
    assert receipt["status"] == "delivered" and receipt["completed_at"] and receipt["reference"] == "r"


def test_it_is_fast_enough_for_the_benchmark(notify_standin):
    notify = client(notify_standin)
    started = time.monotonic()
    for number in range(100):
        notify.send_sms_notification("+447700900123", TEMPLATE, personalisation={"body": "x"}, reference=str(number))
    assert time.monotonic() - started < 2.0  # 200 a second and more, on one connection
