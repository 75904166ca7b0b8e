"""GOV.UK Pay's webhook: signed with the tenant's secret (Pay-Signature, HMAC-SHA256 of the body)."""

import hashlib
import hmac
import json
from decimal import Decimal

import pytest

from borough.revenues.models import LedgerEntry, PaymentFile, PaymentFileRow
from borough.revenues.payments.card import secret_env_name
from borough.revenues.payments.services import payment_row_post
from borough.revenues.tests.factories import make_account

pytestmark = pytest.mark.django_db
URL = "/callbacks/pay/webhook"
SECRET = "webhook_live_abcdef0123456789"


@pytest.fixture
def signed(council, monkeypatch, client_for):
    monkeypatch.setenv(secret_env_name(council), SECRET)
    client = client_for(council)

    def post(payload, secret=SECRET, body=None):
        body = body if body is not None else json.dumps(payload).encode()
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return client.post(URL, body, content_type="application/json", HTTP_PAY_SIGNATURE=signature)

    return post


def event(reference, payment_id="hu20sqlact5260q2nanm0q8u93", amount=12550, event_type="card_payment_succeeded"):
    return {
        "webhook_message_id": "123abc",
        "created_date": "2026-04-09T10:15:00.000Z",
        "resource_id": payment_id,
        "api_version": 1,
        "resource_type": "payment",
        "event_type": event_type,
        "resource": {
            "payment_id": payment_id,
            "amount": amount,
            "reference": reference,
            "description": "Council tax",
            "metadata": {"financial_year": "2026-27"},
            "state": {"status": "success", "finished": True},
            "created_date": "2026-04-09T10:14:00.000Z",
        },
    }


def test_a_signed_payment_is_posted_once(council, signed):
    account = make_account(council)
    response = signed(event(account.number))
    assert response.status_code == 200 and response.json() == {"outcome": "posted"}
    entry = LedgerEntry.objects.get()
    assert (entry.account, entry.amount, entry.method) == (account, Decimal("-125.50"), "card")
    assert entry.source_key == "govuk-pay:hu20sqlact5260q2nanm0q8u93" and entry.financial_year == "2026-27"
    assert signed(event(account.number)).json() == {"outcome": "posted"}  # GOV.UK Pay's retry
    assert LedgerEntry.objects.count() == 1 and PaymentFileRow.objects.count() == 1
    day = PaymentFile.objects.get()
    assert (day.source, day.rows_posted, day.total_posted) == ("card", 1, Decimal("125.50"))


def test_a_forged_signature_is_refused(council, signed, client_for):
    account = make_account(council)
    assert signed(event(account.number), secret="not-the-secret").status_code == 401
    body = json.dumps(event(account.number)).encode()
    assert client_for(council).post(URL, body, content_type="application/json").status_code == 401
    assert not LedgerEntry.objects.exists()


def test_malformed_json_is_refused(council, signed):
    response = signed(None, body=b"{not json")
    assert response.status_code == 400 and response.json()["error"] == "The body is not JSON"
    bad = event("X", amount="12.50")
    response = signed(bad)
    assert response.status_code == 400 and "resource.amount" in response.json()["errors"]


def test_an_unknown_reference_is_kept_for_review(council, signed):
    response = signed(event("WHO-IS-THIS", payment_id="p2"))
    assert response.status_code == 200 and response.json()["outcome"] == "held for review"
    row = PaymentFileRow.objects.get()
    assert row.status == "rejected" and row.values["payment_id"] == "p2" and row.values["amount"] == "125.50"
    account = make_account(council)
    payment_row_post(row=row, account=account, note="Reference mistyped")
    assert LedgerEntry.objects.get().account == account


def test_other_events_are_acknowledged_and_ignored(council, signed):
    response = signed(event("X", event_type="card_payment_captured"))
    assert response.status_code == 200 and response.json() == {"outcome": "ignored"}
    assert not PaymentFileRow.objects.exists()


def test_a_site_without_a_secret_takes_no_webhooks(council, client_for, monkeypatch):
    monkeypatch.delenv(secret_env_name(council), raising=False)
    assert client_for(council).post(URL, b"{}", content_type="application/json").status_code == 404
