"""Opinion pages: the union's list (filters, export), recording an item, one item with its
history and the handling actions, taking over converted proposals, the member's submit form
and "my suggestions" (phones), the year's statistics with quotas, and counts for upper
unions. Views parse, check access, call one service, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit
from gonghui.core.web import AuthenticatedHttpRequest, form_error

from . import opinions as svc
from .models.opinions import Opinion, OpinionKind, OpinionOutcome, OpinionSource
from .opinion_forms import (
    AdoptForm,
    AnswerForm,
    AssessForm,
    AssignForm,
    CloseForm,
    OpinionFilterForm,
    OpinionRecordForm,
    OpinionSubmitForm,
    QuotaForm,
    RewardForm,
    YearForm,
)
from .proposals import converted_awaiting_opinion
from .queries import home_union, may_manage, may_take_part

St = Opinion.Status
# Keyed by the status value read from a row (a plain str).
STATUS_BADGES: dict[str, str] = {
    St.RECEIVED: "text-bg-info",
    St.ASSIGNED: "text-bg-primary",
    St.ANSWERED: "text-bg-warning",
    St.CLOSED: "text-bg-success",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _decorate(rows: list[Opinion]) -> list[Opinion]:
    """Labels for rows, so the templates only show them."""
    kinds, sources = dict(OpinionKind.choices), dict(OpinionSource.choices)
    statuses, outcomes = dict(St.choices), dict(OpinionOutcome.choices)
    for o in rows:  # display-only attributes for the templates
        o.kind_label = str(kinds.get(o.kind, o.kind))  # type: ignore[attr-defined]
        o.source_label = str(sources.get(o.source, o.source))  # type: ignore[attr-defined]
        o.status_label = str(statuses.get(o.status, o.status))  # type: ignore[attr-defined]
        o.outcome_label = str(outcomes.get(o.outcome, "")) if o.outcome else ""  # type: ignore[attr-defined]
        o.badge = STATUS_BADGES.get(o.status, "text-bg-secondary")  # type: ignore[attr-defined]
        o.is_suggestion = o.kind == OpinionKind.RATIONALISATION  # type: ignore[attr-defined]
    return rows


def _managed_union(request: AuthenticatedHttpRequest) -> OrgUnit:
    union = home_union(request.user)
    if union is None or not may_manage(request.user, union):
        raise PermissionDenied
    return union


def _member_union(request: AuthenticatedHttpRequest) -> OrgUnit:
    union = home_union(request.user)
    if union is None or not may_take_part(request.user, union):
        raise PermissionDenied
    return union


def _year(request: AuthenticatedHttpRequest) -> int:
    form = YearForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["year"]
    return timezone.localdate().year


# ---- the union's list ------------------------------------------------------------------


def _filtered(
    request: AuthenticatedHttpRequest, union: OrgUnit
) -> tuple[OpinionFilterForm, list[Opinion]]:
    form = OpinionFilterForm(request.GET)
    rows = list(svc.filter_opinions(svc.opinions_of_union(union), form.to_filter()))
    return form, _decorate(rows)


@login_required
@require_GET
def opinion_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _managed_union(request)
    form, rows = _filtered(request, union)
    ctx = {
        "union": union,
        "form": form,
        "rows": rows,
        "waiting": converted_awaiting_opinion(union).count(),
        "query": urlencode({k: v for k, v in request.GET.dict().items() if v}),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "congress/opinions/partials/_rows.html", ctx)
    return render(request, "congress/opinions/list.html", ctx)


@login_required
@require_GET
def opinion_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _managed_union(request)
    _form, rows = _filtered(request, union)
    response = HttpResponse(svc.opinions_xlsx(rows), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=opinions.xlsx"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def opinion_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _managed_union(request)
    form = OpinionRecordForm(
        request.POST or None, union=union, initial={"received_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            o = svc.opinion_record(actor=request.user, union=union, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("The item was recorded."))
            return redirect("congress:opinion_detail", o.pk)
    return render(request, "congress/opinions/record.html", {"form": form, "union": union})


@login_required
@require_POST
def opinion_take_over(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Take over every converted proposal still waiting (不立案 → 意见建议)."""
    union = _managed_union(request)
    try:
        made = svc.opinions_take_over_all(actor=request.user, union=union)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, _("%(n)d converted proposals were taken over.") % {"n": len(made)}
        )
    return redirect("congress:opinion_list")


# ---- one item --------------------------------------------------------------------------


def _detail_context(o: Opinion, v: svc.Viewer, **forms: Any) -> dict[str, Any]:
    _decorate([o])
    open_ = o.status != St.CLOSED
    suggestion = o.kind == OpinionKind.RATIONALISATION
    return {
        "o": o,
        "v": v,
        "history": svc.history(o),
        "can_handle": v.manage and open_,
        "can_close": v.manage and open_ and not suggestion,
        "can_assess": v.manage and open_ and suggestion,
        "can_adopt": v.manage and open_ and suggestion and o.score is not None and not o.adopted,
        "can_reward": v.manage and open_ and suggestion and bool(o.adopted),
        "assign_form": forms.get("assign_form")
        or AssignForm(
            union=o.union,
            initial={"department": o.department_id, "due_on": o.due_on},
            auto_id="assign_%s",
        ),
        "answer_form": forms.get("answer_form")
        or AnswerForm(initial={"answer": o.answer}, auto_id="answer_%s"),
        "close_form": forms.get("close_form") or CloseForm(auto_id="close_%s"),
        "assess_form": forms.get("assess_form") or AssessForm(auto_id="assess_%s"),
        "adopt_form": forms.get("adopt_form") or AdoptForm(auto_id="adopt_%s"),
        "reward_form": forms.get("reward_form") or RewardForm(auto_id="reward_%s"),
    }


@login_required
@require_GET
def opinion_detail(request: AuthenticatedHttpRequest, opinion_id: int) -> HttpResponse:
    o, v = svc.opinion_for_page(request.user, opinion_id)
    return render(request, "congress/opinions/detail.html", _detail_context(o, v))


# Each handling action: the form that parses it, the service, and what to say when done.
ACTIONS: dict[str, tuple[Any, Any, str]] = {
    "assign": (AssignForm, svc.opinion_assign, "assign_form"),
    "answer": (AnswerForm, svc.opinion_answer, "answer_form"),
    "close": (CloseForm, svc.opinion_close, "close_form"),
    "assess": (AssessForm, svc.suggestion_assess, "assess_form"),
    "adopt": (AdoptForm, svc.suggestion_adopt, "adopt_form"),
    "reward": (RewardForm, svc.suggestion_reward, "reward_form"),
}


def _act(request: AuthenticatedHttpRequest, opinion_id: int, action: str) -> HttpResponse:
    o, v = svc.opinion_for_page(request.user, opinion_id)
    if not v.manage:
        raise PermissionDenied
    form_class, service, name = ACTIONS[action]
    kwargs = {"union": o.union} if form_class is AssignForm else {}
    # Several action forms share a page: each gets its own element ids.
    form = form_class(request.POST, auto_id=f"{action}_%s", **kwargs)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if action == "close" and data.get("interview_count") is None:
            data["interview_count"] = 0
        try:
            service(actor=request.user, opinion=o, **data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("congress:opinion_detail", o.pk)
    o.refresh_from_db()
    ctx = _detail_context(o, v, **{name: form})
    return render(request, "congress/opinions/detail.html", ctx, status=400)


@login_required
@require_POST
def opinion_assign(request: AuthenticatedHttpRequest, opinion_id: int) -> HttpResponse:
    return _act(request, opinion_id, "assign")


@login_required
@require_POST
def opinion_answer(request: AuthenticatedHttpRequest, opinion_id: int) -> HttpResponse:
    return _act(request, opinion_id, "answer")


@login_required
@require_POST
def opinion_close(request: AuthenticatedHttpRequest, opinion_id: int) -> HttpResponse:
    return _act(request, opinion_id, "close")


@login_required
@require_POST
def opinion_assess(request: AuthenticatedHttpRequest, opinion_id: int) -> HttpResponse:
    return _act(request, opinion_id, "assess")


@login_required
@require_POST
def opinion_adopt(request: AuthenticatedHttpRequest, opinion_id: int) -> HttpResponse:
    return _act(request, opinion_id, "adopt")


@login_required
@require_POST
def opinion_reward(request: AuthenticatedHttpRequest, opinion_id: int) -> HttpResponse:
    return _act(request, opinion_id, "reward")


# ---- members ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def opinion_submit(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _member_union(request)
    if not request.user.person_id:
        raise PermissionDenied
    form = OpinionSubmitForm(request.POST or None, initial={"kind": OpinionKind.OPINION})
    if request.method == "POST" and form.is_valid():
        try:
            svc.opinion_submit(actor=request.user, union=union, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Thank you. The union will follow up and answer you."))
            return redirect("congress:opinion_mine")
    return render(request, "congress/opinions/submit.html", {"form": form, "union": union})


@login_required
@require_GET
def opinion_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _member_union(request)
    rows = _decorate(list(svc.my_opinions(request.user)))
    return render(request, "congress/opinions/mine.html", {"rows": rows, "union": union})


# ---- figures ---------------------------------------------------------------------------


@login_required
@require_GET
def opinion_stats(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _managed_union(request)
    year = _year(request)
    summary = svc.opinion_summary(union, year)
    report = svc.quota_report(union, year)
    quota = report.quota
    initial = {"year": year}
    if quota is not None:
        initial |= {"per_person": quota.per_person, "per_team": quota.per_team}
        initial |= {"per_unit": quota.per_unit}
    ctx = {
        "union": union,
        "year": year,
        "year_form": YearForm(initial={"year": year}),
        "summary": summary,
        "chart": svc.chart_data(summary),
        "report": report,
        "quota_form": QuotaForm(initial=initial),
    }
    return render(request, "congress/opinions/stats.html", ctx)


@login_required
@require_POST
def opinion_quota(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _managed_union(request)
    form = QuotaForm(request.POST)
    if form.is_valid():
        try:
            svc.quota_set(actor=request.user, union=union, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("The quota was saved."))
        year = form.cleaned_data["year"]
        return redirect(f"{reverse('congress:opinion_stats')}?{urlencode({'year': year})}")
    messages.error(request, _("Check the quota figures."))
    return redirect("congress:opinion_stats")


@login_required
@require_GET
def opinion_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.has_any(request.user, Perm.VIEW_STATS):
        raise PermissionDenied
    year = _year(request)
    rows = svc.subordinate_counts(request.user, year)
    return render(
        request,
        "congress/opinions/counts.html",
        {"rows": rows, "year": year, "year_form": YearForm(initial={"year": year})},
    )
