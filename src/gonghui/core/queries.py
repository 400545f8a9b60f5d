"""Reads of core data, scoped to the user through ``access``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from . import access, audit_labels, rules
from .access import Perm
from .models import (
    AuditEvent,
    CommitteeKind,
    CommitteePosition,
    CommitteeTerm,
    OrgUnit,
    Person,
    PositionKind,
    RoleGrant,
    UnitKind,
    User,
)

# Membership lives in the members app, which core must not import; the counts below go
# through the reverse relations that app declares on OrgUnit and Person ("unit_members",
# "member") and its status value for an active member (在册).
ACTIVE_MEMBER = "active"


@dataclass
class TreeNode:
    unit: OrgUnit
    children: list[TreeNode] = field(default_factory=list)
    members: int = 0  # active members in the unit and everything below it


def unit_trees(tops: list[OrgUnit], *, with_counts: bool = False) -> list[TreeNode]:
    """Whole subtrees under ``tops``, fetched in one query per top (two with counts)."""
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
        if with_counts:
            direct = member_counts_by_unit(top)
            for u in sorted(units, key=lambda u: -u.depth):
                node = nodes[u.pk]
                node.members += direct.get(u.pk, 0)
                if u.pk != top.pk and u.parent_id in nodes:
                    nodes[u.parent_id].members += node.members
        trees.append(nodes[top.pk])
    return trees


def member_counts_by_unit(top: OrgUnit) -> dict[int, int]:
    """Active members sitting directly in each unit of ``top``'s subtree: one GROUP BY."""
    rows = (
        OrgUnit.objects.filter(path__startswith=top.path, unit_members__status=ACTIVE_MEMBER)
        .values("pk")
        .annotate(n=Count("unit_members"))
        .order_by()
    )
    return {r["pk"]: r["n"] for r in rows}


def subtree_member_count(unit: OrgUnit) -> int:
    return sum(member_counts_by_unit(unit).values())


def subtree(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(path__startswith=unit.path, archived_at__isnull=True)


def union_of(unit: OrgUnit) -> OrgUnit | None:
    """The nearest union (grassroots or joint) at or above ``unit``."""
    if unit.is_union:
        return unit
    ancestors = OrgUnit.objects.filter(pk__in=unit.ancestor_ids()).order_by("-depth")
    return next((a for a in ancestors if a.is_union), None)


def units_managed(user: User, perm: Perm = Perm.MANAGE_ORG) -> QuerySet[OrgUnit]:
    """Live units where the user holds ``perm`` (all live units for an administrator)."""
    return access.units_with(user, perm)


def move_targets(user: User, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Units the user manages that may take ``unit`` as a child (not inside its subtree)."""
    from .services import ALLOWED_CHILDREN

    kinds = [k for k, allowed in ALLOWED_CHILDREN.items() if unit.kind in allowed]
    targets = units_managed(user).filter(kind__in=kinds).exclude(path__startswith=unit.path)
    if unit.parent_id is not None:
        # Moving under its present parent would be no move.
        targets = targets.exclude(pk=unit.parent_id)
    return targets.order_by("path")


# ---- unit detail ------------------------------------------------------------------------

# Keyed by str: a seat's ``position`` is read back from the database as a plain string.
POSITION_RANK: dict[str, int] = {
    PositionKind.CHAIR: 0,
    PositionKind.VICE_CHAIR: 1,
    PositionKind.STANDING: 2,
    PositionKind.MEMBER: 3,
}


@dataclass
class TermView:
    term: CommitteeTerm
    current: list[CommitteePosition]
    past: list[CommitteePosition]


@dataclass
class CommitteeView:
    kind: str
    label: str
    committee_id: int | None
    terms: list[TermView]

    @property
    def running(self) -> TermView | None:
        return next((t for t in self.terms if t.term.ended_on is None), None)

    @property
    def next_number(self) -> int:
        return (self.terms[0].term.number + 1) if self.terms else 1


def committees_of(unit: OrgUnit) -> list[CommitteeView]:
    """Every committee kind of a unit with its terms (newest first) and seats: two queries."""
    terms = list(
        CommitteeTerm.objects.filter(committee__union=unit, committee__archived_at__isnull=True)
        .select_related("committee")
        .order_by("committee__kind", "-number")
    )
    positions = list(
        CommitteePosition.objects.filter(term__in=[t.pk for t in terms]).select_related("person")
    )
    by_term: dict[int, list[CommitteePosition]] = defaultdict(list)
    for p in positions:
        by_term[p.term_id].append(p)
    views = {k: CommitteeView(k, str(label), None, []) for k, label in CommitteeKind.choices}
    for t in terms:
        seats = sorted(
            by_term[t.pk], key=lambda p: (POSITION_RANK.get(p.position, 9), p.starts_on, p.pk)
        )
        v = views[t.committee.kind]
        v.committee_id = t.committee_id
        v.terms.append(
            TermView(
                t,
                current=[p for p in seats if p.ends_on is None],
                past=[p for p in seats if p.ends_on is not None],
            )
        )
    return list(views.values())


def unit_detail_context(user: User, unit: OrgUnit) -> dict[str, Any]:
    ancestors = list(OrgUnit.objects.filter(pk__in=unit.ancestor_ids()).order_by("depth"))
    ancestors = [a for a in ancestors if a.pk != unit.pk]
    children = list(
        unit.children.filter(archived_at__isnull=True)
        .annotate(n_children=Count("children", filter=Q(children__archived_at__isnull=True)))
        .order_by("sort_order", "name")
    )
    counts = member_counts_by_unit(unit)
    child_members = {c.pk: 0 for c in children}
    if children:
        prefix = len(unit.path)
        for u in OrgUnit.objects.filter(pk__in=counts.keys()).only("pk", "path"):
            head = u.path[prefix:].split("/", 1)[0]
            if head and int(head) in child_members:
                child_members[int(head)] += counts[u.pk]
    for c in children:
        c.members = child_members[c.pk]  # type: ignore[attr-defined]
    has_committees = unit.kind != UnitKind.UNION_GROUP
    return {
        "unit": unit,
        "ancestors": [(a, access.has_perm(user, Perm.VIEW_ORG, a)) for a in ancestors],
        "children": children,
        "archived_children": list(unit.children.filter(archived_at__isnull=False).order_by("name")),
        "members_total": sum(counts.values()),
        "committees": committees_of(unit) if has_committees else [],
        "has_committees": has_committees,
        "registrations": list(unit.registrations.all()) if unit.is_union else [],
        "can_manage": unit.archived_at is None and access.has_perm(user, Perm.MANAGE_ORG, unit),
        "can_audit": access.has_perm(user, Perm.VIEW_AUDIT, unit),
    }


def union_members_for_positions(unit: OrgUnit) -> QuerySet[Person]:
    """People who may take a committee seat: active members of the unit's subtree."""
    return (
        Person.objects.filter(
            member__status=ACTIVE_MEMBER,
            member__unit__path__startswith=unit.path,
        )
        .order_by("name", "pk")
        .distinct()
    )


def position_candidates(unit: OrgUnit, q: str, limit: int = 20) -> list[Person]:
    """The seat chooser's search: active members of the unit's subtree whose name starts
    with ``q`` or whose member number is ``q``, at most ``limit``."""
    q = rules.normalise_text(q)
    if not q:
        return []
    found = Q(name__startswith=q) | Q(member__member_no=q)
    return list(union_members_for_positions(unit).filter(found)[:limit])


# ---- audit trail ------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    q: str = ""
    actor: str = ""  # username, exact
    object_type: str = ""
    unit: OrgUnit | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive


def audit_scope(user: User) -> QuerySet[AuditEvent] | None:
    """Events the user may read: their audit units' events; everything for an admin,
    except rows of restricted records (see ``audit_labels.register_restricted``), which
    need their own permission on the row's unit, administrators included."""
    if access.is_admin(user):
        qs = AuditEvent.objects.all()
    elif access.has_any(user, Perm.VIEW_AUDIT):
        qs = AuditEvent.objects.filter(
            unit__in=access.units_with(user, Perm.VIEW_AUDIT).values("pk")
        )
    else:
        return None
    by_perm: dict[str, Q] = {}
    for key, perm in audit_labels.restricted().items():
        match = Q(object_type=key) | Q(action__startswith=key)
        by_perm[perm] = by_perm.get(perm, Q()) | match
    for perm, match in by_perm.items():
        allowed = access.units_with(user, Perm(perm)).values("pk")
        qs = qs.exclude(match & ~Q(unit__in=allowed))
    return qs


def audit_events(
    user: User, params: Any, per_page: int = 50, *, page: str | int | None = None
) -> Page | None:
    """The audit log of the units the user may audit; None when they may audit none.
    ``params`` is an ``AuditFilter`` or a mapping of the same names (request.GET)."""
    qs = audit_scope(user)
    if qs is None:
        return None
    f = (
        params
        if isinstance(params, AuditFilter)
        else AuditFilter(action=params.get("action", ""), q=params.get("q", ""))
    )
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.q:
        qs = qs.filter(Q(object_repr__icontains=f.q) | Q(note__icontains=f.q))
    if f.actor:
        qs = qs.filter(actor__username=f.actor)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.unit is not None:
        qs = qs.filter(unit__path__startswith=f.unit.path)
    tz = timezone.get_current_timezone()
    if f.date_from:
        qs = qs.filter(at__gte=datetime.combine(f.date_from, time.min, tzinfo=tz))
    if f.date_to:
        qs = qs.filter(at__lt=datetime.combine(f.date_to + timedelta(days=1), time.min, tzinfo=tz))
    qs = qs.select_related("actor", "unit").order_by("-at", "-id")
    if page is None and not isinstance(params, AuditFilter):
        page = params.get("page")
    result = Paginator(qs, per_page).get_page(page)
    for event in result.object_list:
        event.diff = event_diff(event)  # type: ignore[attr-defined]
        event.action_label = audit_labels.action_label(event.action)  # type: ignore[attr-defined]
    return result


def record_events(user: User, object_type: str, object_id: str) -> list[AuditEvent] | None:
    """One record's history, oldest first; None when the user may see none of it."""
    qs = audit_scope(user)
    if qs is None:
        return None
    events = list(
        qs.filter(object_type=object_type, object_id=object_id)
        .select_related("actor", "unit")
        .order_by("at", "id")
    )
    if not events:
        return None
    for event in events:
        event.diff = event_diff(event)  # type: ignore[attr-defined]
        event.action_label = audit_labels.action_label(event.action)  # type: ignore[attr-defined]
    return events


# Values shown masked in the audit trail: reading them in clear is itself an audited act.
MASKED_AUDIT_FIELDS = {"id_number": rules.mask_id_number, "phone": rules.mask_phone}
HIDDEN_AUDIT_FIELDS = {"password", "digest"}


@dataclass(frozen=True)
class DiffRow:
    field: str
    before: str
    after: str
    changed: bool

    @property
    def label(self) -> str:
        return audit_labels.field_label(self.field)


def _show(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if name in HIDDEN_AUDIT_FIELDS:
        return "••••"
    if isinstance(value, dict) and set(value) <= {"old", "new"}:
        # A requested correction: each side is shown (and masked) like the field itself.
        return f"{_show(name, value.get('old'))} → {_show(name, value.get('new'))}"
    if name in MASKED_AUDIT_FIELDS:
        return MASKED_AUDIT_FIELDS[name](str(value))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


def event_diff(event: AuditEvent) -> list[DiffRow]:
    """Field-by-field before → after of an event, in a stable order, values made readable."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    names = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [
        DiffRow(
            n,
            _show(n, before.get(n)) if n in before else "",
            _show(n, after.get(n)) if n in after else "",
            before.get(n) != after.get(n),
        )
        for n in names
    ]


def audit_actions(user: User) -> list[str]:
    """Distinct action names in the user's audit scope, for the filter's choices."""
    qs = audit_scope(user)
    if qs is None:
        return []
    return sorted(set(qs.order_by().values_list("action", flat=True).distinct()))


# ---- users and roles --------------------------------------------------------------------


def visible_grants(user: User) -> QuerySet[RoleGrant]:
    qs = RoleGrant.objects.filter(revoked_at__isnull=True).select_related(
        "user", "unit", "granted_by"
    )
    return access.scope(qs, user, Perm.MANAGE_USERS, "unit").order_by(
        "unit__path", "role", "user__username"
    )


def users_without_roles(user: User) -> QuerySet[User]:
    """Users who hold no active role. Without a grant they sit on no unit, so they are in
    no one's reach but an administrator's (a new login, or one whose roles were revoked)."""
    if not access.is_admin(user):
        return User.objects.none()
    active = RoleGrant.objects.filter(user=OuterRef("pk"), revoked_at__isnull=True)
    return User.objects.filter(~Exists(active)).order_by("username")


def visible_grant(user: User, grant_id: int) -> RoleGrant | None:
    return visible_grants(user).filter(pk=grant_id).first()


def person_for_login(user: User, value: str) -> list[Person]:
    """People a new login may be linked to, found by ID number or member number among the
    members where ``user`` manages users."""
    value = rules.normalise_text(value).upper()
    if not value:
        return []
    qs = Person.objects.filter(Q(id_number=value) | Q(member__member_no=value))
    if not access.is_admin(user):
        qs = qs.filter(member__unit__in=access.units_with(user, Perm.MANAGE_USERS).values("pk"))
    return list(qs.distinct()[:2])


def counts_by_parent(units: list[OrgUnit]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for u in units:
        if u.parent_id:
            out[u.parent_id] += 1
    return out
