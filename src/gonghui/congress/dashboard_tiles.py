"""The congress tile on the dashboard (registered in ``CongressConfig.ready``).

Those who run the union's congress get its next session (date, 第X届第Y次, state) and the
proposals waiting for them: awaiting review, replies overdue, replies awaiting the
proposer's rating. Readers of statistics only get counts for the unions in the unit's
subtree: congresses, sessions held this year, and this year's proposals (received,
accepted, replies overdue); never a title or a name. Figures come from the congress's
own reads (``queries``, ``proposals.proposal_counts``).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.dashboard import Tile
from gonghui.core.models import UNION_KINDS, OrgUnit, User

from . import proposals, queries
from .models import Congress, CongressSession, Proposal

TEMPLATE = "congress/dashboard_tile.html"
ORDER = 30


def congress_tile(user: User, unit: OrgUnit, today: date) -> Tile | None:
    if unit.is_union and queries.may_manage(user, unit):
        return _manager_tile(user, unit, today)
    if access.has_perm(user, Perm.VIEW_STATS, unit):
        return _counts_tile(unit, today)
    return None


def next_session(union: OrgUnit) -> CongressSession | None:
    """The union's session still to be held or closed, the earliest first."""
    return (
        CongressSession.objects.filter(
            term__congress__in=queries.congresses_of(union),
            status__in=[CongressSession.Status.PLANNED, CongressSession.Status.OPEN],
        )
        .select_related("term__congress")
        .order_by("held_on", "pk")
        .first()
    )


def _manager_tile(user: User, union: OrgUnit, today: date) -> Tile:
    session = next_session(union)
    context: dict = {"manage": True, "union": union, "session": session}
    if session is None:
        context["has_congress"] = queries.congresses_of(union).exists()
    else:
        context["session_url"] = reverse("congress:session", args=[session.pk])
    context["counts"] = proposals.proposal_counts(proposals.proposals_of_union(user, union), today)
    context["list_url"] = reverse("congress:proposal_list")
    return Tile(
        title=_("Congress"),
        template=TEMPLATE,
        context=context,
        order=ORDER,
        url=f"{reverse('congress:home')}?union={union.pk}",
    )


def _counts_tile(unit: OrgUnit, today: date) -> Tile | None:
    unions = OrgUnit.objects.filter(
        path__startswith=unit.path, kind__in=UNION_KINDS, archived_at__isnull=True
    ).values("pk")
    congresses = Congress.objects.filter(union__in=unions, archived_at__isnull=True)
    held = CongressSession.objects.filter(
        term__congress__in=congresses, held_on__year=today.year, held_on__lte=today
    )
    with_congress = congresses.aggregate(n=Count("union", distinct=True))["n"]
    if not with_congress:
        return None  # below a union, or no congress anywhere under it: nothing to count
    this_year = Proposal.objects.filter(
        session__term__congress__in=congresses, session__held_on__year=today.year
    )
    return Tile(
        title=_("Congress"),
        template=TEMPLATE,
        context={
            "manage": False,
            "year": today.year,
            "unions": with_congress,
            "sessions_held": held.count(),
            "counts": proposals.proposal_counts(this_year, today),
        },
        order=ORDER,
        url=reverse("congress:overview"),
    )
