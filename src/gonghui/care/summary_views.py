"""The care summary page (figures, sentences, table, chart) and its Word export. Managers
of a union and upper unions (aggregates of their subordinate unions) read it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gonghui.core.web import AuthenticatedHttpRequest, chosen_union

from . import summary
from .health_views import today

FIRST_YEAR = 2000


def _year(request: AuthenticatedHttpRequest) -> int:
    try:
        year = int(request.GET.get("year", today().year))
    except ValueError:
        return today().year
    return min(max(year, FIRST_YEAR), today().year + 1)


def _summary(request: AuthenticatedHttpRequest) -> tuple[summary.CareSummary, list]:
    unions = summary.summary_unions(request.user)
    union = chosen_union(request, unions)
    return summary.care_summary(union, _year(request), viewer=request.user, today=today()), unions


@login_required
@require_GET
def summary_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    s, unions = _summary(request)
    this = today().year
    ctx = {
        "s": s,
        "union": s.union,
        "unions": unions,
        "rows": summary.table_rows(s),
        "charts": summary.chart_data(s),
        "years": list(range(this, this - 5, -1)),
    }
    return render(request, "care/summary/summary.html", ctx)


@login_required
@require_GET
def summary_docx(request: AuthenticatedHttpRequest) -> HttpResponse:
    s, _unions = _summary(request)
    response = HttpResponse(
        summary.summary_docx(s),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    # An ASCII name: the union's name is in the document itself.
    response["Content-Disposition"] = f'attachment; filename="care-summary-{s.year}.docx"'
    return response
