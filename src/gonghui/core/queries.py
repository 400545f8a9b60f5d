"""Reads of core data, scoped to the user through ``access``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from . import access
from .access import Perm
from .models import AuditEvent, Committee, OrgUnit, RoleGrant, User


@dataclass
class TreeNode:
    unit: OrgUnit
    children: list[TreeNode] = field(default_factory=list)


def unit_trees(tops: list[OrgUnit]) -> list[TreeNode]:
    """Whole subtrees under ``tops``, fetched in one query per top."""
    trees = []
    for top in tops:
        units = list(
            OrgUnit.objects.filter(path__startswith=top.path, archived_at__isnull=True).order_by(
                "depth", "sort_order", "name"
            )
        )
        nodes = {u.pk: TreeNode(u) for u in units}
        for u in units:
            if u.pk != top.pk and u.parent_id in nodes:
                nodes[u.parent_id].children.append(nodes[u.pk])
        trees.append(nodes[top.pk])
    return trees


def subtree(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(path__startswith=unit.path, archived_at__isnull=True)


def union_of(unit: OrgUnit) -> OrgUnit | None:
    """The nearest union (grassroots or joint) at or above ``unit``."""
    if unit.is_union:
        return unit
    ancestors = OrgUnit.objects.filter(pk__in=unit.ancestor_ids()).order_by("-depth")
    return next((a for a in ancestors if a.is_union), None)


def unit_detail_context(user: User, unit: OrgUnit) -> dict[str, Any]:
    committees = (
        Committee.objects.filter(union=unit, archived_at__isnull=True)
        .prefetch_related("terms__positions__person")
        .order_by("kind")
    )
    ancestors = list(OrgUnit.objects.filter(pk__in=unit.ancestor_ids()).order_by("depth"))
    return {
        "unit": unit,
        "ancestors": ancestors,
        "children": unit.children.filter(archived_at__isnull=True).order_by("sort_order", "name"),
        "committees": committees,
        "registrations": unit.registrations.all(),
        "can_manage": access.has_perm(user, Perm.MANAGE_ORG, unit) or access.is_admin(user),
    }


def audit_events(user: User, params: Any, per_page: int = 50) -> Page | None:
    """The audit log of the units the user may audit; None when they may audit none."""
    if access.is_admin(user):
        qs = AuditEvent.objects.all()
    elif access.has_any(user, Perm.VIEW_AUDIT):
        qs = AuditEvent.objects.filter(unit__in=access.units_with(user, Perm.VIEW_AUDIT).values("pk"))
    else:
        return None
    if params.get("action"):
        qs = qs.filter(action__startswith=params["action"])
    if params.get("q"):
        qs = qs.filter(Q(object_repr__icontains=params["q"]) | Q(note__icontains=params["q"]))
    qs = qs.select_related("actor", "unit")
    return Paginator(qs, per_page).get_page(params.get("page"))


def record_events(user: User, object_type: str, object_id: str) -> list[AuditEvent] | None:
    events = AuditEvent.objects.filter(object_type=object_type, object_id=object_id)
    if not access.is_admin(user):
        events = events.filter(unit__in=access.units_with(user, Perm.VIEW_AUDIT).values("pk"))
        if not events.exists():
            return None
    return list(events.select_related("actor", "unit"))


def visible_grants(user: User) -> QuerySet[RoleGrant]:
    qs = RoleGrant.objects.filter(revoked_at__isnull=True).select_related("user", "unit")
    return access.scope(qs, user, Perm.MANAGE_USERS, "unit").order_by("unit__path", "role")


def counts_by_parent(units: list[OrgUnit]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for u in units:
        if u.parent_id:
            out[u.parent_id] += 1
    return out
