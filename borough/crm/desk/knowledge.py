"""The knowledge base and the response templates, for agents to read out, send or copy."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from borough.crm.desk.views import crm_view
from borough.crm.models import KnowledgeArticle, ResponseTemplate
from borough.staff.views import render_staff

RESULTS_LIMIT = 50


def _matching(queryset, query: str, fields: tuple[str, ...]):
    """Rows in which every word of the query appears in one of `fields`."""
    for word in query.split()[:10]:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(any_field)
    return queryset


@crm_view
@require_GET
def knowledge(request):
    query = request.GET.get("q", "").strip()[:200]
    articles = KnowledgeArticle.objects.filter(is_published=True).select_related("service")
    if query:
        articles = _matching(articles, query, ("title", "body", "keywords"))
    context = {"query": query, "articles": list(articles.order_by("title")[:RESULTS_LIMIT])}
    return render_staff(request, "crm/desk/knowledge.html", context)


@crm_view
@require_GET
def article(request, pk: int):
    found = get_object_or_404(KnowledgeArticle.objects.select_related("service"), pk=pk, is_published=True)
    return render_staff(request, "crm/desk/article.html", {"article": found})


@crm_view
@require_GET
def templates(request):
    query = request.GET.get("q", "").strip()[:200]
    found = ResponseTemplate.objects.select_related("service")
    if query:
        found = _matching(found, query, ("title", "body"))
    context = {"query": query, "templates": list(found.order_by("title")[:RESULTS_LIMIT])}
    return render_staff(request, "crm/desk/templates.html", context)
