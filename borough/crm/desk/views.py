"""The desk's pages: the desk itself, a queue, search, and the case page. Quick actions are in actions.py."""

from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from borough.channels.telephony.selectors import callbacks_due_count
from borough.crm.desk.case_page import case_for, case_page_context
from borough.crm.desk.due import clock_for, due_state
from borough.crm.desk.queues import desk_queues, ordering, parse_sort, queue_for, sort_columns
from borough.crm.models import Case
from borough.crm.selectors import case_search, search_reference
from borough.identity.permissions import staff_view
from borough.staff.views import render_staff

CRM_ROLES = ("crm.agent", "crm.supervisor")
CASES_PER_PAGE = 50
ROW_RELATED = ("service", "requester", "team", "assigned_to")


def crm_view(view):
    """A page of the desk: crm agents and supervisors, in a tenant with the crm module."""
    return staff_view(roles=CRM_ROLES, module="crm")(view)


def table_rows(request, cases) -> list[Case]:
    """The cases of one table page, each with its service-level state (the settings read once)."""
    clock = clock_for(request.tenant)
    rows = list(cases)
    for row in rows:
        row.due = due_state(row, clock)
        row.age_days = (clock.now - row.created_at).days
    return rows


@crm_view
@require_GET
def home(request):
    queues = [
        (queue, queue.cases(tenant=request.tenant, user=request.user).count()) for queue in desk_queues(request.user)
    ]
    callbacks_due = callbacks_due_count(tenant=request.tenant, user=request.user)
    return render_staff(request, "crm/desk/home.html", {"queues": queues, "callbacks_due": callbacks_due})


@crm_view
@require_GET
def queue(request, queue: str):
    chosen = queue_for(queue)
    key, descending = parse_sort(request.GET.get("sort"))
    cases = chosen.cases(tenant=request.tenant, user=request.user).select_related(*ROW_RELATED)
    page = Paginator(cases.order_by(*ordering(key, descending)), CASES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "queue": chosen,
        "page": page,
        "rows": table_rows(request, page.object_list),
        "columns": sort_columns(key, descending),
        "sort": f"-{key}" if descending else key,
    }
    return render_staff(request, "crm/desk/queue.html", context)


@crm_view
@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    reference = search_reference(request.tenant, query) if query else None
    if reference and Case.objects.filter(reference=reference).exists():
        return redirect("crm:case", reference=reference)
    rows = table_rows(request, case_search(tenant=request.tenant, query=query)) if query else []
    return render_staff(request, "crm/desk/search.html", {"query": query, "rows": rows})


@crm_view
@require_GET
def case(request, reference: str):
    found = case_for(reference)
    return render_staff(request, "crm/desk/case.html", case_page_context(request, found))
