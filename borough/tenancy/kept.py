"""What a process keeps between requests: rows that almost every request reads and that rarely change (which
tenant a host name is, an API key, a tenant's service catalogue and settings). ADR 0020.

A kept value is served for at most `BOROUGH_CONFIG_CACHE_SECONDS` (0 keeps nothing). A change made through this
process's services is seen at once (they call `forget`); one made by another process is seen within that time.
Values read inside a transaction are kept only once it commits, so a rolled-back row is never served.
"""

import time
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.db import transaction

MAX_KEPT = 20_000  # far above any installation's tenants x settings; a bound, not a tuning knob
_kept: dict[Hashable, tuple[float, Any]] = {}
_MISSING = object()


def keep_seconds() -> float:
    return float(getattr(settings, "BOROUGH_CONFIG_CACHE_SECONDS", 0))


def kept_value(key: Hashable) -> Any:
    """The value kept under `key` and not yet expired, or `MISSING`."""
    entry = _kept.get(key)
    if entry is None or entry[0] <= time.monotonic():
        return _MISSING
    return entry[1]


def keep(key: Hashable, value: Any) -> None:
    seconds = keep_seconds()
    if seconds <= 0:
        return

    def store() -> None:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[key] = (time.monotonic() + seconds, value)

    transaction.on_commit(store)  # at once outside a transaction


def kept(key: Hashable, load: Callable[[], Any]) -> Any:
    """`load()`, or what it gave within the last `BOROUGH_CONFIG_CACHE_SECONDS`."""
    value = kept_value(key)
    if value is _MISSING:
        value = load()
        keep(key, value)
    return value


def forget(key: Hashable) -> None:
    _kept.pop(key, None)


def forget_all() -> None:
    _kept.clear()


MISSING = _MISSING
