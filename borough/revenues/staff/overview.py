"""What the staff account page and the resident's account page show about money: the year's current bill, its
balance, arrears and instalments. The money rules (balance, oldest-first allocation, arrears) are payments'
(`payments/balances.py`); this only gathers them for a page."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from borough.revenues.models import Account, Bill
from borough.revenues.payments.balances import (
    InstalmentStatus,
    arrears,
    current_bill,
    instalments_status,
    year_balance,
)


@dataclass(frozen=True)
class InstalmentRow:
    due: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal

    @classmethod
    def of(cls, status: InstalmentStatus) -> "InstalmentRow":
        return cls(due=status.due, amount=status.amount, paid=status.paid, outstanding=status.outstanding)

    @property
    def state(self) -> str:
        if self.outstanding <= 0:
            return "paid"
        return "part paid" if self.paid > 0 else "due"


@dataclass(frozen=True)
class YearMoney:
    financial_year: str
    bill: Bill | None
    balance: Decimal
    arrears: Decimal
    instalments: tuple[InstalmentRow, ...]


def year_money(*, account: Account, financial_year: str, as_of: date) -> YearMoney:
    """The account's money for one year: its current bill, balance, arrears and instalments (paid or due)."""
    statuses = instalments_status(account=account, financial_year=financial_year, as_of=as_of)
    return YearMoney(
        financial_year=financial_year,
        bill=current_bill(account=account, financial_year=financial_year),
        balance=year_balance(account=account, financial_year=financial_year),
        arrears=arrears(account=account, financial_year=financial_year, as_of=as_of),
        instalments=tuple(InstalmentRow.of(status) for status in statuses),
    )
