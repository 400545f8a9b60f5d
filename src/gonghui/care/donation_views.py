"""Donation drive pages: the list, a new drive, one drive (totals by source with a chart,
donations, money given out), the entry grid, money given out, the public thank-you list,
the Excel export and the counts for upper unions.

Access: running a drive is for those who manage care in its union; members of the union
see its drives and the thank-you list; upper unions see counts. Outside their reach a drive
does not exist (404).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.web import AuthenticatedHttpRequest, form_error

from . import donations, insurance
from .donation_forms import DonationGrid, DriveForm, GridDateForm, UseForm, YearForm
from .models.donations import DonationDrive

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_manage(request: AuthenticatedHttpRequest) -> None:
    if not donations.may_manage(request.user):
        raise PermissionDenied


def _managed_or_404(request: AuthenticatedHttpRequest, pk: int) -> DonationDrive:
    _require_manage(request)
    drive = donations.drive_managed(request.user, pk)
    if drive is None:
        raise Http404
    return drive


def _detail_url(drive: DonationDrive) -> str:
    return reverse("care:donation_drive_detail", args=[drive.pk])


@login_required
@require_GET
def donation_drive_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    manages = donations.may_manage(user)
    if not manages and not access.has_any(user, Perm.PARTICIPATE):
        raise PermissionDenied
    managed = set(donations.drives_managed(user).values_list("pk", flat=True))
    drives = list(donations.drives_visible(user)[:200])
    for d in drives:
        d.can_manage = d.pk in managed  # type: ignore[attr-defined]  # display only
    return render(
        request,
        "care/donations/list.html",
        {"drives": drives, "can_open": bool(donations.manage_unions(user)), "manages": manages},
    )


@login_required
@require_http_methods(["GET", "POST"])
def donation_drive_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manage(request)
    if not donations.manage_unions(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = DriveForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                drive = donations.drive_open(actor=request.user, **form.cleaned_data)
            except DomainError as e:
                form_error(form, e)
            else:
                messages.success(request, _("Drive opened."))
                return redirect(_detail_url(drive))
    else:
        form = DriveForm(initial={"starts_on": timezone.localdate()}, user=request.user)
    return render(request, "care/donations/new.html", {"form": form})


@login_required
@require_GET
def donation_drive_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    drive = _managed_or_404(request, pk)
    totals = donations.drive_totals(drive)
    pie = [{"name": s.label, "value": float(s.amount)} for s in totals.by_source]
    return render(
        request,
        "care/donations/detail.html",
        {
            "drive": drive,
            "totals": totals,
            "pie": pie,
            "donations": drive.donations.select_related("donor"),
            "uses": drive.uses.select_related("recipient__person"),
            "thanks": donations.thank_you_list(drive),
            "is_open": drive.status == DonationDrive.Status.OPEN,
        },
    )


@login_required
@require_POST
def donation_drive_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    drive = _managed_or_404(request, pk)
    try:
        donations.drive_close(actor=request.user, drive=drive)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Drive closed."))
    return redirect(_detail_url(drive))


@login_required
@require_http_methods(["GET", "POST"])
def donation_entry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Many donations at once: the office types the collection sheet into a grid."""
    drive = _managed_or_404(request, pk)
    if request.method == "POST":
        grid, head = DonationGrid(request.POST, prefix="row"), GridDateForm(request.POST)
        if grid.is_valid() and head.is_valid():
            on: date = head.cleaned_data["donated_on"]
            rows = [
                donations.DonationRow(
                    donor_name=f.cleaned_data["donor_name"],
                    source=f.cleaned_data["source"],
                    amount=(
                        f.cleaned_data["amount"]
                        if f.cleaned_data["amount"] is not None
                        else Decimal(0)
                    ),
                    donated_on=on,
                    anonymous=f.cleaned_data["anonymous"],
                )
                for f in grid.forms
                if not f.is_blank()
            ]
            try:
                saved = donations.donations_record(actor=request.user, drive=drive, rows=rows)
            except DomainError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, _("%(n)s donations recorded.") % {"n": len(saved)})
                return redirect(_detail_url(drive))
    else:
        grid = DonationGrid(prefix="row")
        head = GridDateForm(initial={"donated_on": timezone.localdate()})
    return render(
        request, "care/donations/entry.html", {"drive": drive, "grid": grid, "head": head}
    )


@login_required
@require_http_methods(["GET", "POST"])
def donation_use_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    drive = _managed_or_404(request, pk)
    if request.method == "POST":
        form = UseForm(request.POST, drive=drive)
        if form.is_valid():
            try:
                donations.donation_use_record(actor=request.user, drive=drive, **form.cleaned_data)
            except DomainError as e:
                form_error(form, e)
            else:
                messages.success(request, _("Recorded."))
                return redirect(_detail_url(drive))
    else:
        form = UseForm(initial={"given_on": timezone.localdate()}, drive=drive)
    totals = donations.drive_totals(drive)
    return render(
        request, "care/donations/use_new.html", {"drive": drive, "form": form, "totals": totals}
    )


@login_required
@require_GET
def donation_thanks(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    drive = donations.drive_visible(request.user, pk)
    if drive is None:
        raise Http404
    return render(
        request,
        "care/donations/thanks.html",
        {
            "drive": drive,
            "thanks": donations.thank_you_list(drive),
            "totals": donations.drive_totals(drive),
        },
    )


@login_required
@require_GET
def donation_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    drive = _managed_or_404(request, pk)
    response = HttpResponse(donations.donations_xlsx(drive), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="donations-{drive.pk}.xlsx"'
    return response


@login_required
@require_GET
def donation_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Drives and insurance per union in the user's statistical reach: figures only."""
    if not access.has_any(request.user, Perm.VIEW_STATS):
        raise PermissionDenied
    form = YearForm(request.GET)
    year = timezone.localdate().year
    if form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    return render(
        request,
        "care/donations/counts.html",
        {
            "year": year,
            "drives": donations.counts_by_union(request.user, year),
            "plans": insurance.counts_by_union(request.user, year),
        },
    )
