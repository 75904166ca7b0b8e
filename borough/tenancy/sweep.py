"""The isolation sweep's registry: how to make, in a given tenant, the object a parameterised URL points at.

Each app that has URLs with parameters registers a factory per URL name in `<app>/tests/sweep_factories.py`:

    @sweep_factory("runs:detail", "runs:progress")
    def a_run(tenant):
        return {"pk": Run.objects.create(tenant=tenant, kind="core.audit_export").pk}

The sweep (borough/tenancy/tests/test_isolation_sweep.py) fails for any parameterised URL without one, so a new
module cannot be left out. Factories run inside the tenant's scope.
"""

from collections.abc import Callable
from typing import Any

SweepFactory = Callable[[Any], dict[str, Any]]
SWEEP_FACTORIES: dict[str, SweepFactory] = {}


def sweep_factory(*url_names: str) -> Callable[[SweepFactory], SweepFactory]:
    def register(factory: SweepFactory) -> SweepFactory:
        for name in url_names:
            SWEEP_FACTORIES[name] = factory
        return factory

    return register
