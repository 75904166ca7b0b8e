"""The account page's direct debit and refund actions (/staff/revenues/accounts/<number>/...): set up a direct
debit, cancel it, refund a credit. Same roles as the other revenues actions; POST, then redirect to the account."""

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from borough.revenues.models import Bill, LedgerEntry
from borough.revenues.payments.staff_services import (
    credits_by_year,
    direct_debit_cancel,
    direct_debit_set_up,
    live_mandate,
    refund_issue,
)
from borough.revenues.staff import dd_forms
from borough.revenues.staff.account_page import account_for
from borough.revenues.staff.views import GET_POST, _action_page, revenues_view
from borough.staff.views import render_staff


def _today() -> date:
    return date.today()


def _posted(request):
    return request.POST if request.method == "POST" else None


@revenues_view
@require_http_methods(GET_POST)
def direct_debit_new(request, number: str):
    found = account_for(number)
    form = dd_forms.DirectDebitForm(_posted(request), initial={"instalment_scheme": found.instalment_scheme})

    def act(data):
        mandate = direct_debit_set_up(
            account=found,
            payer_name=data["payer_name"],
            sort_code=data["sort_code"],
            account_number=data["account_number"],
            collection_day=data["collection_day"],
            instalment_scheme=data["instalment_scheme"],
        )
        return (
            f"Direct debit {mandate.reference} set up for {mandate.payer_name}: it is lodged with the bank by the "
            f"next AUDDIS file. Instalments: {found.instalment_scheme} a year."
        )

    live = live_mandate(found)
    return _action_page(request, found, form, "revenues/staff/direct_debit_new.html", act, "", live=live)


@revenues_view
@require_http_methods(GET_POST)
def direct_debit_cancel_view(request, number: str):
    found = account_for(number)
    live = live_mandate(found)
    form = dd_forms.DirectDebitCancelForm(_posted(request))

    def act(data):
        mandate = direct_debit_cancel(account=found, reason=data["reason"], on=_today())
        told = " The payer's bank is told by the next AUDDIS file." if mandate.lodged_in_id else ""
        return f"Direct debit {mandate.reference} cancelled.{told}"

    return _action_page(request, found, form, "revenues/staff/direct_debit_cancel.html", act, "", live=live)


def _money_years(account) -> list[str]:
    years = set(Bill.objects.filter(account=account).values_list("financial_year", flat=True))
    years |= set(LedgerEntry.objects.filter(account=account).values_list("financial_year", flat=True))
    return sorted(years, reverse=True)


@revenues_view
@require_http_methods(GET_POST)
def refund(request, number: str):
    found = account_for(number)
    key = request.POST.get("key", "") if request.method == "POST" else ""
    made = LedgerEntry.objects.filter(account=found, source_key=f"staff-refund:{key}").first() if key else None
    if made is not None:  # the same form sent again (a double click, a reload): the refund was made once
        messages.info(request, f"The refund of £{made.amount:,.2f} was recorded already.")
        return redirect("revenues:account", number=found.number)
    credits = credits_by_year(found, _money_years(found))
    if not credits:
        context = {"account": found}
        status = 400 if request.method == "POST" else 200
        return render_staff(request, "revenues/staff/refund_none.html", context, status=status)
    form = dd_forms.RefundForm(_posted(request), credits=credits)

    def act(data):
        entry = refund_issue(
            account=found,
            financial_year=data["financial_year"],
            amount=data["amount"],
            method=data["method"],
            reason=data["reason"],
            posted_on=_today(),
            key=data["key"],
            payee_name=data["payee_name"],
            sort_code=data["sort_code"],
            account_number=data["account_number"],
        )
        return f"Refund of £{entry.amount:,.2f} recorded for {entry.financial_year} ({entry.get_method_display()})."

    return _action_page(request, found, form, "revenues/staff/refund.html", act, "", credits=credits)
