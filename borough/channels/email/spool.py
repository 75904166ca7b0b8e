"""The mail spool: each received message is written to disk, durably, before the gateway says "250 OK", so nothing
accepted is lost if the database is down or the process dies. `ingest` removes a file once its message is safely in
the database; the sweep task retries whatever is left.

Layout: <spool>/<name>.eml (the raw message) and <name>.json (the envelope), written to temporary names, flushed to
disk, then renamed, so a reader never sees half a message. The .json is renamed last: it marks a complete entry.
"""

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class SpooledMessage:
    name: str
    envelope_from: str
    recipient: str
    received_at: datetime
    peer: str

    def raw(self) -> bytes:
        return _raw_path(self.name).read_bytes()


def spool_dir() -> Path:
    path = Path(settings.BOROUGH_MAIL_SPOOL)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _raw_path(name: str) -> Path:
    return spool_dir() / f"{name}.eml"


def _envelope_path(name: str) -> Path:
    return spool_dir() / f"{name}.json"


def _write_durably(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def spool_store(raw: bytes, *, envelope_from: str, recipient: str, peer: str = "", name: str = "") -> str:
    """Store one message for one recipient; returns its spool name. A caller that may store the same message twice
    (the IMAP poller, after a crash) gives its own stable `name`: the repeat then replaces the entry, or is ingested
    as a no-op if the first was ingested already."""
    name = name or f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex}"
    _write_durably(_raw_path(name), raw)
    envelope = {
        "envelope_from": envelope_from,
        "recipient": recipient,
        "received_at": datetime.now(UTC).isoformat(),
        "peer": peer,
    }
    _write_durably(_envelope_path(name), json.dumps(envelope).encode())
    directory = os.open(spool_dir(), os.O_RDONLY)
    try:
        os.fsync(directory)  # the renames themselves survive a crash
    finally:
        os.close(directory)
    return name


def spool_read(name: str) -> SpooledMessage | None:
    """The spooled message, or None when it is gone (already ingested) or incomplete."""
    try:
        envelope = json.loads(_envelope_path(name).read_text())
    except FileNotFoundError:
        return None
    return SpooledMessage(
        name=name,
        envelope_from=envelope.get("envelope_from", ""),
        recipient=envelope["recipient"],
        received_at=datetime.fromisoformat(envelope["received_at"]),
        peer=envelope.get("peer", ""),
    )


def spool_remove(name: str) -> None:
    for path in (_envelope_path(name), _raw_path(name)):
        path.unlink(missing_ok=True)


def spool_waiting(older_than_seconds: float = 0) -> list[str]:
    """Names of complete entries, oldest first."""
    now = datetime.now(UTC).timestamp()
    names = []
    for path in sorted(spool_dir().glob("*.json")):
        if now - path.stat().st_mtime >= older_than_seconds:
            names.append(path.stem)
    return names
