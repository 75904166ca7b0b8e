"""Whether a message was sent by a machine (an out-of-office reply, a bounce, a mailing list, our own mail coming
back): such messages never open a case and are never answered, so two auto-responders cannot talk forever."""

from collections.abc import Callable

from borough.channels.email.parse import ParsedEmail
from borough.core.outbox import LOOP_HEADER

BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
DAEMON_SENDERS = ("mailer-daemon@", "postmaster@", "no-reply@", "noreply@", "do-not-reply@", "donotreply@")


def automatic_reason(email: ParsedEmail, *, envelope_from: str, is_own: Callable[[str], bool]) -> str:
    """Why this message is automatic, in plain words, or "" for a message a person wrote."""
    auto_submitted = email.header("auto-submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Automatic reply (Auto-Submitted: {auto_submitted})"
    if email.header("precedence").lower() in BULK_PRECEDENCE:
        return f"Bulk or automatic mail (Precedence: {email.header('precedence').lower()})"
    if email.header("x-autoreply") or email.header("x-autorespond"):
        return "Automatic reply (X-Autoreply)"
    if any(word in email.header("x-auto-response-suppress").lower() for word in ("all", "oof", "autoreply")):
        return "Automatic message (X-Auto-Response-Suppress)"
    if email.header(LOOP_HEADER.lower()):
        return "One of our own emails came back (mail loop)"
    if envelope_from.strip() in ("", "<>"):
        return "Bounce or delivery report (empty return path)"
    if email.header("content-type").lower().startswith("multipart/report"):
        return "Delivery report"
    sender = email.from_address
    if sender.startswith(DAEMON_SENDERS) or envelope_from.lower().startswith(DAEMON_SENDERS):
        return f"Sent by a mail system ({sender or envelope_from})"
    if sender and is_own(sender):
        return "Sent from one of our own addresses (mail loop)"
    if email.header("list-id") or email.header("list-unsubscribe"):
        return "Mailing list message"
    return ""
