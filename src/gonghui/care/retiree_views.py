"""Retiree pages: the list with each retiree's visits (the history itself is the care
pages' member history), festival visit rounds and retirees' activities."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.errors import DomainError
from gonghui.core.web import AuthenticatedHttpRequest, form_error

from . import retirees
from .health_forms import ActivityForm, MemberIdsForm, VisitRoundForm
from .health_views import managed_union, today


def _context(request: AuthenticatedHttpRequest, **forms: object) -> dict[str, object]:
    union, unions = managed_union(request)
    return {
        "union": union,
        "unions": unions,
        "rows": retirees.retiree_rows(union),
        "activities": retirees.activities_of(union, today().year),
        "round_form": forms.get("round_form") or VisitRoundForm(initial={"visited_on": today()}),
        "activity_form": forms.get("activity_form") or ActivityForm(initial={"held_on": today()}),
    }


def _back(request: AuthenticatedHttpRequest) -> HttpResponse:
    union, _unions = managed_union(request)
    return redirect(f"{reverse('care:retiree_list')}?union={union.pk}")


@login_required
@require_GET
def retiree_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "care/retirees/list.html", _context(request))


@login_required
@require_POST
def visit_round(request: AuthenticatedHttpRequest) -> HttpResponse:
    union, _unions = managed_union(request)
    form = VisitRoundForm(request.POST)
    if form.is_valid():
        try:
            activity = retirees.retiree_visit_round(
                actor=request.user, union=union, **form.cleaned_data
            )
        except DomainError as err:
            form_error(form, err)
        else:
            n = activity.participants.count()
            messages.success(request, _("%(n)s retirees visited.") % {"n": n})
            return _back(request)
    return render(
        request, "care/retirees/list.html", _context(request, round_form=form), status=400
    )


@login_required
@require_POST
def activity_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    union, _unions = managed_union(request)
    form = ActivityForm(request.POST)
    allowed = list(retirees.retirees(union).values_list("pk", flat=True))
    picked = MemberIdsForm(request.POST, allowed=allowed)
    if form.is_valid() and picked.is_valid():
        people = retirees.retirees(union).filter(pk__in=picked.cleaned_data["members"])
        try:
            retirees.retiree_activity_create(
                actor=request.user,
                union=union,
                participants=list(people.select_related("person")),
                **form.cleaned_data,
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Activity recorded."))
            return _back(request)
    elif not picked.is_valid():
        form.add_error(None, _("Choose retirees of this union."))
    ctx = _context(request, activity_form=form)
    return render(request, "care/retirees/list.html", ctx, status=400)
