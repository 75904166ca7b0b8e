"""Writes to revenues properties and accounts: each validates, writes in one transaction and records an audit event.

A bad value raises ValidationError naming the field, before anything is written. The VOA list import is in
borough.revenues.voa.importer and calls these.
"""

from borough.revenues.services.accounts import (
    account_move_out,
    account_open,
    account_party_add,
    account_party_link_person,
    liability_period_add,
)
from borough.revenues.services.charges import precept_set
from borough.revenues.services.common import ACCOUNT_SEQUENCE, Errors
from borough.revenues.services.properties import (
    dwelling_create,
    dwelling_delete,
    dwelling_update,
    hereditament_delete,
    hereditament_save,
    parish_create,
)
from borough.revenues.services.reductions import council_tax_reduction_award, reduction_add, reduction_end

__all__ = [
    "ACCOUNT_SEQUENCE",
    "Errors",
    "account_move_out",
    "account_open",
    "account_party_add",
    "account_party_link_person",
    "council_tax_reduction_award",
    "dwelling_create",
    "dwelling_delete",
    "dwelling_update",
    "hereditament_delete",
    "hereditament_save",
    "liability_period_add",
    "parish_create",
    "precept_set",
    "reduction_add",
    "reduction_end",
]
