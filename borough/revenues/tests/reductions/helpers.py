"""Helpers of the reductions tests: a business rates account made through the services, as real code does."""

from datetime import date

from borough.revenues.models import Hereditament
from borough.revenues.services import account_open, hereditament_save


def make_business_account(tenant, rateable_value=20000, start=date(2024, 1, 1), reference="B1"):
    hereditament_save(
        tenant=tenant,
        values={
            "voa_reference": reference,
            "address_line_1": "1 Mill Lane",
            "rateable_value": rateable_value,
            "value_effective_from": date(2023, 4, 1),
        },
    )
    shop = Hereditament.objects.get(voa_reference=reference)
    return account_open(tenant=tenant, hereditament=shop, parties=[{"name": "Mill Ltd"}], start=start)
