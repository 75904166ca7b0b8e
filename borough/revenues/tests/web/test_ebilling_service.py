"""ebilling_set: the account's email for bills, normalised, audited; an empty one goes back to post."""

import pytest
from django.core.exceptions import ValidationError

from borough.core.models import AuditEvent
from borough.revenues.models import Account
from borough.revenues.services.ebilling import ebilling_set
from borough.revenues.tests.factories import make_account


def test_opt_in_and_back_to_post_are_audited(council):
    account = make_account(council)
    assert ebilling_set(account=account, email=" Ann@Example.com ").ebilling_email == "ann@example.com"
    assert ebilling_set(account=account, email="").ebilling_email == ""
    events = list(AuditEvent.objects.filter(object_id=str(account.pk), action__startswith="revenues.ebilling"))
    assert [(e.action, e.changes) for e in reversed(events)] == [
        ("revenues.ebilling_set", {"ebilling_email": ["", "ann@example.com"]}),
        ("revenues.ebilling_stop", {"ebilling_email": ["ann@example.com", ""]}),
    ]


@pytest.mark.parametrize("email", ["ann@", "not an email", "a" * 250 + "@example.com"])
def test_a_bad_email_is_refused_and_nothing_changes(council, email):
    account = make_account(council)
    with pytest.raises(ValidationError) as raised:
        ebilling_set(account=account, email=email)
    assert "email" in raised.value.message_dict
    assert Account.objects.get(pk=account.pk).ebilling_email == ""
    assert not AuditEvent.objects.filter(action="revenues.ebilling_set").exists()
