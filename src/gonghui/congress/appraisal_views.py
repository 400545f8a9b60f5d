"""Pages of democratic appraisal: the managers' list, definition and subjects, open/close,
paper entry, results with exports; the raters' tasks and phone form; the upper unions'
counts.

Views parse with a form, check access through ``appraisal.get_appraisal_for`` /
``disclosure.union_for`` (404 outside the user's reach, 403 within reach without the
right), call one service and render or redirect.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit
from gonghui.core.web import AuthenticatedHttpRequest, form_error
from gonghui.members.queries import member_of_user

from . import appraisal as svc
from . import disclosure, rules
from .appraisal_forms import AppraisalForm, PaperForm, RatingForm, SubjectForm, scale_to_text
from .models.appraisal import Appraisal, AppraisalSubject

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "SimSun"


def _union(request: AuthenticatedHttpRequest) -> OrgUnit:
    return disclosure.union_for(request.user, request.GET.get("union"), manage=True)


def _detail_url(a: Appraisal) -> str:
    return reverse("congress:appraisal_detail", args=[a.pk])


# ---- managers -------------------------------------------------------------------------------


@login_required
@require_GET
def appraisal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _union(request)
    return render(
        request,
        "congress/appraisal/list.html",
        {"union": union, "appraisals": list(svc.appraisals_of(union).select_related("term"))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _union(request)
    today = timezone.localdate()
    form = AppraisalForm(
        request.POST or None,
        union=union,
        initial={
            "title": _("%(year)s democratic appraisal of leaders") % {"year": today.year},
            "year": today.year,
            "scale": scale_to_text(svc.default_scale()),
            "weighted": True,
            "opens_on": today,
            "closes_on": today,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            a = svc.appraisal_create(actor=request.user, union=union, **form.service_kwargs())
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Appraisal saved. Add the people to be appraised."))
            return redirect(_detail_url(a))
    return render(request, "congress/appraisal/form.html", {"union": union, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_edit(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id)
    initial = {
        "title": a.title,
        "year": a.year,
        "rater_base": a.rater_base,
        "term": a.term,
        "scale": scale_to_text(a.scale),
        "weighted": a.weighted,
        "opens_on": a.opens_on,
        "closes_on": a.closes_on,
    }
    form = AppraisalForm(request.POST or None, union=a.union, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.appraisal_update(actor=request.user, appraisal=a, **form.service_kwargs())
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Appraisal saved."))
            return redirect(_detail_url(a))
    return render(
        request, "congress/appraisal/form.html", {"union": a.union, "form": form, "appraisal": a}
    )


@login_required
@require_GET
def appraisal_detail(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id)
    return _detail(request, a, SubjectForm(union=a.union))


def _detail(
    request: AuthenticatedHttpRequest, a: Appraisal, subject_form: SubjectForm
) -> HttpResponse:
    result = svc.results(a) if a.status != Appraisal.Status.DRAFT else None
    return render(
        request,
        "congress/appraisal/detail.html",
        {
            "appraisal": a,
            "union": a.union,
            "subjects": list(a.subjects.select_related("person")),
            "subject_form": subject_form,
            "participation": result.participation if result else None,
            "receipts": result.receipts if result else 0,
            "batches": list(a.paper.select_related("entered_by").order_by("entered_at")),
            "paper_forms": result.paper_forms if result else 0,
            "is_draft": a.status == Appraisal.Status.DRAFT,
            "is_open": a.status == Appraisal.Status.OPEN,
        },
    )


@login_required
@require_POST
def appraisal_subject_add(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id)
    form = SubjectForm(request.POST, union=a.union)
    if form.is_valid():
        try:
            svc.subject_add(actor=request.user, appraisal=a, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            return redirect(_detail_url(a))
    return _detail(request, a, form)


@login_required
@require_POST
def appraisal_subject_remove(request: AuthenticatedHttpRequest, subject_id: int) -> HttpResponse:
    subject = get_object_or_404(AppraisalSubject, pk=subject_id)
    a = svc.get_appraisal_for(request.user, subject.appraisal_id)
    try:
        svc.subject_remove(actor=request.user, subject=subject)
    except DomainError as e:
        messages.error(request, e.message)
    return redirect(_detail_url(a))


@login_required
@require_POST
def appraisal_open(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id)
    try:
        svc.appraisal_open(actor=request.user, appraisal=a)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Rating is open. Raters find it under My appraisal tasks."))
    return redirect(_detail_url(a))


@login_required
@require_POST
def appraisal_close(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id)
    try:
        svc.appraisal_close(actor=request.user, appraisal=a)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(_detail_url(a))
    messages.success(request, _("Rating is closed."))
    return redirect(reverse("congress:appraisal_results", args=[a.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_paper(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id)
    subjects = list(a.subjects.select_related("person"))
    form = PaperForm(request.POST or None, subjects=subjects, labels=a.labels)
    if request.method == "POST" and form.is_valid():
        try:
            svc.paper_enter(
                actor=request.user,
                appraisal=a,
                forms=form.cleaned_data["forms_count"],
                counts=form.counts(),
                note=form.cleaned_data["note"],
            )
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Paper forms entered."))
            return redirect(_detail_url(a))
    return render(
        request,
        "congress/appraisal/paper.html",
        {"appraisal": a, "union": a.union, "form": form, "labels": a.labels},
    )


@login_required
@require_GET
def appraisal_results(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id)
    r = svc.results(a)
    return render(
        request,
        "congress/appraisal/results.html",
        {
            "appraisal": a,
            "union": a.union,
            "r": r,
            "chart": r.chart(),
            "may_publish": a.status == Appraisal.Status.CLOSED and a.published_at is None,
        },
    )


@login_required
@require_POST
def appraisal_publish(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id)
    try:
        svc.appraisal_publish(actor=request.user, appraisal=a)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The results are now shown to members."))
    return redirect(reverse("congress:appraisal_results", args=[a.pk]))


@login_required
@require_GET
def appraisal_public(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    """Published results as members read them, on a phone: shares per person."""
    a = svc.get_published_for(request.user, appraisal_id)
    return render(request, "congress/appraisal/public.html", {"appraisal": a, "r": svc.results(a)})


def _file_name(a: Appraisal, ext: str) -> str:
    return quote(f"{a.title}.{ext}")


@login_required
@require_GET
def appraisal_xlsx(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id)
    response = HttpResponse(results_xlsx(svc.results(a)), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_file_name(a, 'xlsx')}"
    return response


@login_required
@require_GET
def appraisal_docx(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id)
    response = HttpResponse(results_docx(svc.results(a)), content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_file_name(a, 'docx')}"
    return response


def _header(r: svc.AppraisalResults) -> list[str]:
    cols = [_("Rank"), _("Name"), _("Post"), _("Ratings")]
    for label in r.labels:
        cols += [label, f"{label} %"]
    if r.appraisal.weighted:
        cols.append(_("Score"))
    return cols


def _line(row: svc.SubjectResult, weighted: bool) -> list[Any]:
    values: list[Any] = [row.rank, row.subject.person.name, row.subject.post, row.total]
    for count, share in row.cells:
        values += [count, float(share)]
    if weighted:
        values.append(float(row.score) if row.score is not None else None)
    return values


def _participation_text(r: svc.AppraisalResults) -> str:
    p = r.participation
    return _(
        "Eligible raters %(eligible)s; rated online %(online)s, paper forms %(paper)s; "
        "participation %(rate)s%%."
    ) % {
        "eligible": p.eligible,
        "online": r.receipts,
        "paper": r.paper_forms,
        "rate": p.rate if p.rate is not None else "—",
    }


def results_xlsx(r: svc.AppraisalResults) -> bytes:
    """Per subject, for the personnel office: counts and % per grade, score, rank."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Appraisal results")
    ws.append([r.appraisal.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"{r.appraisal.union.name} · {_participation_text(r)}"])
    ws.append(_header(r))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in r.ranked:
        ws.append(_line(row, r.appraisal.weighted))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _font(run: Any, *, bold: bool = False, size: int | None = None) -> None:
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    run.bold = bold
    if size:
        run.font.size = Pt(size)


def results_docx(r: svc.AppraisalResults) -> bytes:
    """A one-page summary for the personnel office: participation and the results table."""
    doc = Document()
    title = doc.add_paragraph()
    _font(title.add_run(r.appraisal.title), bold=True, size=16)
    for text in (r.appraisal.union.name, _participation_text(r)):
        _font(doc.add_paragraph().add_run(text))
    header = _header(r)
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _font(cell.paragraphs[0].add_run(str(text)), bold=True)
    for row in r.ranked:
        cells = table.add_row().cells
        for cell, value in zip(cells, _line(row, r.appraisal.weighted), strict=True):
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---- raters ---------------------------------------------------------------------------------


@login_required
@require_GET
def appraisal_tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    tasks = svc.tasks_for(request.user, timezone.localdate())
    member = member_of_user(request.user)
    published = list(svc.published_of(member.union)[:5]) if member is not None else []
    return render(
        request, "congress/appraisal/tasks.html", {"tasks": tasks, "published": published}
    )


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_rate(request: AuthenticatedHttpRequest, appraisal_id: int) -> HttpResponse:
    a = svc.get_appraisal_for(request.user, appraisal_id, manage=False)
    if not svc.may_rate(request.user, a):
        raise PermissionDenied
    if svc.has_rated(request.user, a):
        return render(request, "congress/appraisal/thanks.html", {"appraisal": a})
    window = rules.appraisal_window(a.status, a.opens_on, a.closes_on, timezone.localdate())
    if window != "open":
        return render(request, "congress/appraisal/not_open.html", {"appraisal": a})
    subjects = list(a.subjects.select_related("person"))
    form = RatingForm(request.POST or None, subjects=subjects, labels=a.labels)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.rating_submit(user=request.user, appraisal=a, grades=form.grades())
            except DomainError as e:
                error = e.message
            else:
                return redirect(reverse("congress:appraisal_rate", args=[a.pk]))
        else:
            error = _("Rate every person before submitting.")
    cards = [(s, form[f"s{s.pk}"]) for s in subjects]
    return render(
        request,
        "congress/appraisal/rate.html",
        {"appraisal": a, "cards": cards, "error": error},
    )


# ---- upper unions -------------------------------------------------------------------------


@login_required
@require_GET
def appraisal_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Counts per union for those who see statistics: no names, no grades."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    rows = svc.overview(request.user, year)
    if not rows:
        raise PermissionDenied
    return render(
        request,
        "congress/appraisal/overview.html",
        {"rows": rows, "year": year, "years": list(range(today.year, today.year - 5, -1))},
    )
