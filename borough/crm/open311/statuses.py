"""Our case statuses in Open311's words: the spec's open/closed, and FixMyStreet's extended statuses."""

from borough.crm.models import Case

Status = Case.Status
CLOSED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})

# What a FixMyStreet user would call each of our statuses (FixMyStreet maps them onto its own states).
EXTENDED = {
    Status.NEW: "OPEN",
    Status.OPEN: "INVESTIGATING",
    Status.IN_PROGRESS: "IN_PROGRESS",
    Status.WAITING_ON_RESIDENT: "INVESTIGATING",
    Status.WAITING_ON_THIRD_PARTY: "ACTION_SCHEDULED",
    Status.RESOLVED: "FIXED",
    Status.CLOSED: "CLOSED",
}

# What a posted update's status asks of a case: to be open, or to be finished with.
ASKS_OPEN = frozenset(
    {"OPEN", "REOPEN", "CONFIRMED", "INVESTIGATING", "IN_PROGRESS", "ACTION_SCHEDULED", "FOR_TRIAGE", "PLANNED"}
)
ASKS_CLOSED = frozenset(
    {
        "CLOSED",
        "FIXED",
        "NO_FURTHER_ACTION",
        "DUPLICATE",
        "NOT_COUNCILS_RESPONSIBILITY",
        "INTERNAL_REFERRAL",
        "CANCELLED",
    }
)


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def extended_status(status: str, *, is_duplicate: bool = False) -> str:
    if is_duplicate and status in CLOSED_STATUSES:
        return "DUPLICATE"
    return EXTENDED.get(status, "OPEN")


def posted_status(value: str) -> str:
    """A posted status in FixMyStreet's spelling ("FIXED", "in progress", "action-scheduled" all read)."""
    return "_".join(value.strip().upper().replace("-", " ").split())
