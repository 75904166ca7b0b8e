"""Small helpers that make revenues records through the services, as real code does."""

from datetime import date

from borough.revenues.services import account_open, dwelling_create

_counter = iter(range(1, 10**6))


def make_dwelling(tenant, **overrides):
    number = next(_counter)
    values = {
        "voa_reference": f"T{number:06d}",
        "address_line_1": f"{number} Test Street",
        "town": "Northfield",
        "postcode": "NF1 2AB",
        "band": "D",
        "band_effective_from": date(1993, 4, 1),
    }
    values.update(overrides)
    return dwelling_create(tenant=tenant, **values)


def make_account(tenant, dwelling=None, start=date(2026, 4, 1), names=("Ann Example",)):
    dwelling = dwelling or make_dwelling(tenant)
    return account_open(tenant=tenant, dwelling=dwelling, parties=[{"name": n} for n in names], start=start)
