"""The revenues URLs' objects for the isolation sweep: each area registers its own factories (import them here)."""

import borough.revenues.tests.billing.sweep_factories  # noqa: F401
import borough.revenues.tests.payments.sweep_factories  # noqa: F401
import borough.revenues.tests.test_dd_staff_sweep_factories  # noqa: F401
import borough.revenues.tests.web.sweep_factories  # noqa: F401
