"""The IMAP poller: for a tenant whose mail lives elsewhere, take each new message of an `ImapAccount`'s folder as if
it had been sent to the account's mailbox. For each message, in this order, so that a crash anywhere loses nothing:

1. store it in the spool (durably, as the SMTP gateway does), under a name made from the account and the message's
   bytes, so the same message taken twice (a crash before step 2 or 3) is the same spool entry and is ingested once;
2. mark it processed on the server: move it to the processed folder, or flag it \\Seen;
3. record its UID as taken;
4. hand the spool name on to ingestion (if that fails, the spool sweep ingests it later).

New messages are those with a UID above the last one taken. UIDs mean something only with the folder's
UIDVALIDITY: on the first poll, or when it changes (the folder was rebuilt), the poller takes the folder's unseen
messages instead, and accepts the new UIDVALIDITY once none are left. Problems are recorded on the account in plain
words (`last_error`) and logged, never raised, except a fault in Borough itself."""

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.parser import BytesHeaderParser
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from borough.channels.email.gateway import MAX_MESSAGE_BYTES
from borough.channels.email.imap_session import ImapProblem, ImapSession, imap_session
from borough.channels.email.spool import spool_store
from borough.channels.models import ImapAccount
from borough.core.audit import audit_record

logger = logging.getLogger(__name__)
MAX_MESSAGES_PER_POLL = 200
POLL_BUDGET_SECONDS = 300  # then stop taking messages; the next poll goes on
LEASE = timedelta(minutes=15)  # a poll that died without finishing no longer blocks the account after this
DUE_SLACK = timedelta(seconds=15)  # the beat runs every minute; a poll that took a few seconds is not a minute late


@dataclass
class ImapPollResult:
    spooled: list[str] = field(default_factory=list)
    error: str = ""
    notes: list[str] = field(default_factory=list)
    busy: bool = False  # another poll of the account was running: this one did nothing

    def summary(self) -> str:
        return "; ".join(part for part in (self.error, *self.notes) if part)


def imap_poll(
    account: ImapAccount, *, dispatch: Callable[[str], object] | None = None, limit: int = MAX_MESSAGES_PER_POLL
) -> ImapPollResult:
    """Take the account's new messages (at most `limit`), handing each spool name to `dispatch` (by default the
    `mail_ingest` task). Runs inside the account's tenant scope."""
    result = ImapPollResult()
    if not _take_lease(account):
        result.busy = True
        return result
    try:
        _check_routable(account)
        with imap_session(account) as session:
            _take_new_messages(account, session, dispatch or _ingest_later, limit, result)
    except ImapProblem as problem:
        result.error = str(problem)
    except Exception as error:
        result.error = f"Stopped by an unexpected error ({type(error).__name__}); see the log"
        raise
    finally:
        _finish(account, result)
    return result


def imap_poll_is_due(account: ImapAccount, now=None) -> bool:
    """Whether the account's poll interval has passed since its last poll (never polled: due)."""
    if account.last_polled_at is None:
        return True
    interval = timedelta(minutes=max(account.poll_interval_minutes, 1))
    return account.last_polled_at + interval - DUE_SLACK <= (now or timezone.now())


def imap_spool_name(account: ImapAccount, raw: bytes) -> str:
    """The same bytes from the same account always get the same name, so a repeat is ingested as a no-op."""
    return f"imap-{account.pk}-{hashlib.sha256(raw).hexdigest()[:32]}"


def _ingest_later(name: str) -> None:
    from borough.channels.tasks import mail_ingest  # the tasks module imports this one

    mail_ingest.delay(name)


def _check_routable(account: ImapAccount) -> None:
    """Mail taken for a tenant that cannot receive it would only be set aside: leave it on the server instead."""
    tenant = account.tenant
    if not tenant.is_active or not tenant.has_module("crm"):
        raise ImapProblem(f"{tenant.name} is suspended or does not use the CRM, so its mail is left on the server")
    if not account.mailbox.is_active:
        raise ImapProblem(f"The mailbox {account.mailbox.local_part} is switched off: its mail is left on the server")


def _take_new_messages(account, session: ImapSession, dispatch, limit: int, result: ImapPollResult) -> None:
    uidvalidity, uidnext = session.select(account.folder)
    restarting = uidvalidity != account.uidvalidity
    if restarting:
        uids = session.search("UNSEEN")
    else:
        uids = [uid for uid in session.search(f"UID {account.last_uid + 1}:*") if uid > account.last_uid]
    batch = uids[:limit]
    sizes = session.sizes(batch)
    deadline = time.monotonic() + POLL_BUDGET_SECONDS
    for count, uid in enumerate(batch):
        if time.monotonic() > deadline:
            result.notes.append(f"Stopped after {count} messages to let other work run; the next poll goes on")
            return
        _take_one(account, session, uid, sizes.get(uid, 0), restarting, dispatch, result)
    if restarting and len(uids) <= limit:
        highest = uidnext - 1 if uidnext else max(session.search("ALL"), default=0)
        _accept_uidvalidity(account, uidvalidity, max([highest, *batch]))


def _take_one(account, session: ImapSession, uid: int, size: int, restarting: bool, dispatch, result) -> None:
    name = ""
    if size > MAX_MESSAGE_BYTES:
        result.notes.append(
            f"Message {uid} is over the size limit ({size / 1_000_000:.1f} MB, at most "
            f"{MAX_MESSAGE_BYTES / 1_000_000:.0f} MB): left in the folder"
        )
    else:
        raw = session.fetch(uid)
        if raw is not None:  # None: deleted on the server since it was listed
            name = _spool(account, raw)
            if account.processed_folder:
                session.move(uid, account.processed_folder)
            else:
                session.mark_seen(uid)
            result.spooled.append(name)
    if not restarting:  # while restarting, \Seen (or the move) is the record: no UID of the new UIDVALIDITY yet
        ImapAccount.objects.filter(pk=account.pk, last_uid__lt=uid).update(last_uid=uid)
        account.last_uid = max(account.last_uid, uid)
    if name:
        try:
            dispatch(name)
        except Exception:  # noqa: BLE001 - it is safe in the spool; the sweep ingests it later
            logger.exception("IMAP message %s spooled as %s, not handed on: the spool sweep will ingest it", uid, name)


def _spool(account: ImapAccount, raw: bytes) -> str:
    recipient = f"{account.mailbox.local_part}@{account.tenant.slug}.{settings.BOROUGH_BASE_DOMAIN}"
    try:
        return spool_store(
            raw,
            envelope_from=_envelope_from(raw),
            recipient=recipient,
            peer=f"imap:{account.host}",
            name=imap_spool_name(account, raw),
        )
    except OSError as error:
        raise ImapProblem(f"A message could not be stored in the spool ({error.strerror or error})") from error


def _envelope_from(raw: bytes) -> str:
    """The sender's return path, as an SMTP envelope would give it: the Return-Path the delivering server added
    (empty for a bounce), else the From address."""
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    return_path = headers.get("Return-Path")
    if return_path is not None:
        return parseaddr(str(return_path))[1]
    return parseaddr(str(headers.get("From", "")))[1]


def _accept_uidvalidity(account: ImapAccount, uidvalidity: int, last_uid: int) -> None:
    before = {"uidvalidity": account.uidvalidity, "last_uid": account.last_uid}
    ImapAccount.objects.filter(pk=account.pk).update(uidvalidity=uidvalidity, last_uid=last_uid)
    account.uidvalidity, account.last_uid = uidvalidity, last_uid
    if before["uidvalidity"] is None:
        logger.info("IMAP account %s: first poll of %s took its unseen messages", account.pk, account.folder)
        return
    logger.warning(
        "IMAP account %s: UIDVALIDITY of %s changed from %s to %s; took its unseen messages again",
        account.pk,
        account.folder,
        before["uidvalidity"],
        uidvalidity,
    )
    audit_record(
        tenant=account.tenant,
        action="imap_account.restart",
        obj=account,
        before=before,
        after={"uidvalidity": uidvalidity, "last_uid": last_uid},
        detail={"reason": f"The folder {account.folder} was rebuilt on the server (its UIDVALIDITY changed)"},
    )


def _take_lease(account: ImapAccount) -> bool:
    now = timezone.now()
    free = Q(polling_since__isnull=True) | Q(polling_since__lt=now - LEASE)
    if not ImapAccount.objects.filter(free, pk=account.pk).update(polling_since=now):
        return False
    account.refresh_from_db(fields=["uidvalidity", "last_uid", "polling_since"])
    return True


def _finish(account: ImapAccount, result: ImapPollResult) -> None:
    account.last_polled_at = timezone.now()
    account.last_error = result.summary()[:500]
    account.last_taken = len(result.spooled)
    account.polling_since = None
    ImapAccount.objects.filter(pk=account.pk).update(
        last_polled_at=account.last_polled_at,
        last_error=account.last_error,
        last_taken=account.last_taken,
        polling_since=None,
    )
    if account.last_error:
        logger.warning("IMAP account %s (%s): %s", account.pk, account.tenant.slug, account.last_error)
