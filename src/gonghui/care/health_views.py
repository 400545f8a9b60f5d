"""Health-check pages: campaigns of a union, one campaign's list with progress, marking
checks (htmx row), and "my health checks and rest" for members on a phone.

Check lists are health data: only MANAGE_CARE holders of the union see them (another
union's campaign answers 404); upper unions read counts on the summary page. Also holds
the small helpers the rest, retiree and summary pages share.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit
from gonghui.core.web import AuthenticatedHttpRequest, chosen_union, form_error
from gonghui.members.queries import member_of_user

from . import health, rest
from .health_forms import CampaignForm, CheckMarkForm, ScheduleForm
from .models.health import HealthCampaign, HealthCheck


def today() -> date:
    return timezone.localdate()


def managed_union(request: AuthenticatedHttpRequest) -> tuple[OrgUnit, list[OrgUnit]]:
    unions = health.manageable_unions(request.user)
    return chosen_union(request, unions), unions


def _campaign_or_404(request: AuthenticatedHttpRequest, pk: int) -> HealthCampaign:
    if not health.manageable_unions(request.user):
        raise PermissionDenied
    campaign = health.campaign_for(request.user, pk)
    if campaign is None:
        raise Http404
    return campaign


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    union, unions = managed_union(request)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = health.health_campaign_create(
                actor=request.user, union=union, **form.cleaned_data
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Campaign created."))
            return redirect("care:health_campaign", pk=campaign.pk)
    campaigns = list(HealthCampaign.objects.filter(union=union).order_by("-starts_on", "-pk"))
    progress = health.progress_by_campaign([c.pk for c in campaigns])
    rows = [(c, progress.get(c.pk, health.EMPTY)) for c in campaigns]
    ctx = {"union": union, "unions": unions, "rows": rows, "form": form}
    return render(request, "care/health/list.html", ctx, status=400 if form.errors else 200)


def _campaign_context(campaign: HealthCampaign, **extra: Any) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "checks": health.checks_of(campaign),
        "progress": health.campaign_progress(campaign),
        "open": campaign.status == HealthCampaign.Status.OPEN,
        "schedule_form": ScheduleForm(initial={"scheduled_on": campaign.starts_on}),
        "today": today(),
        **extra,
    }


@login_required
@require_GET
def campaign_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    return render(request, "care/health/detail.html", _campaign_context(campaign))


@login_required
@require_POST
def campaign_schedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            n = health.health_checks_schedule(
                actor=request.user, campaign=campaign, **form.cleaned_data
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("%(n)s members added to the list.") % {"n": n})
            return redirect("care:health_campaign", pk=campaign.pk)
    ctx = _campaign_context(campaign, schedule_form=form)
    return render(request, "care/health/detail.html", ctx, status=400)


@login_required
@require_POST
def check_mark(request: AuthenticatedHttpRequest, pk: int, check_id: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    check = HealthCheck.objects.filter(campaign=campaign, pk=check_id).first()
    if check is None:
        raise Http404
    form = CheckMarkForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            check = health.health_check_mark(actor=request.user, check=check, **form.cleaned_data)
        except DomainError as err:
            error = err.message
    else:
        error = _("Choose done or excused.")
    if request.htmx:
        check = HealthCheck.objects.select_related("member__person", "member__unit").get(
            pk=check.pk
        )
        ctx = {
            "c": check,
            "campaign": campaign,
            "open": True,
            "error": error,
            "today": today(),
            # The figures above the list change with the row: swapped out of band.
            "oob": True,
            "progress": health.campaign_progress(campaign),
        }
        # htmx swaps only 2xx answers: a refusal comes back as the row with its message.
        return render(request, "care/health/partials/_check_row.html", ctx)
    if error:
        messages.error(request, error)
    return redirect("care:health_campaign", pk=campaign.pk)


@login_required
@require_POST
def campaign_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    try:
        health.health_campaign_close(actor=request.user, campaign=campaign)
    except DomainError as err:
        messages.error(request, err.message)
    return redirect("care:health_campaign", pk=campaign.pk)


@login_required
@require_GET
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A member's own health checks and rest history (no one else's)."""
    own = member_of_user(request.user)
    if own is None:
        raise Http404
    ctx = {"member": own, "checks": health.my_checks(own), "rest": rest.rest_history(own)}
    return render(request, "care/health/mine.html", ctx)
