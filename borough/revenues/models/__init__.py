"""Revenues data, one module per job: properties and accounts, what reduces a charge, bills, money in and out,
and recovery. Import from here."""

from borough.revenues.models.billing import Bill
from borough.revenues.models.payments import (
    BacsFile,
    BacsRefund,
    BacsReport,
    BacsReportItem,
    DirectDebitMandate,
    LedgerEntry,
    PaymentFile,
    PaymentFileRow,
)
from borough.revenues.models.properties import (
    Account,
    AccountParty,
    BandHistory,
    Country,
    Dwelling,
    Hereditament,
    LiabilityPeriod,
    Parish,
    Precept,
    PropertyAddress,
    PropertyStatus,
    RevenuesSettings,
    ValueHistory,
    ValueSource,
    bands_for,
)
from borough.revenues.models.recovery import Arrangement, RecoveryAction, RecoveryHold
from borough.revenues.models.reductions import Reduction
from borough.revenues.models.search import AccountSearchKey

__all__ = [
    "Account",
    "AccountParty",
    "AccountSearchKey",
    "Arrangement",
    "BacsFile",
    "BacsRefund",
    "BacsReport",
    "BacsReportItem",
    "BandHistory",
    "Bill",
    "Country",
    "DirectDebitMandate",
    "Dwelling",
    "Hereditament",
    "LedgerEntry",
    "LiabilityPeriod",
    "Parish",
    "PaymentFile",
    "PaymentFileRow",
    "Precept",
    "PropertyAddress",
    "PropertyStatus",
    "RecoveryAction",
    "RecoveryHold",
    "Reduction",
    "RevenuesSettings",
    "ValueHistory",
    "ValueSource",
    "bands_for",
]
