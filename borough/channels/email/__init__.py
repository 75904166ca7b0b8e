"""The email channel: the SMTP gateway (and IMAP poller) store each message raw first, then `ingest` turns it into a
case, more information on a case, a message for review, or nothing (an automatic message)."""
