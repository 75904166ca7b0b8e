"""The revenues batch runs. Each lives with its area and registers itself (borough.core.runs.run_kind) when
imported here; `borough.core.runs` discovers this module."""

import borough.revenues.billing.runs  # noqa: F401  annual billing, re-billing
import borough.revenues.documents.print_run  # noqa: F401  the bill print file
import borough.revenues.payments.runs  # noqa: F401  direct debit collections
import borough.revenues.recovery.print_run  # noqa: F401  the recovery notices print file
import borough.revenues.recovery.runs  # noqa: F401  daily recovery
