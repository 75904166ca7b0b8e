"""The SMTP gateway (aiosmtpd): accepts mail for the tenants' mailboxes, stores each message in the spool before
answering "250", then hands it to ingestion. Unknown recipients are refused at RCPT (550), so nothing is accepted
that could not be delivered; if the database cannot be asked, the answer is 451 and the sender's server retries."""

import asyncio
import logging
import time
from collections.abc import Callable

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import DatabaseError, close_old_connections

from borough.channels.email.addresses import Recipient, recipient_for
from borough.channels.email.spool import spool_store

logger = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 35 * 1024 * 1024  # ten 2.5 MB photos, base64-encoded, and then some
RECIPIENT_CACHE_SECONDS = 30.0


def _with_fresh_connection(function, *args):
    """Run `function` in a worker thread the way a request runs: stale or broken connections are replaced."""
    close_old_connections()
    try:
        return function(*args)
    finally:
        close_old_connections()


class RecipientCache:
    """Recent answers of `recipient_for`, for RCPT only: a mailbox switched off goes on being accepted for up to
    RECIPIENT_CACHE_SECONDS, and ingestion (which asks again) holds what it then receives for review. Saves three
    queries and a thread hand-off per message when many arrive for the same mailboxes."""

    def __init__(self, seconds: float = RECIPIENT_CACHE_SECONDS, size: int = 10_000):
        self.seconds, self.size = seconds, size
        self._answers: dict[str, tuple[float, Recipient | None]] = {}

    def get(self, address: str) -> tuple[bool, Recipient | None]:
        found = self._answers.get(address.lower())
        if found is None or time.monotonic() - found[0] > self.seconds:
            return False, None
        return True, found[1]

    def put(self, address: str, recipient: Recipient | None) -> None:
        if len(self._answers) >= self.size:
            self._answers.clear()
        self._answers[address.lower()] = (time.monotonic(), recipient)


class GatewayHandler:
    def __init__(self, dispatch: Callable[[str], object]):
        self.dispatch = dispatch  # e.g. the Celery task's delay: ingestion happens after "250"
        self.recipients = RecipientCache()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options):
        try:
            known, recipient = self.recipients.get(address)
            if not known:
                recipient = await asyncio.to_thread(_with_fresh_connection, recipient_for, address)
                self.recipients.put(address, recipient)
        except DatabaseError:
            logger.exception("Recipient %s not checked: database unavailable", address)
            return "451 4.3.0 Cannot check the recipient just now; please try again later"
        if recipient is None:
            return "550 5.1.1 No such recipient here"
        if recipient.mailbox is None:
            return f"550 5.1.1 {recipient.tenant.name} has no mailbox called {address.partition('@')[0]}"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope):
        raw = envelope.original_content or b""
        peer = str(session.peer[0]) if session.peer else ""
        try:
            names = [
                await asyncio.to_thread(
                    spool_store, raw, envelope_from=envelope.mail_from or "", recipient=address, peer=peer
                )
                for address in envelope.rcpt_tos
            ]
        except OSError:
            logger.exception("Could not spool a message from %s", envelope.mail_from)
            return "451 4.3.0 Cannot store the message just now; please try again later"
        for name in names:
            try:
                await asyncio.to_thread(_with_fresh_connection, self.dispatch, name)
            except Exception:  # noqa: BLE001 - it is safe in the spool; the sweep ingests it later
                logger.exception("Spooled message %s not handed on; the spool sweep will ingest it", name)
        return "250 2.0.0 Message accepted"


def gateway_controller(
    dispatch: Callable[[str], object], *, host: str = "127.0.0.1", port: int = 2525, max_bytes: int = MAX_MESSAGE_BYTES
) -> Controller:
    """A started-on-demand gateway: `controller.start()` serves in a thread, `controller.stop()` ends it."""
    return Controller(
        GatewayHandler(dispatch),
        hostname=host,
        port=port,
        data_size_limit=max_bytes,
        decode_data=False,
        ident="Borough mail gateway",
    )
