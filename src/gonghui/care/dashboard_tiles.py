"""The care tile on the dashboard (registered in ``CareConfig.ready``).

Those who manage care in the union shown get its work: open and overdue visit tasks (the
oldest overdue one named, as on the care home), this year's visits, households and amount,
and the hardship files only if they may open them. Readers of statistics only (an upper
union, a group leader) get this year's counts and amounts of the unit and everything below
it, without a name. Figures come from ``care.stats``, the care home's own reads.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.dashboard import Tile
from gonghui.core.models import OrgUnit, User

from . import hardship, stats
from .models import HardshipFile, VisitTask

TEMPLATE = "care/dashboard_tile.html"
ORDER = 20


def care_tile(user: User, unit: OrgUnit, today: date) -> Tile | None:
    if unit.is_union and access.has_perm(user, Perm.MANAGE_CARE, unit):
        return _manager_tile(user, unit, today)
    if access.has_perm(user, Perm.VIEW_STATS, unit):
        return _counts_tile(unit, today)
    return None


def _oldest_overdue(union: OrgUnit, today: date) -> VisitTask | None:
    return (
        VisitTask.objects.filter(union=union, status=VisitTask.Status.OPEN, due_on__lt=today)
        .select_related("event__member__person")
        .order_by("due_on", "pk")
        .first()
    )


def _manager_tile(user: User, union: OrgUnit, today: date) -> Tile:
    figures = stats.care_figures(union, today.year, today=today)
    oldest = _oldest_overdue(union, today) if figures.overdue_tasks else None
    context: dict = {"manage": True, "figures": figures, "union": union}
    if oldest is not None:
        context["oldest"] = oldest
        context["oldest_days_late"] = (today - oldest.due_on).days
        context["oldest_url"] = f"{reverse('care:visit_new')}?task={oldest.pk}"
    if hardship.may_view(user, union):
        files = hardship.files_visible(user).filter(union=union, status=HardshipFile.Status.ACTIVE)
        context["hardship_active"] = files.count()
        context["hardship_due"] = files.filter(hardship.due_filter(today)).distinct().count()
        context["hardship_url"] = reverse("care:hardship_list")
    context["tasks_url"] = f"{reverse('care:tasks')}?union={union.pk}"
    return Tile(
        title=_("Care"),
        template=TEMPLATE,
        context=context,
        order=ORDER,
        url=f"{reverse('care:home')}?union={union.pk}",
    )


def _counts_tile(unit: OrgUnit, today: date) -> Tile:
    totals = stats.subtree_totals(unit, today.year, today=today)
    return Tile(
        title=_("Care"),
        template=TEMPLATE,
        context={"manage": False, "totals": totals, "year": today.year},
        order=ORDER,
        # Per union on the upper-union page; below a union, the care menu leads on.
        url=reverse("care:counts") if totals.unions else reverse("care:home"),
    )
