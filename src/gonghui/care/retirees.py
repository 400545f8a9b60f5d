"""Retirees (离退休会员): the list with each one's visits, festival visit rounds (Spring
Festival, Double Ninth) and retirees' activities.

A festival round records one ``Visit`` per retiree through ``services.visit_record``, so the
spending caps are checked exactly as for any visit, and keeps the round as a
``RetireeActivity`` of kind "festival_visit" whose participants are the retirees visited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, User
from gonghui.core.services import audit, require_permission, snapshot
from gonghui.members.models import Member, MemberStatus, WorkStatus

from . import services, stats
from .models import CapItem, Visit
from .models.health import RetireeActivity

AUDIT_LABELS = {
    "care.retiree_visit_round": _lazy("Festival visits to all retirees recorded"),
    "care.retiree_activity_create": _lazy("Retirees' activity recorded"),
}


def retirees(union: OrgUnit) -> QuerySet[Member]:
    """Active members of the union who have retired."""
    return Member.objects.filter(
        union=union, status=MemberStatus.ACTIVE, work_status=WorkStatus.RETIRED
    )


@dataclass(frozen=True)
class RetireeRow:
    member: Member
    visits: int
    last_visit: date | None


def retiree_rows(union: OrgUnit) -> list[RetireeRow]:
    """Each retiree with how often and when last the union visited them."""
    seen = {
        r["member_id"]: (r["n"], r["last"])
        for r in Visit.objects.filter(union=union, member__in=retirees(union))
        .values("member_id")
        .annotate(n=Count("pk"), last=Max("visited_on"))
    }
    members = retirees(union).select_related("person", "unit").order_by("person__name")
    return [RetireeRow(m, *seen.get(m.pk, (0, None))) for m in members]


def retiree_history(member: Member, year: int) -> stats.CareHistory:
    """A retiree's care history, as the care pages show any member's (hardship aid left
    out: that is for the hardship-file holders)."""
    return stats.care_history(member, year, include_aid=False)


def retiree_visit_round(
    *,
    actor: User | None,
    union: OrgUnit,
    title: str,
    visited_on: date,
    visitors: str,
    cash: Decimal = Decimal("0"),
    gift_description: str = "",
    gift_value: Decimal = Decimal("0"),
    kind: str = CapItem.FESTIVAL,
) -> RetireeActivity:
    """Visit every retiree of the union on one day with the same cash and gifts. All or
    nothing: a retiree over the yearly cap stops the whole round with their name, so the
    office decides (a smaller gift, or the chair's override on that one visit)."""
    require_permission(actor, Perm.MANAGE_CARE, union)
    if not title.strip():
        raise DomainError("care.retiree_title", _("Give the round a title."), field="title")
    people = list(retirees(union).select_related("person", "unit", "union").order_by("pk"))
    if not people:
        raise DomainError("care.retiree_none", _("This union has no retired members."))
    with transaction.atomic():
        for m in people:
            try:
                services.visit_record(
                    actor=actor,
                    member=m,
                    kind=kind,
                    visited_on=visited_on,
                    visitors=visitors,
                    cash=cash,
                    gift_description=gift_description,
                    gift_value=gift_value,
                    notes=title.strip(),
                )
            except DomainError as err:
                raise DomainError(
                    err.code, f"{m.person.name}: {err.message}", field=err.field
                ) from err
        activity = RetireeActivity.objects.create(
            union=union,
            title=title.strip()[:120],
            held_on=visited_on,
            kind=RetireeActivity.Kind.FESTIVAL_VISIT,
        )
        activity.participants.set(people)
        audit(
            actor=actor,
            action="care.retiree_visit_round",
            obj=activity,
            unit=union,
            after={**snapshot(activity), "visited": len(people)},
        )
    return activity


def retiree_activity_create(
    *,
    actor: User | None,
    union: OrgUnit,
    title: str,
    held_on: date,
    kind: str,
    participants: Iterable[Member],
    notes: str = "",
) -> RetireeActivity:
    require_permission(actor, Perm.MANAGE_CARE, union)
    if kind not in (RetireeActivity.Kind.ACTIVITY, RetireeActivity.Kind.LECTURE):
        raise DomainError("care.retiree_kind", _("Choose activity or lecture."), field="kind")
    if not title.strip():
        raise DomainError("care.retiree_title", _("Give the activity a title."), field="title")
    chosen = list(participants)
    allowed = set(retirees(union).values_list("pk", flat=True))
    stray = [m for m in chosen if m.pk not in allowed]
    if stray:
        raise DomainError(
            "care.retiree_member",
            _("%(name)s is not a retiree of this union.") % {"name": stray[0].person.name},
            field="participants",
        )
    with transaction.atomic():
        activity = RetireeActivity.objects.create(
            union=union, title=title.strip()[:120], held_on=held_on, kind=kind, notes=notes[:300]
        )
        activity.participants.set(chosen)
        audit(
            actor=actor,
            action="care.retiree_activity_create",
            obj=activity,
            unit=union,
            after={**snapshot(activity), "participants": len(chosen)},
        )
    return activity


def activities_of(union: OrgUnit, year: int) -> list[RetireeActivity]:
    return list(
        RetireeActivity.objects.filter(union=union, held_on__year=year)
        .annotate(n=Count("participants"))
        .order_by("-held_on", "-pk")
    )


def managed_retiree(user: Any, member_id: int) -> Member | None:
    """A retiree in a union the user manages; None (a 404) otherwise."""
    qs = access.scope(
        Member.objects.filter(work_status=WorkStatus.RETIRED), user, Perm.MANAGE_CARE, "union"
    )
    return qs.select_related("person", "unit", "union").filter(pk=member_id).first()
