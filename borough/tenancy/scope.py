"""Entering and leaving a tenant scope: the only way tenant-owned data is reached.

A scope does two things at once (DESIGN.md rule 1): it activates the django-scopes dimension `tenant`, so the ORM's
default managers filter by it and raise outside it, and it tells PostgreSQL which tenant this connection acts for,
so the row-level security policies show and accept only that tenant's rows.

Only the entry points call `tenant_scope`: the request middleware, the API key authentication, the Celery task base,
the management command base, and the provider console's pages about one tenant. `all_tenants_scope` is the
provider's explicit cross-tenant path, entered through `borough.provider.cross_tenant.cross_tenant_report`.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django_scopes import ScopeError, get_scope, scope, scopes_disabled

from borough.tenancy.kept import forget, kept

# What the database connections of this thread/task must act for: a tenant id, ALL_TENANTS, or None (nothing).
ALL_TENANTS = "all"
database_tenant: ContextVar[int | str | None] = ContextVar("database_tenant", default=None)
# Small per-scope memos (e.g. a tenant's settings row), dropped when the scope is left: see scope_memo.
_memos: ContextVar[dict[Hashable, Any] | None] = ContextVar("scope_memos", default=None)


@contextmanager
def _database_acts_for(value: int | str | None) -> Iterator[None]:
    # Nothing is sent here: each connection sets itself just before its next statement (borough.tenancy.db).
    token = database_tenant.set(value)
    try:
        yield
    finally:
        database_tenant.reset(token)


@contextmanager
def tenant_scope(tenant) -> Iterator[None]:
    """Act for one tenant (a Tenant or its id) in the ORM and in the database."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    outer = _memos.get()
    # A scope of the same tenant inside another shares its memos, so that forgetting one forgets it for both.
    memos = _memos.set(outer if outer is not None and database_tenant.get() == tenant_id else {})
    try:
        with scope(tenant=tenant_id), _database_acts_for(tenant_id):
            yield
    finally:
        _memos.reset(memos)


@contextmanager
def all_tenants_scope() -> Iterator[None]:
    """Cross-tenant access for the provider's reports: audited by its caller in borough.provider."""
    with scopes_disabled(), _database_acts_for(ALL_TENANTS):
        yield


@contextmanager
def no_tenant_scope() -> Iterator[None]:
    """Explicitly act for no tenant (e.g. inside a provider request): tenant-owned queries raise or see nothing."""
    with _database_acts_for(None):
        yield


def reads_of_tenant_allowed(tenant_id: int) -> bool:
    """For a query written by hand (e.g. borough.core.inserts.fetch_prepared), the check the scoped managers make:
    outside a tenant scope it raises ScopeError; in another tenant's scope it is False (the ORM would find nothing);
    else True. Row-level security still applies on PostgreSQL."""
    current = get_scope()
    if not current.get("_enabled", True):
        return True
    if "tenant" not in current:
        raise ScopeError("A scope on dimension(s) tenant needs to be active for this query.")
    return current["tenant"] == tenant_id


def current_tenant_id() -> int | None:
    value = database_tenant.get()
    return value if isinstance(value, int) else None


def scope_memo[T](key: Hashable, load: Callable[[], T]) -> T:
    """`load()`, kept until the current tenant scope is left (a request, a task), so a row that several parts of
    one request read is read once; and kept by the process for the next requests too (`borough.tenancy.kept`, a
    few seconds). Outside a tenant scope nothing is kept. `key` names the tenant. Whoever changes what `load`
    reads calls `scope_memo_forget(key)`."""
    memos = _memos.get()
    if memos is None:
        return load()
    if key not in memos:
        memos[key] = kept(("scope_memo", key), load)
    return memos[key]


def scope_note(key: Hashable, value: Any) -> None:
    """Note `value` for the rest of the current scope only (never kept by the process): what a service just wrote,
    so that a later step of the same request need not read it back. `scope_memo_forget(key)` drops it."""
    memos = _memos.get()
    if memos is not None:
        memos[("note", key)] = value


def scope_noted(key: Hashable) -> Any:
    """What `scope_note` noted under `key` in the current scope, or None."""
    memos = _memos.get()
    return None if memos is None else memos.get(("note", key))


def scope_memo_forget(key: Hashable) -> None:
    forget(("scope_memo", key))
    memos = _memos.get()
    if memos is not None:
        memos.pop(key, None)
        memos.pop(("note", key), None)
