"""What the staff account page shows: the property and its band or value history, the liable parties, liability,
reductions, bills, money, direct debits, recovery, the requests residents made about it, and its audit trail."""

from datetime import date
from urllib.parse import urlencode

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse

from borough.core.models import AuditEvent
from borough.crm.models import Case
from borough.revenues.models import (
    Account,
    Arrangement,
    BacsReportItem,
    BandHistory,
    Bill,
    DirectDebitMandate,
    LedgerEntry,
    LiabilityPeriod,
    RecoveryAction,
    RecoveryHold,
    Reduction,
    ValueHistory,
)
from borough.revenues.payments.balances import financial_year_of
from borough.revenues.payments.direct_debit import LIVE
from borough.revenues.staff import actions
from borough.revenues.staff.overview import year_money

# The other revenues areas' staff pages, linked from the search page.
AREAS = (
    ("revenues_billing:home", "Annual billing"),
    ("revenues_payments:home", "Payments and direct debits"),
    ("revenues_recovery:home", "Recovery"),
)
MAX_ENTRIES = 100
MAX_EVENTS = 500


def area_links() -> list[tuple[str, str]]:
    return [(label, reverse(name)) for name, label in AREAS]


def account_for(number: str) -> Account:
    """The account with this number in the current tenant (404 otherwise, another tenant's included)."""
    accounts = Account.objects.select_related("dwelling__parish", "hereditament")
    return get_object_or_404(accounts, number=number.strip().upper())


def account_page_context(request, account: Account, *, today: date | None = None) -> dict:
    today = today or date.today()
    year = financial_year_of(today)
    prop = account.property
    if account.dwelling_id:
        history = BandHistory.objects.filter(dwelling=account.dwelling).order_by("-effective_from", "-pk")
    else:
        history = ValueHistory.objects.filter(hereditament=account.hereditament).order_by("-effective_from", "-pk")
    cases = []
    if request.tenant.has_module("crm"):
        cases = list(
            Case.objects.filter(answers__account_number=account.number)
            .select_related("service")
            .order_by("-created_at")[:20]
        )
    open_period = LiabilityPeriod.objects.filter(account=account, end__isnull=True).first()
    reductions = list(Reduction.objects.filter(account=account).select_related("case").order_by("-start"))
    for reduction in reductions:
        code = reduction.code.replace("_", " ")
        reduction.label = f"{reduction.get_kind_display()}{': ' + code if code else ''}"
    return {
        "account": account,
        "property": prop,
        "history": list(history),
        "parties": list(account.parties.select_related("person")),
        "periods": list(LiabilityPeriod.objects.filter(account=account).order_by("start")),
        "open_period": open_period,
        "reductions": reductions,
        "bills": list(Bill.objects.filter(account=account).order_by("-financial_year", "-issued_on", "-pk")),
        "money": year_money(account=account, financial_year=year, as_of=today),
        "entries": list(LedgerEntry.objects.filter(account=account).order_by("-posted_on", "-pk")[:MAX_ENTRIES]),
        "mandates": list(DirectDebitMandate.objects.filter(account=account)),
        "live_mandate": DirectDebitMandate.objects.filter(account=account, status__in=LIVE).first(),
        "dd_follow_ups": list(
            BacsReportItem.objects.filter(account=account)
            .filter(Q(follow_up=True) | Q(status=BacsReportItem.Status.REVIEW))
            .select_related("report")
        ),
        "recovery_actions": list(RecoveryAction.objects.filter(account=account).order_by("-issued_on", "-pk")),
        "holds": list(RecoveryHold.objects.filter(account=account)),
        "arrangements": list(Arrangement.objects.filter(account=account)),
        "cases": cases,
        "can": actions.available(account, open_period=open_period),
        "recovery_url": f"{reverse('revenues_recovery:account')}?{urlencode({'number': account.number})}",
        "today": today,
    }


def audit_trail(account: Account):
    """Audit events of the account and of the records that hang off it (property, bills, reductions, money,
    direct debits, recovery), newest first."""
    related = {
        "revenues.account": [account.pk],
        "revenues.bill": Bill.objects.filter(account=account).values_list("pk", flat=True),
        "revenues.reduction": Reduction.objects.filter(account=account).values_list("pk", flat=True),
        "revenues.ledgerentry": LedgerEntry.objects.filter(account=account).values_list("pk", flat=True),
        "revenues.directdebitmandate": DirectDebitMandate.objects.filter(account=account).values_list("pk", flat=True),
        "revenues.recoveryaction": RecoveryAction.objects.filter(account=account).values_list("pk", flat=True),
        "revenues.recoveryhold": RecoveryHold.objects.filter(account=account).values_list("pk", flat=True),
        "revenues.arrangement": Arrangement.objects.filter(account=account).values_list("pk", flat=True),
    }
    if account.dwelling_id:
        related["revenues.dwelling"] = [account.dwelling_id]
    else:
        related["revenues.hereditament"] = [account.hereditament_id]
    matching = Q()
    for object_type, ids in related.items():
        ids = [str(pk) for pk in ids]
        if ids:
            matching |= Q(object_type=object_type, object_id__in=ids)
    return AuditEvent.objects.filter(matching).select_related("actor_user").order_by("-occurred_at", "-pk")[:MAX_EVENTS]
