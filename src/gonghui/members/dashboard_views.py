"""The dashboard: membership figures of the unit the user may see statistics of.

Everyone with statistics rights lands on their highest unit and may drill into any unit
below it (``?unit=<id>``); a member without other roles goes to their own profile.
Figures come from ``stats.unit_stats`` (aggregates only, never individual records).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.dashboard import tiles_for
from gonghui.core.models import OrgUnit
from gonghui.core.web import AuthenticatedHttpRequest

from . import stats


def _chosen_unit(request: AuthenticatedHttpRequest, tops: list[OrgUnit]) -> OrgUnit:
    """The unit asked for in ``?unit=``, if the user may see its statistics (404 otherwise,
    so a guessed id reveals nothing); else the user's home unit."""
    user = request.user
    raw = request.GET.get("unit", "")
    if not raw:
        return tops[0]
    if not raw.isdigit():
        raise Http404
    unit = OrgUnit.objects.filter(pk=int(raw)).first()
    if unit is None or not access.has_perm(user, Perm.VIEW_STATS, unit):
        raise Http404
    return unit


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    tops = access.top_units(user, Perm.VIEW_STATS)
    if not tops:
        if getattr(user, "person_id", None):
            return redirect("members:my_profile")
        raise PermissionDenied
    unit = _chosen_unit(request, tops)
    today = timezone.localdate()
    figures = stats.unit_stats(unit, today=today)
    ancestors = [
        a
        for a in OrgUnit.objects.filter(pk__in=unit.ancestor_ids()).order_by("depth")
        if a.pk != unit.pk and (access.has_perm(user, Perm.VIEW_STATS, a))
    ]
    show_unions = len(figures.unions) > 1 or (bool(figures.unions) and not unit.is_union)
    return render(
        request,
        "members/dashboard.html",
        {
            "unit": unit,
            "tops": tops,
            "ancestors": ancestors,
            "stats": figures,
            "charts": stats.chart_data(figures),
            "show_unions": show_unions,
            "can_see_members": access.has_perm(user, Perm.VIEW_MEMBERS, unit),
            "year": today.year,
            "tiles": tiles_for(user, unit, today),
        },
    )
