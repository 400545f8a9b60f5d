"""Proposal pages: the list and one proposal with its history (members read them on their
phones), submitting and co-signing (delegates), review (the proposal committee), the
department's inbox and reply, the proposer's rating, departments, counts for upper unions
and the handling report. Views parse, check access, call one service, render or redirect."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit
from gonghui.core.web import AuthenticatedHttpRequest, form_error

from . import proposal_report
from . import proposals as svc
from .models import Department, Proposal, ProposalAttachment
from .proposal_forms import (
    AcceptForm,
    ConvertForm,
    DepartmentForm,
    HandlersForm,
    ProposalFilterForm,
    ProposalForm,
    RateForm,
    ReassignForm,
    ReplyForm,
    WithdrawForm,
)
from .queries import delegate_for, get_session_for, home_union, may_manage, unions_managed

S = Proposal.Status
# Keyed by the status value read from a row (a plain str).
STATUS_BADGES: dict[str, str] = {
    S.COLLECTING: "text-bg-light border",
    S.SUBMITTED: "text-bg-info",
    S.ACCEPTED: "text-bg-primary",
    S.REPLIED: "text-bg-warning",
    S.REHANDLING: "text-bg-danger",
    S.CLOSED: "text-bg-success",
    S.CONVERTED: "text-bg-secondary",
    S.WITHDRAWN: "text-bg-secondary",
}
MAX_POINTS = 20


def _today() -> date:
    return timezone.localdate()


def _decorate(proposals: list[Proposal], today: date) -> list[Proposal]:
    """Labels and flags for rows, so the templates only show them."""
    status = {v: str(label) for v, label in S.choices}
    rating = {v: str(label) for v, label in Proposal.Rating.choices}
    for p in proposals:  # display-only attributes for the templates
        p.status_label = status.get(p.status, p.status)  # type: ignore[attr-defined]
        p.badge = STATUS_BADGES.get(p.status, "text-bg-secondary")  # type: ignore[attr-defined]
        p.rating_label = rating.get(p.rating, "")  # type: ignore[attr-defined]
        p.overdue = svc.is_overdue(p, today)  # type: ignore[attr-defined]
    return proposals


def _list_union(request: AuthenticatedHttpRequest) -> OrgUnit:
    union = home_union(request.user)
    if union is None:
        raise PermissionDenied
    return union


# ---- the list --------------------------------------------------------------------------


@login_required
@require_GET
def proposal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _list_union(request)
    today = _today()
    sessions = svc.sessions_for_list(request.user, union)
    form = ProposalFilterForm(request.GET, union=union, sessions=sessions)
    f = form.to_filter()
    visible = svc.proposals_of_union(request.user, union)
    rows = _decorate(
        list(
            svc.filter_proposals(visible, f, today).order_by("-session__held_on", "number", "-id")
        ),
        today,
    )
    counts = svc.proposal_counts(visible.filter(session=f.session) if f.session else visible, today)
    open_sessions = []
    for s in sessions[:6]:
        window = svc.window_for(s, today)
        if window.open and delegate_for(request.user, s.term) is not None:
            open_sessions.append((s, window))
    ctx = {
        "union": union,
        "form": form,
        "rows": rows,
        "counts": counts,
        "manage": may_manage(request.user, union),
        "open_sessions": open_sessions,
        "has_inbox": svc.handler_departments(request.user).exists(),
        "query": urlencode({k: v for k, v in request.GET.dict().items() if v}),
        "report_session": f.session,
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "congress/proposals/partials/_rows.html", ctx)
    return render(request, "congress/proposals/list.html", ctx)


# ---- one proposal ------------------------------------------------------------------------


def _page(request: AuthenticatedHttpRequest, proposal_id: int) -> tuple[Proposal, svc.Viewer]:
    return svc.proposal_for_page(request.user, proposal_id)


def _detail_context(
    request: AuthenticatedHttpRequest, p: Proposal, v: svc.Viewer, **forms: Any
) -> dict:
    today = _today()
    _decorate([p], today)
    union = svc.union_of(p)
    replies = list(p.replies.prefetch_related("attachments").select_related("replied_by"))
    rating = {val: str(label) for val, label in Proposal.Rating.choices}
    for r in replies:
        r.rating_label = rating.get(r.rating, "")  # type: ignore[attr-defined]  # display only
    cosigners = list(p.cosignatures.select_related("delegate__person").order_by("at"))
    already = v.seat is not None and any(
        c.delegate.person_id == v.seat.person_id for c in cosigners
    )
    window_open = svc.window_for(p.session, today).open
    ctx = {
        "p": p,
        "v": v,
        "history": svc.history(p),
        "replies": replies,
        "cosigners": cosigners,
        "cosigners_needed": svc.rules_for(union).cosigners_min,
        "can_cosign": (
            v.seat is not None
            and not v.proposer
            and not already
            and window_open
            and p.status in svc.BEFORE_REVIEW
        ),
        "can_withdraw": v.proposer and p.status in svc.BEFORE_REVIEW,
        "can_review": v.manage and p.status in svc.BEFORE_REVIEW,
        "can_reassign": v.manage and p.status in svc.AWAITING_REPLY,
        "can_mark": v.manage and p.status in svc.ACCEPTED_STATUSES,
        "can_reply": v.handler and p.status in svc.AWAITING_REPLY,
        "can_rate": v.proposer and p.status == S.REPLIED,
        "reassign_form": forms.get("reassign_form")
        or ReassignForm(union=union, initial={"department": p.department_id, "due_on": p.due_on}),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
    }
    return ctx


@login_required
@require_GET
def proposal_detail(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    p, v = _page(request, proposal_id)
    return render(request, "congress/proposals/detail.html", _detail_context(request, p, v))


@login_required
@require_http_methods(["GET", "POST"])
def proposal_submit(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for(request.user, session_id)
    if delegate_for(request.user, session.term) is None:
        raise PermissionDenied
    window = svc.window_for(session, _today())
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            p = svc.proposal_submit(user=request.user, session=session, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Your proposal is in. Ask fellow delegates to co-sign."))
            return redirect("congress:proposal_detail", p.pk)
    return render(
        request,
        "congress/proposals/submit.html",
        {"form": form, "session": session, "window": window},
    )


@login_required
@require_POST
def proposal_cosign(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    p, v = _page(request, proposal_id)
    if v.seat is None:
        raise PermissionDenied
    try:
        svc.proposal_cosign(user=request.user, proposal=p)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("You co-signed this proposal."))
    return redirect("congress:proposal_detail", p.pk)


@login_required
@require_POST
def proposal_withdraw(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    p, v = _page(request, proposal_id)
    if not v.proposer:
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        svc.proposal_withdraw(
            user=request.user, proposal=p, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The proposal was withdrawn."))
    return redirect("congress:proposal_detail", p.pk)


# ---- the committee -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def proposal_review(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    p, v = _page(request, proposal_id)
    if not v.manage:
        raise PermissionDenied
    union = svc.union_of(p)
    action = request.POST.get("action")
    accept = AcceptForm(request.POST if action == "accept" else None, union=union)
    convert = ConvertForm(request.POST if action == "convert" else None)
    if request.method == "POST":
        try:
            if action == "accept" and accept.is_valid():
                svc.proposal_accept(actor=request.user, proposal=p, **accept.cleaned_data)
                messages.success(request, _("The proposal was accepted and assigned."))
                return redirect("congress:proposal_detail", p.pk)
            if action == "convert" and convert.is_valid():
                svc.proposal_convert(
                    actor=request.user, proposal=p, reason=convert.cleaned_data["reason"]
                )
                messages.success(request, _("The proposal was turned into an opinion."))
                return redirect("congress:proposal_detail", p.pk)
        except DomainError as e:
            form_error(accept if action == "accept" else convert, e)
    ctx = _detail_context(request, p, v)
    ctx.update(accept_form=accept, convert_form=convert)
    return render(request, "congress/proposals/review.html", ctx)


@login_required
@require_POST
def proposal_reassign(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    p, v = _page(request, proposal_id)
    if not v.manage:
        raise PermissionDenied
    form = ReassignForm(request.POST, union=svc.union_of(p))
    if form.is_valid():
        try:
            svc.proposal_reassign(actor=request.user, proposal=p, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("The proposal was reassigned."))
            return redirect("congress:proposal_detail", p.pk)
    ctx = _detail_context(request, p, v, reassign_form=form)
    return render(request, "congress/proposals/detail.html", ctx, status=400)


@login_required
@require_POST
def proposal_outstanding(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    p, v = _page(request, proposal_id)
    if not v.manage:
        raise PermissionDenied
    try:
        svc.proposal_mark_outstanding(
            actor=request.user, proposal=p, outstanding=request.POST.get("outstanding") == "1"
        )
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("congress:proposal_detail", p.pk)


# ---- the department ----------------------------------------------------------------------


@login_required
@require_GET
def proposal_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    departments = list(svc.handler_departments(request.user))
    if not departments:
        raise PermissionDenied
    today = _today()
    rows = _decorate(list(svc.handler_inbox(request.user)), today)
    waiting = [p for p in rows if p.status in svc.AWAITING_REPLY]
    done = [p for p in rows if p.status not in svc.AWAITING_REPLY]
    return render(
        request,
        "congress/proposals/inbox.html",
        {"departments": departments, "waiting": waiting, "done": done},
    )


def _points_from(request: AuthenticatedHttpRequest) -> list[dict[str, str]]:
    points = request.POST.getlist("point")[:MAX_POINTS]
    answers = request.POST.getlist("answer")[:MAX_POINTS]
    return [{"point": p, "answer": a} for p, a in zip(points, answers, strict=False)]


@login_required
@require_http_methods(["GET", "POST"])
def proposal_reply(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    p, v = _page(request, proposal_id)
    if not v.handler:
        raise PermissionDenied
    form = ReplyForm(request.POST or None)
    points = _points_from(request) if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        try:
            svc.proposal_reply(
                user=request.user,
                proposal=p,
                points=points,
                body=form.cleaned_data["body"],
                attachments=request.FILES.getlist("attachments"),
            )
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Your reply was sent to the proposer."))
            return redirect("congress:proposal_detail", p.pk)
    ctx = _detail_context(request, p, v)
    ctx.update(form=form, points=points or [{"point": "", "answer": ""}])
    return render(request, "congress/proposals/reply.html", ctx)


@login_required
@require_GET
def proposal_point_row(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One more empty point for the reply form (htmx)."""
    return render(request, "congress/proposals/partials/_point.html", {"pt": {}})


@login_required
@require_GET
def proposal_attachment(request: AuthenticatedHttpRequest, attachment_id: int) -> FileResponse:
    att = ProposalAttachment.objects.filter(pk=attachment_id).first()
    if att is None:
        raise Http404
    _page(request, att.proposal_id)  # the proposal's readers may download its attachments
    path = svc.attachment_path(att)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=att.file_name)


# ---- the proposer's rating ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def proposal_rate(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    p, v = _page(request, proposal_id)
    if not v.proposer:
        raise PermissionDenied
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.proposal_rate(user=request.user, proposal=p, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Thank you: your rating was recorded."))
            return redirect("congress:proposal_detail", p.pk)
    ctx = _detail_context(request, p, v)
    ctx.update(form=form)
    return render(request, "congress/proposals/rate.html", ctx)


# ---- departments, counts, report -------------------------------------------------------


def _managed_union(request: AuthenticatedHttpRequest) -> OrgUnit:
    union = unions_managed(request.user).order_by("depth", "path").first()
    if union is None:
        raise PermissionDenied
    return union


@login_required
@require_http_methods(["GET", "POST"])
def proposal_departments(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _managed_union(request)
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.department_create(actor=request.user, union=union, name=form.cleaned_data["name"])
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("The department was added."))
            return redirect("congress:proposal_departments")
    departments = list(
        Department.objects.filter(union=union, archived_at__isnull=True).prefetch_related(
            "handlers"
        )
    )
    for d in departments:
        d.handlers_form = HandlersForm(  # type: ignore[attr-defined]  # display only
            union=union, initial={"handlers": list(d.handlers.all())}, prefix=f"d{d.pk}"
        )
    return render(
        request,
        "congress/proposals/departments.html",
        {"union": union, "form": form, "departments": departments},
    )


@login_required
@require_POST
def proposal_department_handlers(
    request: AuthenticatedHttpRequest, department_id: int
) -> HttpResponse:
    dept = Department.objects.select_related("union").filter(pk=department_id).first()
    if dept is None or not access.has_perm(request.user, Perm.PARTICIPATE, dept.union):
        raise Http404
    if not may_manage(request.user, dept.union):
        raise PermissionDenied
    form = HandlersForm(request.POST, union=dept.union, prefix=f"d{dept.pk}")
    if form.is_valid():
        try:
            svc.department_set_handlers(
                actor=request.user, department=dept, users=form.cleaned_data["handlers"]
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Handlers saved."))
    else:
        messages.error(request, _("Choose handlers from the list."))
    return redirect("congress:proposal_departments")


@login_required
@require_GET
def proposal_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.has_any(request.user, Perm.VIEW_STATS):
        raise PermissionDenied
    rows = svc.subordinate_counts(request.user, _today())
    return render(request, "congress/proposals/counts.html", {"rows": rows})


@login_required
@require_GET
def proposal_report_docx(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for(request.user, session_id, manage=True)
    data = proposal_report.build_report(session, today=_today())
    name = f"提案办理情况报告-{session.label}.docx"
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = (
        f"attachment; filename=proposal-report-{session.pk}.docx; filename*=UTF-8''{quote(name)}"
    )
    return response
