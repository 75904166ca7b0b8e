"""Annual billing's URLs' objects for the isolation sweep: a billing run of the tenant."""

from borough.core.models import Run
from borough.tenancy.sweep import sweep_factory


@sweep_factory("revenues_billing:run", "revenues_billing:progress")
def a_billing_run(tenant):
    run = Run.objects.create(
        tenant=tenant, kind="revenues.annual_billing", parameters={"financial_year": "2026-27", "dry_run": True}
    )
    return {"pk": run.pk}
