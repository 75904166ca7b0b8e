"""Which case a reply belongs to: its reference in the subject (e.g. "Re: Your reference NFD-000123"), else a
Message-ID in its In-Reply-To or References headers that we know belongs to a case."""

import re

from borough.channels.email.parse import ParsedEmail
from borough.channels.models import EmailThread
from borough.core.inserts import insert_row
from borough.crm.models import Case


def reference_in(subject: str, prefix: str) -> str:
    match = re.search(rf"(?<![A-Z0-9]){re.escape(prefix.upper())}-(\d{{6,12}})(?!\d)", subject.upper())
    return f"{prefix.upper()}-{match.group(1)}" if match else ""


def case_for_reply(tenant, email: ParsedEmail) -> Case | None:
    reference = reference_in(email.subject, tenant.reference_prefix)
    if reference:
        case = Case.objects.filter(tenant=tenant, reference=reference).select_related("requester", "tenant").first()
        if case is not None:
            return case
    message_ids = [*email.in_reply_to, *reversed(email.references)]  # the nearest ancestor first
    if not message_ids:
        return None
    threads = {
        thread.message_id: thread.case
        for thread in EmailThread.objects.filter(tenant=tenant, message_id__in=message_ids).select_related(
            "case__requester", "case__tenant"
        )
    }
    return next((threads[message_id] for message_id in message_ids if message_id in threads), None)


def thread_remember(tenant, message_id: str, case: Case) -> None:
    """Remember that `message_id` belongs to `case` (a repeat is ignored)."""
    if message_id:
        insert_row(EmailThread(tenant=tenant, message_id=message_id[:500], case=case), ignore_conflicts=True)
