"""Mutual-aid insurance pages: plans with their enrolment rate, bulk enrolment, the
enrolment list and its export, claims (list, new, one claim and its decision, documents),
and "my insurance" for members.

Access: plans, enrolment and claim decisions are for those who manage care in the plan's
union. A claim holds health data: it is shown to them and to the member it belongs to,
to nobody else (404), and a manager's reading it is logged.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.services import log_sensitive_read
from gonghui.core.web import AuthenticatedHttpRequest, form_error

from . import donations, insurance
from .insurance_forms import ClaimForm, DecideForm, EnrolForm, PlanForm
from .models.donations import InsuranceClaim, InsurancePlan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_manage(request: AuthenticatedHttpRequest) -> None:
    if not donations.may_manage(request.user):
        raise PermissionDenied


def _plan_or_404(request: AuthenticatedHttpRequest, pk: int) -> InsurancePlan:
    _require_manage(request)
    plan = insurance.plan_managed(request.user, pk)
    if plan is None:
        raise Http404
    return plan


def _claim_or_404(request: AuthenticatedHttpRequest, pk: int) -> InsuranceClaim:
    claim = insurance.claim_visible(request.user, pk)
    if claim is None:
        raise Http404
    return claim


def _plan_url(plan: InsurancePlan) -> str:
    return reverse("care:insurance_plan_detail", args=[plan.pk])


def _claim_url(claim: InsuranceClaim) -> str:
    return reverse("care:insurance_claim_detail", args=[claim.pk])


@login_required
@require_GET
def insurance_plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manage(request)
    plans = insurance.plans_with_figures(request.user)
    due = {p.pk for p in insurance.renewals_due(timezone.localdate())}
    for p in plans:
        p.renewal_due = p.pk in due  # type: ignore[attr-defined]  # display only
    return render(
        request,
        "care/insurance/plan_list.html",
        {"plans": plans, "can_create": bool(donations.manage_unions(request.user))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def insurance_plan_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manage(request)
    if not donations.manage_unions(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = PlanForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                plan = insurance.plan_create(actor=request.user, **form.cleaned_data)
            except DomainError as e:
                form_error(form, e)
            else:
                messages.success(request, _("Plan created. Enrol the members next."))
                return redirect(_plan_url(plan))
    else:
        form = PlanForm(initial={"year": timezone.localdate().year}, user=request.user)
    return render(request, "care/insurance/plan_new.html", {"form": form})


@login_required
@require_GET
def insurance_plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    enrolments = plan.enrolments.select_related("member__person", "member__unit").order_by(
        "member__unit__path", "member__person__name", "id"
    )
    page = Paginator(enrolments, 50).get_page(request.GET.get("page"))
    claims = insurance.claims_managed(request.user).filter(enrolment__plan=plan)
    return render(
        request,
        "care/insurance/plan_detail.html",
        {
            "plan": plan,
            "figures": insurance.plan_figures(plan),
            "page": page,
            "claims": claims,
            "enrol_form": EnrolForm(initial={"enrolled_on": timezone.localdate()}),
        },
    )


@login_required
@require_POST
def insurance_enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose who pays and the date."))
        return redirect(_plan_url(plan))
    try:
        n = insurance.enrol_bulk(actor=request.user, plan=plan, **form.cleaned_data)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("%(n)s members enrolled.") % {"n": n})
    return redirect(_plan_url(plan))


@login_required
@require_GET
def insurance_enrolment_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    response = HttpResponse(insurance.enrolments_xlsx(plan), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="enrolments-{plan.pk}.xlsx"'
    return response


@login_required
@require_GET
def insurance_claim_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manage(request)
    qs = insurance.claims_managed(request.user)
    status = request.GET.get("status", "")
    if status in InsuranceClaim.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "care/insurance/claim_list.html",
        {"page": page, "status": status, "statuses": InsuranceClaim.Status.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def insurance_claim_new(request: AuthenticatedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = insurance.enrolment_for_claim(request.user, enrolment_id)
    if enrolment is None:
        raise Http404
    if request.method == "POST":
        form = ClaimForm(request.POST)
        if form.is_valid():
            try:
                claim = insurance.claim_submit(
                    actor=request.user,
                    enrolment=enrolment,
                    documents=request.FILES.getlist("documents"),
                    **form.cleaned_data,
                )
            except DomainError as e:
                form_error(form, e)
            else:
                messages.success(request, _("Claim submitted."))
                return redirect(_claim_url(claim))
    else:
        form = ClaimForm(initial={"submitted_on": timezone.localdate()})
    return render(request, "care/insurance/claim_new.html", {"form": form, "enrolment": enrolment})


@login_required
@require_GET
def insurance_claim_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(request, pk)
    member = claim.enrolment.member
    manages = access.has_perm(request.user, Perm.MANAGE_CARE, member.union)
    if not access.is_self(request.user, member.person_id):
        log_sensitive_read(
            actor=request.user,
            person=member.person,
            fields=["insurance_claim"],
            unit=member.union,
            context=f"insurance claim {claim.pk}",
        )
    return render(
        request,
        "care/insurance/claim_detail.html",
        {
            "claim": claim,
            "member": member,
            "manages": manages,
            "documents": list(enumerate(claim.documents or [])),
            "can_decide": manages and claim.status == InsuranceClaim.Status.SUBMITTED,
            "can_pay": manages and claim.status == InsuranceClaim.Status.APPROVED,
            "decide_form": DecideForm(
                initial={"paid_on": timezone.localdate(), "amount": claim.approved_amount}
            ),
        },
    )


@login_required
@require_POST
def insurance_claim_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    claim = insurance.claims_managed(request.user).filter(pk=pk).first()
    if claim is None:
        raise Http404
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form."))
        return redirect(_claim_url(claim))
    data = form.cleaned_data
    try:
        if data["action"] == "approve":
            if data["amount"] is None:
                raise DomainError("care.claim_amount", _("Enter the amount approved."))
            insurance.claim_approve(
                actor=request.user, claim=claim, amount=data["amount"], note=data["note"]
            )
        elif data["action"] == "reject":
            insurance.claim_reject(actor=request.user, claim=claim, note=data["note"])
        else:
            insurance.claim_pay(
                actor=request.user,
                claim=claim,
                paid_on=data["paid_on"] or timezone.localdate(),
                amount=data["amount"],
            )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(_claim_url(claim))


@login_required
@require_GET
def insurance_claim_document(
    request: AuthenticatedHttpRequest, pk: int, index: int
) -> FileResponse:
    claim = _claim_or_404(request, pk)
    found = insurance.document_path(claim, index)
    if found is None:
        raise Http404
    path, label = found
    return FileResponse(path.open("rb"), filename=label)


@login_required
@require_GET
def insurance_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's own enrolments, claims and donations."""
    return render(
        request,
        "care/insurance/mine.html",
        {
            "enrolments": insurance.my_enrolments(request.user),
            "donations": donations.my_donations(request.user),
        },
    )
