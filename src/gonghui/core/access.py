"""The one place that decides what a user may see and do.

Roles are granted on an org unit and reach down its subtree. Views, API endpoints,
exports and reports call these functions; querysets are scoped here, never filtered
after the fact. ``tests/test_access.py`` holds the role × page matrix.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet

from .models import OrgUnit, Role, RoleGrant

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


class Perm(StrEnum):
    VIEW_STATS = "stats.view"  # aggregate figures of a subtree
    VIEW_ORG = "org.view"  # org tree, committees, registration data
    MANAGE_ORG = "org.manage"
    VIEW_MEMBERS = "members.view"  # individual records, sensitive fields masked
    VIEW_SENSITIVE = "members.view_sensitive"  # reveal ID number / phone (each read logged)
    EDIT_MEMBERS = "members.edit"  # edit, lifecycle steps, import
    APPROVE_MEMBERS = "members.approve"  # applications, profile-change requests
    VIEW_AUDIT = "audit.view"
    MANAGE_USERS = "users.manage"
    VIEW_FINANCE = "finance.view"
    # Union life open to every member of the union: the congress and its proposals, the
    # disclosure board, reporting one's own life events. Delegate rights come on top of
    # this from the congress roster, not from a role.
    PARTICIPATE = "union.participate"
    MANAGE_CONGRESS = "congress.manage"  # sessions, delegates, agenda, votes, proposal review
    REPORT_CARE = "care.report"  # report a life event of a member in one's reach
    MANAGE_CARE = "care.manage"  # visits, distributions, donations, insurance, health
    # Hardship files: the chair and named care officers only. Not implied by the
    # administrator role, not grantable to upper unions (see STRICT_PERMS).
    VIEW_HARDSHIP = "care.hardship"
    # Give over a per-person spending cap, with a written reason: the chair's decision.
    OVERRIDE_CAPS = "care.override_caps"


# Permissions an administrator does not hold by virtue of being one: hardship files are
# the most sensitive data in the system (PIPL) and are opened only by the people named.
STRICT_PERMS = frozenset({Perm.VIEW_HARDSHIP, Perm.OVERRIDE_CAPS})


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.MEMBER: frozenset({Perm.PARTICIPATE}),  # plus self-service, see is_self()
    Role.GROUP_LEADER: frozenset(
        {Perm.VIEW_STATS, Perm.VIEW_ORG, Perm.VIEW_MEMBERS, Perm.PARTICIPATE, Perm.REPORT_CARE}
    ),
    Role.CADRE: frozenset(
        {
            Perm.VIEW_STATS,
            Perm.VIEW_ORG,
            Perm.VIEW_MEMBERS,
            Perm.VIEW_SENSITIVE,
            Perm.EDIT_MEMBERS,
            Perm.PARTICIPATE,
            Perm.MANAGE_CONGRESS,
            Perm.REPORT_CARE,
            Perm.MANAGE_CARE,
        }
    ),
    Role.CHAIR: frozenset(Perm),  # everything within their union
    Role.CARE_OFFICER: frozenset(
        {
            Perm.VIEW_STATS,
            Perm.VIEW_MEMBERS,
            Perm.PARTICIPATE,
            Perm.REPORT_CARE,
            Perm.MANAGE_CARE,
            Perm.VIEW_HARDSHIP,
        }
    ),
    Role.AUDITOR: frozenset({Perm.VIEW_STATS, Perm.VIEW_ORG, Perm.VIEW_FINANCE}),
    # Aggregates only; individuals need an explicit grant (may_see_individuals).
    Role.UPPER_OFFICER: frozenset({Perm.VIEW_STATS, Perm.VIEW_ORG}),
    Role.ADMIN: frozenset(Perm) - STRICT_PERMS,
}
INDIVIDUAL_PERMS = frozenset({Perm.VIEW_MEMBERS})


def _grants(user: User | AnonymousUser) -> list[RoleGrant]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_gonghui_grants", None)
    if cached is None:
        cached = list(
            RoleGrant.objects.filter(user=user, revoked_at__isnull=True).select_related("unit")
        )
        user._gonghui_grants = cached  # type: ignore[attr-defined]  # a per-request cache on the user
    return cached


def forget_grants(user: User) -> None:
    """Drop the per-request cache after grants change."""
    user.__dict__.pop("_gonghui_grants", None)


def grant_allows(grant: RoleGrant, perm: Perm) -> bool:
    if perm in ROLE_PERMS[grant.role]:
        return True
    return (
        grant.role == Role.UPPER_OFFICER and grant.may_see_individuals and perm in INDIVIDUAL_PERMS
    )


def _grants_for(user: User | AnonymousUser, perm: Perm) -> list[RoleGrant]:
    return [g for g in _grants(user) if grant_allows(g, perm) and g.unit.archived_at is None]


def is_admin(user: User | AnonymousUser) -> bool:
    return any(g.role == Role.ADMIN for g in _grants(user))


def _admin_reach(user: User | AnonymousUser, perm: Perm) -> bool:
    return perm not in STRICT_PERMS and is_admin(user)


def roles(user: User | AnonymousUser) -> set[str]:
    return {g.role for g in _grants(user)}


def has_perm(user: User | AnonymousUser, perm: Perm, unit: OrgUnit) -> bool:
    """True when a grant carrying ``perm`` sits on ``unit`` or one of its ancestors.
    An administrator reaches every unit, whichever unit their grant names."""
    if _admin_reach(user, perm):
        return True
    return any(unit.path.startswith(g.unit.path) for g in _grants_for(user, perm))


def require(user: User | AnonymousUser, perm: Perm, unit: OrgUnit) -> None:
    if not has_perm(user, perm, unit):
        raise PermissionDenied


def has_any(user: User | AnonymousUser, perm: Perm) -> bool:
    return _admin_reach(user, perm) or bool(_grants_for(user, perm))


def units_with(user: User | AnonymousUser, perm: Perm) -> QuerySet[OrgUnit]:
    """All units (any depth) where the user holds ``perm``; every unit for an admin."""
    if _admin_reach(user, perm):
        return OrgUnit.objects.filter(archived_at__isnull=True)
    grants = _grants_for(user, perm)
    if not grants:
        return OrgUnit.objects.none()
    q = Q()
    for g in grants:
        q |= Q(path__startswith=g.unit.path)
    return OrgUnit.objects.filter(q, archived_at__isnull=True)


def top_units(user: User | AnonymousUser, perm: Perm) -> list[OrgUnit]:
    """The highest units the user holds ``perm`` on (no unit listed under another); the
    roots of every tree for an admin."""
    if _admin_reach(user, perm):
        roots = OrgUnit.objects.filter(parent__isnull=True, archived_at__isnull=True)
        return list(roots.order_by("sort_order", "name"))
    units = sorted({g.unit for g in _grants_for(user, perm)}, key=lambda u: (u.depth, u.path))
    tops: list[OrgUnit] = []
    for u in units:
        if not any(u.path.startswith(t.path) for t in tops):
            tops.append(u)
    return tops


def scope(qs: QuerySet, user: User | AnonymousUser, perm: Perm, unit_field: str) -> QuerySet:
    """Restrict ``qs`` to rows whose ``unit_field`` lies in a unit the user holds ``perm`` on."""
    if _admin_reach(user, perm) or _covers_every_tree(user, perm):
        return qs
    return qs.filter(**{f"{unit_field}__in": units_with(user, perm).values("pk")})


def _covers_every_tree(user: User | AnonymousUser, perm: Perm) -> bool:
    """A grant on every root reaches every unit, so filtering would only cost a join
    over the whole tree (a city federation's officers are the common case)."""
    granted_roots = {g.unit_id for g in _grants_for(user, perm) if g.unit.depth == 0}
    if not granted_roots:
        return False
    with connection.cursor() as cur:
        cur.execute(_roots_sql(connection.vendor))
        roots = {pk for (pk,) in cur.fetchall()}
    return roots <= granted_roots


@lru_cache(maxsize=4)
def _roots_sql(vendor: str) -> str:
    """The SQL that lists the roots, written by the ORM once: building and compiling this
    query on every list page cost the ORM 0.5 ms, the database a few microseconds."""
    qs = OrgUnit.objects.filter(parent__isnull=True).order_by().values_list("pk", flat=True)
    sql, params = qs.query.sql_with_params()
    assert not params
    return sql


def users_with(perm: Perm, unit: OrgUnit, *, top: OrgUnit | None = None) -> QuerySet[User]:
    """Active users whose grant carrying ``perm`` reaches ``unit`` from ``unit`` itself or an
    ancestor no higher than ``top`` (the union, typically: a reminder of a school's visit goes
    to the school's chair and cadres, not to every federation officer above it).
    Administrators are not included: they reach every unit and would hear of everything."""
    from .models import User

    ids = unit.ancestor_ids()  # the path holds the unit itself too
    if top is not None:
        above_top = set(top.ancestor_ids()[:-1])
        ids = [i for i in ids if i not in above_top]
    roles_with = [r for r, perms in ROLE_PERMS.items() if perm in perms and r != Role.ADMIN]
    grants = RoleGrant.objects.filter(unit_id__in=ids, revoked_at__isnull=True, role__in=roles_with)
    return User.objects.filter(pk__in=grants.values("user_id"), is_active=True).order_by("pk")


def is_self(user: User | AnonymousUser, person_id: int | None) -> bool:
    return bool(user.is_authenticated and person_id and user.person_id == person_id)


def home_unit(user: User | AnonymousUser) -> OrgUnit | None:
    """The unit a user lands on: the highest unit they may see statistics of."""
    tops = top_units(user, Perm.VIEW_STATS)
    return tops[0] if tops else None
