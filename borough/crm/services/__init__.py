"""Every write to cases (DESIGN.md rule 4): validate everything first, then one transaction with the change, a
timeline entry (CaseEvent), an audit event, and side effects (emails) queued in the outbox.

Every channel creates cases through `case_create`: the portal, the desk, the API, Open311, and later email, SMS
and telephone. Functions that change a case lock its row and return the case as they left it: use the return
value, not the object passed in. Field problems are raised together as ValidationError({field: [messages]}).
"""

from borough.crm.services.attachments import case_add_attachment
from borough.crm.services.common import MAX_BODY, MAX_DESCRIPTION, case_event, primary_email
from borough.crm.services.create import case_create
from borough.crm.services.links import case_link, case_refer
from borough.crm.services.work import (
    case_add_note,
    case_add_resident_information,
    case_assign,
    case_publish_update,
    case_record_feedback,
    case_reopen,
    case_transition,
)

__all__ = [
    "MAX_BODY",
    "MAX_DESCRIPTION",
    "case_add_attachment",
    "case_add_note",
    "case_add_resident_information",
    "case_assign",
    "case_create",
    "case_event",
    "case_link",
    "case_publish_update",
    "case_record_feedback",
    "case_refer",
    "case_reopen",
    "case_transition",
    "primary_email",
]
