"""Distribution pages: the list, the plan form with presets, one distribution with its
progress while the list is built, the recipient list with tick-off and the chair's
override, the receipt sheets, and the counts for upper unions.

Access: planning and the lists are for those who manage care in the distribution's union
(chair, cadre, care officer, administrator); the counts page for anyone with statistics
(upper unions see counts, never names). Outside their reach a distribution does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import BackgroundJob, OrgUnit, User
from gonghui.core.web import AuthenticatedHttpRequest, form_error
from gonghui.members.models import EmploymentType, WorkStatus

from . import distributions, receipts, rules
from .distribution_forms import (
    PRESET_LABELS,
    GroupHandoutForm,
    HandoutForm,
    LineFilterForm,
    PlanForm,
    ReasonForm,
    preset_initial,
)
from .models import Distribution, DistributionLine

PER_PAGE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_manage(request: AuthenticatedHttpRequest) -> None:
    if not distributions.may_manage(request.user):
        raise PermissionDenied


def _distribution_or_404(request: AuthenticatedHttpRequest, pk: int) -> Distribution:
    _require_manage(request)
    d = distributions.distribution_for(request.user, pk)
    if d is None:
        raise Http404
    return d


def _line_or_404(d: Distribution, line_id: int) -> DistributionLine:
    line = (
        d.lines.select_related("member__person", "member__unit", "distribution__union")
        .filter(pk=line_id)
        .first()
    )
    if line is None:
        raise Http404
    return line


def _detail_url(d: Distribution, query: str = "") -> str:
    url = reverse("care:distribution_detail", args=[d.pk])
    return f"{url}?{query}" if query else url


# ---- list and plan ------------------------------------------------------------------------


@login_required
@require_GET
def distribution_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manage(request)
    page = Paginator(distributions.distributions_for(request.user), 25).get_page(
        request.GET.get("page")
    )
    presets = [(key, PRESET_LABELS[key]) for key in rules.PRESETS]
    return render(
        request,
        "care/distributions/list.html",
        {
            "page": page,
            "presets": presets,
            "can_plan": bool(distributions.plan_unions(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def distribution_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manage(request)
    if not distributions.plan_unions(request.user):
        raise PermissionDenied
    preset = request.GET.get("preset", "")
    if request.method == "POST":
        form = PlanForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                d = distributions.distribution_plan(
                    actor=request.user,
                    union=data["union"],
                    title=data["title"],
                    kind=data["kind"],
                    cap_item=data["cap_item"],
                    given_on=data["given_on"],
                    amount_per_person=data["amount_per_person"],
                    gift_description=data["gift_description"],
                    criteria=form.criteria(),
                )
            except DomainError as e:
                form_error(form, e)
            else:
                messages.success(request, _("Planned. Build the list of recipients next."))
                return redirect(_detail_url(d))
    else:
        form = PlanForm(initial=preset_initial(preset, timezone.localdate()), user=request.user)
    presets = [(key, PRESET_LABELS[key], key == preset) for key in rules.PRESETS]
    return render(request, "care/distributions/new.html", {"form": form, "presets": presets})


# ---- one distribution ---------------------------------------------------------------------

# Keyed by the cap state value read from a line (a plain str).
CAP_BADGES: dict[str, str] = {
    DistributionLine.CapState.OK: "text-bg-success",
    DistributionLine.CapState.OVER: "text-bg-danger",
    DistributionLine.CapState.OVERRIDDEN: "text-bg-warning",
}


def _rows(user: User, d: Distribution, lines: list[DistributionLine]) -> list[DistributionLine]:
    """What each row shows and offers, decided here rather than in the template."""
    ready = d.status == Distribution.Status.READY
    may_override = access.has_perm(user, Perm.OVERRIDE_CAPS, d.union)
    states = dict(DistributionLine.CapState.choices)
    for ln in lines:  # display-only attributes for the templates
        open_ = ready and ln.handed_out_at is None and ln.excluded_at is None
        is_over = ln.cap_state == DistributionLine.CapState.OVER and ln.excluded_at is None
        ln.badge = CAP_BADGES.get(ln.cap_state, "text-bg-secondary")  # type: ignore[attr-defined]
        ln.state_label = states.get(ln.cap_state, ln.cap_state)  # type: ignore[attr-defined]
        ln.is_over = is_over  # type: ignore[attr-defined]
        ln.can_tick = open_ and rules.may_hand_out(ln.cap_state)  # type: ignore[attr-defined]
        ln.can_override = open_ and may_override and is_over  # type: ignore[attr-defined]
        ln.can_exclude = open_  # type: ignore[attr-defined]
    return lines


def _progress_context(d: Distribution, job: BackgroundJob | None) -> dict[str, Any]:
    """Core's progress bar, polled here rather than at the job's own URL: everyone who may
    see the distribution may watch its build, not only the cadre who started it."""
    return {
        "job": job,
        "poll_url": reverse("care:distribution_progress", args=[d.pk]),
        "progress_id": "build-progress",
    }


def _detail_context(request: AuthenticatedHttpRequest, d: Distribution) -> dict[str, Any]:
    groups = distributions.group_figures(d)
    form = LineFilterForm(request.GET, groups=[(g.unit_id, g.name) for g in groups])
    unit_id, state, q = form.values()
    qs = distributions.line_search(d, unit_id=unit_id, state=state, q=q)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in (("unit", unit_id or ""), ("state", state), ("q", q)) if v}
    ready = d.status == Distribution.Status.READY
    today = timezone.localdate()
    return {
        "d": d,
        **_progress_context(d, d.job),
        "building": d.status == Distribution.Status.BUILDING,
        # A finished build's message would go stale as people are ticked off; a failure
        # stays until the next build.
        "show_progress": d.job is not None
        and (
            d.status == Distribution.Status.BUILDING or d.job.status == BackgroundJob.Status.FAILED
        ),
        "ready": ready,
        "can_build": d.status == Distribution.Status.DRAFT or (ready and d.handed_out_count == 0),
        "can_close": ready,
        "has_list": d.status in (Distribution.Status.READY, Distribution.Status.CLOSED),
        "form": form,
        "page": page,
        "rows": _rows(request.user, d, list(page.object_list)),
        "query": urlencode(params),
        "groups": groups,
        "today": today,
        "handout_form": HandoutForm(initial={"on": today}),
        "criteria": _criteria_text(d),
    }


def _criteria_text(d: Distribution) -> list[str]:
    """The selection in words, for the page header."""
    c = rules.criteria_from_json(d.criteria)
    work = dict(WorkStatus.choices)
    emp = dict(EmploymentType.choices)
    out = []
    if c.work_statuses:
        out.append(", ".join(str(work.get(w, w)) for w in c.work_statuses))
    if c.employment_types:
        out.append(", ".join(str(emp.get(e, e)) for e in c.employment_types))
    if c.unit_ids:
        names = OrgUnit.objects.filter(pk__in=c.unit_ids).values_list("name", flat=True)
        out.append(", ".join(names))
    if c.birth_month:
        out.append(_("born in month %(m)s") % {"m": c.birth_month})
    if c.posts:
        out.append(_("post contains %(w)s") % {"w": ", ".join(c.posts)})
    return out


@login_required
@require_GET
def distribution_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    d = _distribution_or_404(request, pk)
    ctx = _detail_context(request, d)
    if request.htmx and not request.htmx.boosted:
        if request.GET.get("part") == "summary":
            return render(request, "care/distributions/partials/_summary.html", ctx)
        return render(request, "care/distributions/partials/_lines.html", ctx)
    return render(request, "care/distributions/detail.html", ctx)


@login_required
@require_GET
def distribution_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled while the list is built; when the work ends the polling
    page reloads itself to show the list."""
    d = _distribution_or_404(request, pk)
    job = d.job
    if job is None:
        raise Http404
    response = render(request, "core/partials/_job_progress.html", _progress_context(d, job))
    if request.htmx and job.status in (BackgroundJob.Status.DONE, BackgroundJob.Status.FAILED):
        response["HX-Refresh"] = "true"
    return response


def _act(request: AuthenticatedHttpRequest, d: Distribution, call: Any, done: str) -> HttpResponse:
    try:
        call()
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, done)
    return redirect(_detail_url(d, request.POST.get("back", "")))


@login_required
@require_POST
def distribution_build(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    d = _distribution_or_404(request, pk)
    return _act(
        request,
        d,
        lambda: distributions.distribution_build(
            actor=request.user, distribution=d, language=translation.get_language()
        ),
        _("Building the list of recipients."),
    )


@login_required
@require_POST
def distribution_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    d = _distribution_or_404(request, pk)
    return _act(
        request,
        d,
        lambda: distributions.distribution_close(actor=request.user, distribution=d),
        _("The distribution is closed."),
    )


@login_required
@require_POST
def distribution_handout(request: AuthenticatedHttpRequest, pk: int, line_id: int) -> HttpResponse:
    """Tick off one person; on an htmx request only the row is redrawn."""
    d = _distribution_or_404(request, pk)
    line = _line_or_404(d, line_id)
    form = HandoutForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Enter the date of hand-out.")
    else:
        try:
            distributions.handout_mark(actor=request.user, lines=[line], on=form.cleaned_data["on"])
        except DomainError as e:
            error = e.message
    if request.htmx:
        line = _line_or_404(d, line_id)
        d.refresh_from_db()
        ctx = {"ln": _rows(request.user, d, [line])[0], "d": d, "error": error}
        ctx["today"] = timezone.localdate()
        response = render(request, "care/distributions/partials/_line_row.html", ctx)
        response["HX-Trigger"] = "distribution-changed"  # the figures and groups redraw
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s: handed out.") % {"name": line.member.person.name})
    return redirect(_detail_url(d, request.POST.get("back", "")))


@login_required
@require_POST
def distribution_handout_group(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Tick off everyone of one group who may receive the gift; people over the cap
    without the chair's approval stay open."""
    d = _distribution_or_404(request, pk)
    form = GroupHandoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date of hand-out."))
        return redirect(_detail_url(d))
    lines = distributions.waiting_lines(d, form.cleaned_data["unit"])
    if not lines:
        messages.info(request, _("Nobody in this group is waiting for the gift."))
        return redirect(_detail_url(d, request.POST.get("back", "")))
    return _act(
        request,
        d,
        lambda: distributions.handout_mark(
            actor=request.user, lines=lines, on=form.cleaned_data["on"]
        ),
        _("%(n)s people ticked off.") % {"n": len(lines)},
    )


@login_required
@require_POST
def distribution_override(request: AuthenticatedHttpRequest, pk: int, line_id: int) -> HttpResponse:
    d = _distribution_or_404(request, pk)
    if not access.has_perm(request.user, Perm.OVERRIDE_CAPS, d.union):
        raise PermissionDenied
    line = _line_or_404(d, line_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the reason for allowing a gift over the cap."))
        return redirect(_detail_url(d, request.POST.get("back", "")))
    return _act(
        request,
        d,
        lambda: distributions.line_override(
            actor=request.user, line=line, reason=form.cleaned_data["reason"]
        ),
        _("%(name)s: allowed over the cap.") % {"name": line.member.person.name},
    )


@login_required
@require_POST
def distribution_exclude(request: AuthenticatedHttpRequest, pk: int, line_id: int) -> HttpResponse:
    d = _distribution_or_404(request, pk)
    line = _line_or_404(d, line_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why this person is taken off the list."))
        return redirect(_detail_url(d, request.POST.get("back", "")))
    return _act(
        request,
        d,
        lambda: distributions.line_exclude(
            actor=request.user, line=line, reason=form.cleaned_data["reason"]
        ),
        _("%(name)s: taken off the list.") % {"name": line.member.person.name},
    )


# ---- receipt sheets -----------------------------------------------------------------------


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _with_list(request: AuthenticatedHttpRequest, pk: int) -> Distribution:
    d = _distribution_or_404(request, pk)
    if d.status not in (Distribution.Status.READY, Distribution.Status.CLOSED):
        raise Http404
    return d


@login_required
@require_GET
def distribution_receipts_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    d = _with_list(request, pk)
    return _download(receipts.receipts_docx(d), DOCX, receipts.file_name(d, "docx"))


@login_required
@require_GET
def distribution_receipts_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    d = _with_list(request, pk)
    return _download(receipts.receipts_xlsx(d), XLSX, receipts.file_name(d, "xlsx"))


# ---- counts for upper unions --------------------------------------------------------------


@login_required
@require_GET
def distribution_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.has_any(request.user, Perm.VIEW_STATS):
        raise PermissionDenied
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    rows = distributions.counts_by_union(request.user, year)
    totals = {
        "distributions": sum(r.distributions for r in rows),
        "recipients": sum(r.recipients for r in rows),
        "handed_out": sum(r.handed_out for r in rows),
        "total": sum((r.total for r in rows), rules.yuan(0)),
    }
    chart = {
        "names": [r.name for r in rows],
        "recipients": [r.recipients for r in rows],
        "handed_out": [r.handed_out for r in rows],
    }
    return render(
        request,
        "care/distributions/counts.html",
        {
            "rows": rows,
            "totals": totals,
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
            "chart": chart,
            "chart_labels": {"recipients": _("On the list"), "handed_out": _("Handed out")},
        },
    )
