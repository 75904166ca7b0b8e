"""What each recovery notice says (kept on the RecoveryAction as `detail`, as sent), and its PDF on demand."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from borough.revenues.calc import recovery as calc
from borough.revenues.documents.render import render_pdf
from borough.revenues.models import RecoveryAction, RevenuesSettings
from borough.revenues.recovery.position import AccountYear

TITLES = {
    calc.REMINDER: "Reminder notice",
    calc.SECOND_REMINDER: "Second reminder notice",
    calc.FINAL_NOTICE: "Final notice",
    calc.SUMMONS: "Summons to the magistrates' court",
    calc.LIABILITY_ORDER: "Liability order made",
}


def long_day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _gbp(value: Decimal) -> str:
    return f"£{value:,.2f}"


def _lines(
    stage: str,
    tax_words: str,
    amount: Decimal,
    balance: Decimal,
    pay_by: date | None,
    costs: Decimal,
    hearing: date | None,
    rules: calc.RecoveryRules,
) -> list[str]:
    ct = rules.tax == calc.COUNCIL_TAX
    if stage in calc.REMINDERS:
        lost_on = pay_by + timedelta(days=1 + rules.further_days) if pay_by else None
        lines = [
            f"You have not paid your {tax_words} instalments as your bill asked.",
            f"Pay {_gbp(amount)} by {long_day(pay_by) if pay_by else ''}. "
            "This includes any instalment due in the next 7 days.",
            f"If you do not, you lose the right to pay by instalments: the whole unpaid balance for the year, "
            f"{_gbp(balance)}, becomes payable on {long_day(lost_on) if lost_on else ''} "
            f"({rules.cite} {'reg. 23(3)' if ct else 'reg. 8(2)'}).",
        ]
        if stage == calc.SECOND_REMINDER or not ct:
            lines.append(
                "This is the last reminder you will get this year. If you pay it but miss a later instalment, the "
                f"whole balance becomes payable without another reminder ({'reg. 23(4)' if ct else 'reg. 8(2)(b)'})."
            )
        return lines
    if stage == calc.FINAL_NOTICE:
        return [
            "You have lost the right to pay by instalments.",
            f"Pay the whole balance, {_gbp(amount)}, by {long_day(pay_by) if pay_by else ''}.",
            "If you do not, we will ask the magistrates' court for a liability order against you, and costs will be "
            f"added ({rules.cite} {'regs. 33-34' if ct else 'regs. 11-12'}).",
        ]
    if stage == calc.SUMMONS:
        return [
            f"We have asked the magistrates' court to make a liability order against you for {_gbp(amount)} of "
            f"unpaid {tax_words}" + (f" and costs of {_gbp(costs)}." if costs else "."),
            f"The hearing is on {long_day(hearing) if hearing else ''}.",
            "If you pay the whole amount and the costs before the hearing, the application will not go ahead "
            "(reg. 34(5)). Contact us at once if you cannot pay it all.",
        ]
    return [
        f"On {long_day(hearing) if hearing else ''} the magistrates' court made a liability order against you for "
        f"{_gbp(amount)}, which includes costs of {_gbp(costs)}.",
        "We may now ask you for information about your income, ask your employer or the Department for Work and "
        "Pensions to take payments from your wages or benefits, or instruct enforcement agents.",
    ]


def notice_detail(
    year: AccountYear,
    *,
    stage: str,
    issued_on: date,
    amount: Decimal,
    balance: Decimal,
    pay_by: date | None = None,
    costs: Decimal = Decimal("0.00"),
    hearing_date: date | None = None,
    steps: tuple[str, ...] | list[str] = (),
) -> dict[str, Any]:
    account, rules = year.account, year.rules
    tax_words = "council tax" if rules.tax == calc.COUNCIL_TAX else "business rates"
    settings = RevenuesSettings.objects.filter(tenant_id=account.tenant_id).first()
    return {
        "title": f"{tax_words.capitalize()}: {TITLES[stage].lower()}",
        "authority": (settings.billing_authority_name if settings else "") or account.tenant.name,
        "account_number": account.number,
        "names": [party.name for party in account.parties.all()],
        "property": account.property.address,
        "correspondence_address": account.correspondence_address,
        "financial_year": year.financial_year,
        "issued_on": issued_on.isoformat(),
        "amount": str(amount),
        "balance": str(balance),
        "pay_by": pay_by.isoformat() if pay_by else None,
        "costs": str(costs),
        "hearing_date": hearing_date.isoformat() if hearing_date else None,
        "lines": _lines(stage, tax_words, amount, balance, pay_by, costs, hearing_date, rules),
        "steps": list(steps),
    }


def notice_pdf(action: RecoveryAction) -> bytes:
    """The notice as a PDF, printed like the bills."""
    return render_pdf("revenues/recovery/notice_document.html", {"action": action, "notice": action.detail})
