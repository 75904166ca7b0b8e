"""The resident's council tax pages (/council-tax/): prove the account, see it, and ask for changes.

The proven account lives in the signed session for a while (ACCOUNT_FOR); every page after the first answers
with a redirect to the first when there is none. No URL names an account, so one resident's pages cannot be
pointed at another's account.

A resident signed in with GOV.UK One Login (borough.portal.one_login) proves an account once: it is linked to them,
and opens straight away at their later sign-ins (with several linked, they pick one). Signing out then signs out of
One Login too, and ends the whole portal session.
"""

import time
from datetime import date
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from borough.core.audit import acting_as
from borough.identity.permissions import public_view
from borough.portal.one_login.services import linked_accounts, one_login_client, resident_account_link
from borough.portal.one_login.views import forms_may_end_at_one_login, sign_out_response, signed_in_resident
from borough.portal.services import portal_actor
from borough.portal.session import session_forget, session_read, session_write
from borough.portal.views.common import posted, render_form_page
from borough.revenues.documents.bills import bill_pdf as render_bill_pdf
from borough.revenues.documents.explanation import bill_explanation
from borough.revenues.models import Account, Bill, Reduction
from borough.revenues.payments.balances import financial_year_of
from borough.revenues.portal import forms
from borough.revenues.portal.journeys import JOURNEYS, answers_of, check_rows, journey_send, step_form
from borough.revenues.portal.prove import TooManyTries, account_prove
from borough.revenues.staff.overview import year_money

GET_POST = ["GET", "POST"]
PROVEN = "ctax.account"
SENT = "ctax.sent"
ACCOUNT_FOR = 30 * 60  # seconds a proven account stays open in this session
TOO_MANY = "You have tried too many times. Wait 15 minutes, then try again"


def revenues_portal(view):
    """Council tax pages exist only where the tenant has the revenues module."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.tenant is None or not request.tenant.has_module("revenues"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def proven_account(request) -> Account | None:
    value = session_read(request, PROVEN, max_age=ACCOUNT_FOR)
    if not isinstance(value, dict) or not isinstance(value.get("id"), int):
        return None
    account = Account.objects.select_related("dwelling", "hereditament").filter(pk=value["id"]).first()
    return account


def with_account(view=None, *, missing_404: bool = False):
    """Pass the proven account to the view; with none, go to the first page (or, for a document, 404)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            account = proven_account(request)
            if account is None:
                if missing_404:
                    raise Http404
                return redirect("council_tax:start")
            return view(request, account, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate


def _today() -> date:
    return date.today()


def _open(request, account: Account) -> None:
    request.session.cycle_key()  # a new session id once the account is open in it
    session_write(request, PROVEN, {"id": account.pk, "at": int(time.time())})


@public_view
@revenues_portal
@never_cache
@require_http_methods(GET_POST)
def start(request):
    resident = signed_in_resident(request)
    if request.method == "GET" and proven_account(request) is not None:
        return redirect("council_tax:account")
    if request.method == "GET" and resident is not None and "another" not in request.GET:
        linked = linked_accounts(resident=resident)
        if len(linked) == 1:
            _open(request, linked[0])
            return redirect("council_tax:account")
        if linked:
            return redirect("council_tax:choose")
    form = forms.ProveForm(posted(request))
    context = {"resident": resident, "one_login": resident is None and one_login_client(request.tenant) is not None}
    if request.method == "POST" and form.is_valid():
        client = request.META.get("REMOTE_ADDR", "")
        try:
            account = account_prove(
                tenant=request.tenant,
                number=form.cleaned_data["number"],
                postcode=form.cleaned_data["postcode"],
                client=client,
            )
        except TooManyTries:
            form.add_error(None, TOO_MANY)
            return render_form_page(request, "revenues/portal/start.html", context, form=form, status=429)
        if account is None:
            form.add_error(None, forms.NOT_MATCHED)
        else:
            if resident is not None:
                with acting_as(portal_actor()):
                    resident_account_link(tenant=request.tenant, resident=resident, account=account)
            _open(request, account)
            return redirect("council_tax:account")
    return render_form_page(request, "revenues/portal/start.html", context, form=form)


@public_view
@revenues_portal
@never_cache
@require_http_methods(GET_POST)
def choose(request):
    """A signed-in resident with several linked accounts picks the one to open."""
    resident = signed_in_resident(request)
    linked = linked_accounts(resident=resident) if resident is not None else []
    if not linked:
        return redirect("council_tax:start")
    error = ""
    if request.method == "POST":
        chosen = next((a for a in linked if str(a.pk) == request.POST.get("account", "")), None)
        if chosen is not None:
            _open(request, chosen)
            return redirect("council_tax:account")
        error = "Select the account you want to see"
    context = {"accounts": linked, "error": error, "error_links": [("#account", error)] if error else []}
    return render(request, "revenues/portal/choose.html", context, status=400 if error else 200)


@public_view
@revenues_portal
@never_cache
@require_POST
def sign_out(request):
    if signed_in_resident(request) is not None:
        return sign_out_response(request)  # One Login's session, and this whole session, end too
    session_forget(request, PROVEN)
    for code in JOURNEYS:
        session_forget(request, f"ctax.{code}")
    return redirect("council_tax:start")


@public_view
@revenues_portal
@never_cache
@require_http_methods(["GET"])
@with_account
def account(request, account: Account):
    today = _today()
    year = financial_year_of(today)
    money = year_money(account=account, financial_year=year, as_of=today)
    bills = list(Bill.objects.filter(account=account).order_by("-financial_year", "-issued_on", "-pk"))
    context = {
        "account": account,
        "property": account.property,
        "money": money,
        "bills": bills,
        "explanation": bill_explanation(money.bill) if money.bill is not None else [],
        "journeys": _journeys_for(account),
        "journeys_open": request.tenant.has_module("crm"),
        "signed_in": signed_in_resident(request) is not None,
        "today": today,
    }
    return forms_may_end_at_one_login(request, render(request, "revenues/portal/account.html", context))


@public_view
@revenues_portal
@never_cache
@require_http_methods(["GET"])
@with_account(missing_404=True)
def bill_pdf(request, account: Account, pk: int):
    bill = Bill.objects.filter(account=account, pk=pk).first()
    if bill is None:
        raise Http404
    response = HttpResponse(render_bill_pdf(bill), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bill-{bill.number.replace("/", "-")}.pdf"'
    return response


def _journeys_for(account: Account) -> list:
    """The requests this account can make: a single person discount only for a dwelling without one now."""
    has_discount = Reduction.objects.filter(
        account=account, kind=Reduction.Kind.DISCOUNT, code="single_person", end__isnull=True
    ).exists()
    offer_discount = account.dwelling_id is not None and not has_discount
    return [j for j in JOURNEYS.values() if offer_discount or j.code != "single-person-discount"]


def _journey(request, account: Account, code: str):
    if not request.tenant.has_module("crm") or code not in {j.code for j in _journeys_for(account)}:
        raise Http404
    return JOURNEYS[code]


def _answers(request, code: str) -> dict:
    value = session_read(request, f"ctax.{code}")
    return value if isinstance(value, dict) else {}


def _step_context(journey, step, back: str) -> dict:
    return {"journey": journey, "step": step, "back_url": back}


def _known_contact(request) -> dict[str, str]:
    """A signed-in resident's contact details as One Login gave them (a verified email, a phone number), offered on
    the steps that ask for them; what the resident typed there before wins."""
    resident = signed_in_resident(request)
    if resident is None:
        return {}
    known = {"phone": resident.phone} if resident.phone else {}
    if resident.email and resident.email_verified:
        known["email"] = resident.email
    return known


@public_view
@revenues_portal
@never_cache
@require_http_methods(GET_POST)
@with_account
def journey_step(request, account: Account, journey: str, step: str):
    journey = _journey(request, account, journey)
    current = journey.step(step)
    answers = _answers(request, journey.code)
    index = journey.steps.index(current)
    back = (
        reverse(f"council_tax:{journey.code}-{journey.steps[index - 1].slug}")
        if index
        else reverse("council_tax:account")
    )
    if request.method == "POST":
        form = step_form(current, answers, today=_today(), data=posted(request))
        if form.is_valid():
            answers.update(answers_of(current, form))
            session_write(request, f"ctax.{journey.code}", answers)
            if journey.code == "single-person-discount" and answers.get("only_adult") == "no":
                return render(request, "revenues/portal/not_eligible.html", {"journey": journey})
            following = journey.next_slug(current.slug)
            return redirect(f"council_tax:{journey.code}-{following}")
    else:
        form = step_form(current, {**_known_contact(request), **answers}, today=_today())
    layout = [(kind, None if kind == "date" else form[name]) for kind, name in form.layout]
    context = {**_step_context(journey, current, back), "account": account, "fields": layout}
    context["single"] = len(layout) == 1 and layout[0][0] != "checkbox"
    return render_form_page(request, "revenues/portal/step.html", context, form=form)


@public_view
@revenues_portal
@never_cache
@require_http_methods(GET_POST)
@with_account
def journey_check(request, account: Account, journey: str):
    journey = _journey(request, account, journey)
    answers = _answers(request, journey.code)
    today = _today()
    missing = journey.first_incomplete(answers, today=today)
    if missing is not None:
        return redirect(f"council_tax:{journey.code}-{missing.slug}")
    problems = []
    if request.method == "POST":
        try:
            case = journey_send(tenant=request.tenant, journey=journey, account=account, answers=answers, today=today)
        except ValidationError as error:
            problems = [message for messages in error.message_dict.values() for message in messages]
        else:
            session_forget(request, f"ctax.{journey.code}")
            session_write(request, SENT, {"journey": journey.code, "reference": case.reference})
            return redirect(f"council_tax:{journey.code}-sent")
    context = {
        "journey": journey,
        "account": account,
        "rows": check_rows(journey, answers),
        "error_links": [("#main-content", problem) for problem in problems],
        "back_url": reverse(f"council_tax:{journey.code}-{journey.steps[-1].slug}"),
    }
    return render(request, "revenues/portal/check.html", context, status=400 if problems else 200)


@public_view
@revenues_portal
@never_cache
@require_http_methods(["GET"])
@with_account
def journey_sent(request, account: Account, journey: str):
    journey = _journey(request, account, journey)
    sent = session_read(request, SENT)
    if not isinstance(sent, dict) or sent.get("journey") != journey.code:
        return redirect("council_tax:account")
    context = {"journey": journey, "account": account, "reference": sent.get("reference", "")}
    return render(request, "revenues/portal/sent.html", context)
