"""Pages of the roster import: start (upload), preview (dry run), commit, result, and the
downloads (template, error report). Access: Perm.EDIT_MEMBERS on the union, through
core.access; imports of other unions are not found (404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.web import AuthenticatedHttpRequest

from . import importing, tasks
from .import_forms import RosterUploadForm
from .models import RosterImport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT = 20
ERRORS_PER_PAGE = 50


def _may_import(request: AuthenticatedHttpRequest) -> None:
    if not access.has_any(request.user, Perm.EDIT_MEMBERS):
        raise PermissionDenied


def _import_or_404(request: AuthenticatedHttpRequest, import_id: int) -> RosterImport:
    return get_object_or_404(importing.visible_imports(request.user), pk=import_id)


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    _may_import(request)
    unions = importing.importable_unions(request.user)
    if not unions:
        raise PermissionDenied
    form = RosterUploadForm(request.POST or None, request.FILES or None, unions=unions)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            ri = importing.roster_upload(
                actor=request.user,
                union=form.cleaned_data["union"],
                file_name=upload.name,
                chunks=upload.chunks(),
            )
            tasks.start_check(actor=request.user, roster_import=ri, language=get_language())
        except DomainError as e:
            form.add_error("file" if e.field == "file" else None, e.message)
        else:
            return redirect("members:import_preview", import_id=ri.pk)
    recent = importing.visible_imports(request.user)[:RECENT]
    return render(request, "members/import_start.html", {"form": form, "recent": recent})


@login_required
@require_GET
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    _may_import(request)
    response = HttpResponse(importing.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C.xlsx"
    )
    return response


@login_required
@require_GET
def import_preview(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    ri = _import_or_404(request, import_id)
    page = Paginator(ri.errors_sample, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "ri": ri,
        "job": ri.job,
        "errors_page": page,
        "busy": ri.status in (RosterImport.Status.UPLOADED, RosterImport.Status.CHECKING),
        "may_commit": ri.status == RosterImport.Status.CHECKED and not ri.error_count,
    }
    if request.htmx and request.GET.get("page"):
        return render(request, "members/partials/_import_errors.html", context)
    return render(request, "members/import_preview.html", context)


@login_required
@require_POST
def import_commit(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    ri = _import_or_404(request, import_id)
    try:
        tasks.start_commit(actor=request.user, roster_import=ri, language=get_language())
    except DomainError:
        return redirect("members:import_preview", import_id=ri.pk)
    return redirect("members:import_result", import_id=ri.pk)


@login_required
@require_GET
def import_result(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    ri = _import_or_404(request, import_id)
    page = Paginator(ri.errors_sample, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "members/import_result.html", {"ri": ri, "job": ri.job, "errors_page": page}
    )


@login_required
@require_GET
def import_errors(request: AuthenticatedHttpRequest, import_id: int) -> FileResponse:
    ri = _import_or_404(request, import_id)
    if not ri.error_report_path:
        raise Http404
    try:
        fh = importing.open_stored(ri.error_report_path)
    except FileNotFoundError as e:
        raise Http404 from e
    return FileResponse(fh, as_attachment=True, filename=f"errors-{ri.pk}.xlsx", content_type=XLSX)
