"""The staff revenues pages (/staff/revenues/): find an account, see it whole with its audit trail, and work it."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from borough.identity.permissions import staff_view
from borough.revenues.documents.bills import bill_pdf as render_bill_pdf
from borough.revenues.models import Bill, Reduction
from borough.revenues.staff import actions, forms
from borough.revenues.staff.account_page import account_for, account_page_context, area_links, audit_trail
from borough.revenues.staff.search import account_search
from borough.staff.views import render_staff

REVENUES_ROLES = ("revenues.officer", "revenues.manager")
GET_POST = ["GET", "POST"]


def revenues_view(view):
    """A page of the revenues staff app: revenues officers and managers, in a tenant with the revenues module."""
    return staff_view(roles=REVENUES_ROLES, module="revenues")(view)


def _today() -> date:
    return date.today()


@revenues_view
@require_GET
def home(request):
    form = forms.SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    found = account_search(tenant=request.tenant, query=query) if query else None
    if found is not None and found.kind == "number":
        return redirect("revenues:account", number=found.accounts[0].number)
    results = found.accounts if found else []
    areas = area_links()
    if "revenues.manager" in request.roles:  # the council's settings page is the managers'
        areas.append(("Council settings", reverse("revenues:settings")))
    context = {"form": form, "query": query, "found": found, "results": results, "areas": areas}
    return render_staff(request, "revenues/staff/home.html", context, status=400 if form.errors else 200)


@revenues_view
@require_GET
def account(request, number: str):
    found = account_for(number)
    return render_staff(request, "revenues/staff/account.html", account_page_context(request, found, today=_today()))


@revenues_view
@require_GET
def history(request, number: str):
    found = account_for(number)
    return render_staff(request, "revenues/staff/history.html", {"account": found, "events": audit_trail(found)})


@revenues_view
@require_GET
def bill_pdf(request, number: str, pk: int):
    found = account_for(number)
    bill = get_object_or_404(Bill, account=found, pk=pk)
    response = HttpResponse(render_bill_pdf(bill), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bill-{bill.number.replace("/", "-")}.pdf"'
    return response


def _action_page(request, found, form, template: str, act, done: str, **extra):
    """An action on the account: on a valid POST, `act(cleaned_data)` through the service, else the form again."""
    if request.method == "POST" and form.is_valid():
        try:
            done_message = act(form.cleaned_data) or done
        except ValidationError as error:
            forms.service_errors(form, error)
        else:
            messages.success(request, done_message)
            return redirect("revenues:account", number=found.number)
    context = {"account": found, "form": form, **extra}
    return render_staff(request, template, context, status=400 if form.errors else 200)


def _billed(bills) -> str:
    return f" Amended bill{'s' if len(bills) > 1 else ''}: {', '.join(b.number for b in bills)}." if bills else ""


@revenues_view
@require_http_methods(GET_POST)
def move_out(request, number: str):
    found = account_for(number)
    form = forms.MoveOutForm(request.POST if request.method == "POST" else None)

    def act(data):
        bills = actions.move_out(account=found, end=data["end"], rebill=data["rebill"], today=_today())
        return f"Liability ended on {data['end']:%-d %B %Y}.{_billed(bills)}"

    return _action_page(request, found, form, "revenues/staff/move_out.html", act, "")


@revenues_view
@require_http_methods(GET_POST)
def rebill(request, number: str):
    found = account_for(number)
    years = actions.current_bill_years(found)
    form = forms.RebillForm(request.POST if request.method == "POST" else None, years=years)

    def act(data):
        bill = actions.rebill(account=found, financial_year=data["financial_year"], reason=data["reason"],
                              today=_today())  # fmt: skip
        return f"Bill {bill.number} issued: £{bill.charge:,} for {bill.financial_year}."

    return _action_page(request, found, form, "revenues/staff/rebill.html", act, "", years=years)


@revenues_view
@require_http_methods(GET_POST)
def reduction_add(request, number: str):
    found = account_for(number)
    form = forms.ReductionForm(request.POST if request.method == "POST" else None)

    def act(data):
        reduction = actions.reduction_add(account=found, values=form.service_values())
        return f"{reduction.get_kind_display()} recorded from {reduction.start:%-d %B %Y}."

    return _action_page(request, found, form, "revenues/staff/reduction_add.html", act, "")


@revenues_view
@require_http_methods(GET_POST)
def reduction_end(request, number: str, pk: int):
    found = account_for(number)
    reduction = get_object_or_404(Reduction, account=found, pk=pk)
    form = forms.ReductionEndForm(request.POST if request.method == "POST" else None)

    def act(data):
        ended = actions.reduction_end(reduction=reduction, end=data["end"])
        return f"{ended.get_kind_display()} ends on {data['end']:%-d %B %Y}."

    return _action_page(request, found, form, "revenues/staff/reduction_end.html", act, "", reduction=reduction)
