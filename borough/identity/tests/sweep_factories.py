"""Objects of a tenant that the identity URLs point at, for the isolation sweep (borough.tenancy.sweep)."""

from borough.core.audit import Actor, acting_as, audit_record
from borough.tenancy.sweep import sweep_factory


@sweep_factory("api-audit-event-detail")
def an_audit_event(tenant):
    with acting_as(Actor.system("sweep")):
        return {"pk": audit_record(tenant=tenant, action="sweep.probe", obj=tenant).pk}
