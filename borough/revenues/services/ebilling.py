"""E-billing: the taxpayer's choice to get bills by email instead of by post (one transaction, audited)."""

from django.db import transaction

from borough.core.audit import audit_record, snapshot
from borough.people.normalise import normalise_email
from borough.revenues.models import Account
from borough.revenues.services.common import Errors


@transaction.atomic
def ebilling_set(*, account: Account, email: str) -> Account:
    """Send this account's bills to `email` from now on; an empty `email` goes back to bills by post."""
    errors = Errors()
    email = email.strip() if isinstance(email, str) else ""
    if email:
        try:
            email = normalise_email(email)
        except ValueError:
            errors.add("email", "Enter an email address in the correct format, like name@example.com")
        if len(email) > Account._meta.get_field("ebilling_email").max_length:
            errors.add("email", "Use 254 characters or fewer")
    errors.raise_any()
    account = Account.objects.select_for_update().get(pk=account.pk)
    before = snapshot(account, ["ebilling_email"])
    if account.ebilling_email != email:
        account.ebilling_email = email
        account.save(update_fields=["ebilling_email"])
    audit_record(
        tenant=account.tenant,
        action="revenues.ebilling_set" if email else "revenues.ebilling_stop",
        obj=account,
        before=before,
        after=snapshot(account, ["ebilling_email"]),
    )
    return account
