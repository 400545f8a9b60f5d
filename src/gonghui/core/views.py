"""Pages of the UI shell: organisation tree, unit detail, audit log, users, job progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from . import access, queries
from .access import Perm
from .models import BackgroundJob, OrgUnit


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})


@login_required
@require_GET
def org_tree(request: HttpRequest) -> HttpResponse:
    tops = access.top_units(request.user, Perm.VIEW_ORG)
    if access.is_admin(request.user):
        tops = list(OrgUnit.objects.filter(parent__isnull=True, archived_at__isnull=True))
    if not tops:
        raise PermissionDenied
    return render(request, "core/org_tree.html", {"trees": queries.unit_trees(tops)})


@login_required
@require_GET
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, pk=unit_id)
    access.require(request.user, Perm.VIEW_ORG, unit) if not access.is_admin(request.user) else None
    return render(request, "core/unit_detail.html", queries.unit_detail_context(request.user, unit))


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    events = queries.audit_events(request.user, request.GET)
    if events is None:
        raise PermissionDenied
    return render(request, "core/audit_log.html", {"page": events})


@login_required
@require_GET
def record_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    events = queries.record_events(request.user, object_type, object_id)
    if events is None:
        raise PermissionDenied
    return render(
        request, "core/record_history.html", {"events": events, "object_type": object_type}
    )


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    if not access.has_any(request.user, Perm.MANAGE_USERS) and not access.is_admin(request.user):
        raise PermissionDenied
    return render(request, "core/user_list.html", {"grants": queries.visible_grants(request.user)})


@login_required
@require_GET
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """Progress bar partial, polled by htmx while a background job runs."""
    job = get_object_or_404(BackgroundJob, pk=job_id)
    if job.created_by_id != request.user.pk and not access.is_admin(request.user):
        raise PermissionDenied
    return render(request, "core/partials/_job_progress.html", {"job": job})
