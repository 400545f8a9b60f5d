"""Rest and recuperation pages: rotations and the due list of a union, one rotation with
its nominees (nominate from the due list, mark went or declined)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.errors import DomainError
from gonghui.core.web import AuthenticatedHttpRequest, form_error
from gonghui.members.models import Member

from . import health, rest, rules
from .health_forms import MemberIdsForm, RestMarkForm, RotationForm
from .health_views import managed_union, today
from .models.health import RestParticipant, RestRotation


def _every_years(request: AuthenticatedHttpRequest) -> int:
    try:
        n = int(request.GET.get("every", rules.DEFAULT_REST_EVERY_YEARS))
    except ValueError:
        return rules.DEFAULT_REST_EVERY_YEARS
    return min(max(n, 1), 10)


@login_required
@require_http_methods(["GET", "POST"])
def rotation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    union, unions = managed_union(request)
    form = RotationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rotation = rest.rest_rotation_create(
                actor=request.user, union=union, **form.cleaned_data
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Rotation created."))
            return redirect("care:rest_rotation", pk=rotation.pk)
    every = _every_years(request)
    ctx = {
        "union": union,
        "unions": unions,
        "rotations": list(RestRotation.objects.filter(union=union).order_by("-starts_on", "-pk")),
        "due": rest.due_list(union, today().year, every),
        "every": every,
        "form": form,
    }
    return render(request, "care/rest/list.html", ctx, status=400 if form.errors else 200)


def _rotation_or_404(request: AuthenticatedHttpRequest, pk: int) -> RestRotation:
    if not health.manageable_unions(request.user):
        raise PermissionDenied
    rotation = rest.rotation_for(request.user, pk)
    if rotation is None:
        raise Http404
    return rotation


def _rotation_context(rotation: RestRotation) -> dict[str, Any]:
    participants = rest.participants_of(rotation)
    listed = {p.member_id for p in participants}
    due = [d for d in rest.due_list(rotation.union, rotation.year) if d.member.pk not in listed]
    taken = sum(1 for p in participants if p.status in rest.TAKING_PLACES)
    return {
        "rotation": rotation,
        "participants": participants,
        "due": due,
        "left": rotation.capacity - taken,
        "statuses": RestParticipant.Status.choices,
    }


@login_required
@require_GET
def rotation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rotation = _rotation_or_404(request, pk)
    return render(request, "care/rest/detail.html", _rotation_context(rotation))


@login_required
@require_POST
def rotation_nominate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rotation = _rotation_or_404(request, pk)
    allowed = list(health.in_work_members(rotation.union).values_list("pk", flat=True))
    form = MemberIdsForm(request.POST, allowed=allowed)
    if not form.is_valid() or not form.cleaned_data["members"]:
        messages.error(request, _("Choose at least one member."))
        return redirect("care:rest_rotation", pk=rotation.pk)
    chosen = Member.objects.filter(pk__in=form.cleaned_data["members"]).select_related("person")
    try:
        rows = rest.rest_nominate(actor=request.user, rotation=rotation, members=list(chosen))
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("%(n)s members nominated.") % {"n": len(rows)})
    return redirect("care:rest_rotation", pk=rotation.pk)


@login_required
@require_POST
def participant_mark(
    request: AuthenticatedHttpRequest, pk: int, participant_id: int
) -> HttpResponse:
    rotation = _rotation_or_404(request, pk)
    participant = RestParticipant.objects.filter(rotation=rotation, pk=participant_id).first()
    if participant is None:
        raise Http404
    form = RestMarkForm(request.POST)
    if form.is_valid():
        try:
            rest.rest_mark(
                actor=request.user, participant=participant, status=form.cleaned_data["status"]
            )
        except DomainError as err:
            messages.error(request, err.message)
    else:
        messages.error(request, _("Choose went or declined."))
    return redirect("care:rest_rotation", pk=rotation.pk)
