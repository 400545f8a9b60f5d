"""API for the organisation tree (/units) and committees, terms and seats (/committees).

Reading needs Perm.VIEW_ORG on the unit (or admin); changing needs Perm.MANAGE_ORG and goes
through core.services, which audit every write.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from . import access, queries, services
from .access import Perm
from .api_common import require, unit_or_404, user_of
from .models import (
    CommitteePosition,
    CommitteeTerm,
    OrgUnit,
    PositionKind,
    UnitKind,
    User,
)
from .schemas import (
    ERRORS,
    CommitteeOut,
    PositionAssignIn,
    PositionEndIn,
    PositionOut,
    ReasonIn,
    TermDetailOut,
    TermOut,
    TermStartIn,
    TreeNodeOut,
    UnitCreateIn,
    UnitDetailOut,
    UnitKindIn,
    UnitMoveIn,
    UnitOut,
    UnitPage,
    UnitRef,
    UnitUpdateIn,
)

units = Router()
committees = Router()


# ---- org units ------------------------------------------------------------------------


class UnitFilters(Schema):
    kind: UnitKindIn | None = None
    parent: int | None = Field(None, description="Direct children of this unit")
    under: int | None = Field(None, description="This unit and its whole subtree")
    path: str | None = Field(None, description='Materialised-path prefix, e.g. "/1/7/"')
    q: str = Field("", description="Part of the name, short name or code")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


def unit_out(unit: OrgUnit) -> UnitOut:
    return UnitOut(
        id=unit.pk,
        name=unit.name,
        short_name=unit.short_name,
        code=unit.code,
        kind=unit.kind,
        kind_label=str(UnitKind(unit.kind).label),
        parent_id=unit.parent_id,
        path=unit.path,
        depth=unit.depth,
        is_affiliated=unit.is_affiliated,
        staff_count=unit.staff_count,
        sort_order=unit.sort_order,
        established_on=unit.established_on,
        address=unit.address,
        archived=unit.archived_at is not None,
    )


def unit_ref(unit: OrgUnit) -> UnitRef:
    return UnitRef(id=unit.pk, name=unit.name, kind=unit.kind)


def _visible_units(user: User) -> QuerySet[OrgUnit]:
    if not access.has_any(user, Perm.VIEW_ORG):
        raise PermissionDenied
    return access.units_with(user, Perm.VIEW_ORG)


@units.get("", response={200: UnitPage, **ERRORS}, summary="List the units the caller may see")
def unit_list(request: HttpRequest, filters: Query[UnitFilters]) -> UnitPage:
    user = user_of(request)
    qs = _visible_units(user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent is not None:
        qs = qs.filter(parent=unit_or_404(user, filters.parent, field="parent"))
    if filters.under is not None:
        qs = qs.filter(path__startswith=unit_or_404(user, filters.under, field="under").path)
    if filters.path:
        qs = qs.filter(path__startswith=filters.path)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__iexact=q))
    qs = qs.order_by("path")
    window = qs[filters.offset : filters.offset + filters.limit]
    return UnitPage(
        total=qs.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[unit_out(u) for u in window],
    )


@units.post("", response={201: UnitOut, **ERRORS}, summary="Create a unit under a parent")
def unit_create(request: HttpRequest, payload: UnitCreateIn) -> Status[UnitOut]:
    user = user_of(request)
    parent = None
    if payload.parent_id is not None:
        parent = unit_or_404(user, payload.parent_id, field="parent_id")
        require(user, Perm.MANAGE_ORG, parent)
    unit = services.unit_create(
        actor=user,
        name=payload.name,
        code=payload.code,
        kind=payload.kind,
        parent=parent,
        staff_count=payload.staff_count,
        is_affiliated=payload.is_affiliated,
        short_name=payload.short_name,
        sort_order=payload.sort_order,
    )
    return Status(201, unit_out(unit))


@units.get("/{int:unit_id}", response={200: UnitDetailOut, **ERRORS}, summary="One unit")
def unit_detail(request: HttpRequest, unit_id: int) -> UnitDetailOut:
    user = user_of(request)
    unit = unit_or_404(user, unit_id)
    ancestors = OrgUnit.objects.filter(pk__in=unit.ancestor_ids()).exclude(pk=unit.pk)
    children = unit.children.filter(archived_at__isnull=True).order_by("sort_order", "name")
    return UnitDetailOut(
        **unit_out(unit).model_dump(),
        ancestors=[unit_ref(a) for a in ancestors.order_by("depth")],
        children=[unit_ref(c) for c in children],
        can_manage=unit.archived_at is None and access.has_perm(user, Perm.MANAGE_ORG, unit),
    )


def _tree_out(node: queries.TreeNode) -> TreeNodeOut:
    u = node.unit
    return TreeNodeOut(
        id=u.pk,
        name=u.name,
        code=u.code,
        kind=u.kind,
        children=[_tree_out(c) for c in node.children],
    )


@units.get(
    "/{int:unit_id}/subtree",
    response={200: TreeNodeOut, **ERRORS},
    summary="The unit and everything under it, nested",
)
def unit_subtree(request: HttpRequest, unit_id: int) -> TreeNodeOut:
    unit = unit_or_404(user_of(request), unit_id)
    if unit.archived_at is not None:
        return TreeNodeOut(id=unit.pk, name=unit.name, code=unit.code, kind=unit.kind, children=[])
    return _tree_out(queries.unit_trees([unit])[0])


@units.patch("/{int:unit_id}", response={200: UnitOut, **ERRORS}, summary="Change a unit")
def unit_update(request: HttpRequest, unit_id: int, payload: UnitUpdateIn) -> UnitOut:
    user = user_of(request)
    unit = unit_or_404(user, unit_id)
    require(user, Perm.MANAGE_ORG, unit)
    changes = payload.model_dump(exclude_unset=True)
    # null means "no change" except for the staff count, which may be cleared.
    changes = {k: v for k, v in changes.items() if v is not None or k == "staff_count"}
    return unit_out(services.unit_update(actor=user, unit=unit, **changes))


@units.post(
    "/{int:unit_id}/move",
    response={200: UnitOut, **ERRORS},
    summary="Move a unit and its subtree under another parent",
)
def unit_move(request: HttpRequest, unit_id: int, payload: UnitMoveIn) -> UnitOut:
    user = user_of(request)
    unit = unit_or_404(user, unit_id)
    new_parent = unit_or_404(user, payload.parent_id, field="parent_id")
    require(user, Perm.MANAGE_ORG, unit)
    require(user, Perm.MANAGE_ORG, new_parent)
    return unit_out(services.unit_move(actor=user, unit=unit, new_parent=new_parent))


@units.post("/{int:unit_id}/archive", response={200: UnitOut, **ERRORS}, summary="Archive a unit")
def unit_archive(request: HttpRequest, unit_id: int, payload: ReasonIn) -> UnitOut:
    user = user_of(request)
    unit = unit_or_404(user, unit_id)
    require(user, Perm.MANAGE_ORG, unit)
    return unit_out(services.unit_archive(actor=user, unit=unit, reason=payload.reason))


# ---- committees, terms, seats ---------------------------------------------------------


def position_out(p: CommitteePosition) -> PositionOut:
    return PositionOut(
        id=p.pk,
        person_id=p.person_id,
        person_name=p.person.name,
        position=p.position,
        position_label=str(PositionKind(p.position).label),
        source=p.source,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        end_reason=p.end_reason,
    )


def term_out(t: CommitteeTerm) -> TermOut:
    return TermOut(
        id=t.pk,
        committee_id=t.committee_id,
        number=t.number,
        starts_on=t.starts_on,
        planned_end_on=t.planned_end_on,
        ended_on=t.ended_on,
        note=t.note,
        is_current=t.ended_on is None,
    )


def term_detail_out(t: CommitteeTerm) -> TermDetailOut:
    positions = t.positions.select_related("person").order_by("position", "starts_on", "pk")
    return TermDetailOut(
        **term_out(t).model_dump(),
        union=unit_ref(t.committee.union),
        kind=t.committee.kind,
        positions=[position_out(p) for p in positions],
    )


def committee_out(c: queries.CommitteeView) -> CommitteeOut:
    running = c.running
    return CommitteeOut(
        id=c.committee_id or 0,
        kind=c.kind,
        kind_label=c.label,
        terms=[term_out(t.term) for t in c.terms],
        current_term_id=running.term.pk if running else None,
        current_positions=[position_out(p) for p in running.current] if running else [],
    )


def _term_or_404(user: User, term_id: int) -> CommitteeTerm:
    term = CommitteeTerm.objects.select_related("committee__union").filter(pk=term_id).first()
    if term is None:
        raise Http404
    unit_or_404(user, term.committee.union_id)
    return term


@committees.get(
    "",
    response={200: list[CommitteeOut], **ERRORS},
    summary="Committees of a unit with their terms and the seats now held",
)
def committee_list(request: HttpRequest, unit: int) -> list[CommitteeOut]:
    user = user_of(request)
    union = unit_or_404(user, unit, field="unit")
    return [committee_out(c) for c in queries.committees_of(union) if c.committee_id]


@committees.post(
    "/terms",
    response={201: TermDetailOut, **ERRORS},
    summary="Start a new term (换届); the running term ends",
)
def term_start(request: HttpRequest, payload: TermStartIn) -> Status[TermDetailOut]:
    user = user_of(request)
    union = unit_or_404(user, payload.unit_id, field="unit_id")
    require(user, Perm.MANAGE_ORG, union)
    term = services.committee_term_start(
        actor=user,
        union=union,
        kind=payload.kind,
        number=payload.number,
        starts_on=payload.starts_on,
        years=payload.years,
        note=payload.note,
    )
    return Status(201, term_detail_out(term))


@committees.get(
    "/terms/{int:term_id}",
    response={200: TermDetailOut, **ERRORS},
    summary="A term with every seat held in it",
)
def term_detail(request: HttpRequest, term_id: int) -> TermDetailOut:
    return term_detail_out(_term_or_404(user_of(request), term_id))


@committees.post(
    "/terms/{int:term_id}/positions",
    response={201: PositionOut, **ERRORS},
    summary="Give a person a seat in a term",
)
def position_assign(
    request: HttpRequest, term_id: int, payload: PositionAssignIn
) -> Status[PositionOut]:
    user = user_of(request)
    term = _term_or_404(user, term_id)
    union = term.committee.union
    require(user, Perm.MANAGE_ORG, union)
    # Seats go to active members of the unit's own subtree; anyone else is "not found".
    person = queries.union_members_for_positions(union).filter(pk=payload.person_id).first()
    if person is None:
        raise Http404("person_id")
    pos = services.position_assign(
        actor=user,
        term=term,
        person=person,
        position=payload.position,
        starts_on=payload.starts_on,
        source=payload.source,
    )
    return Status(201, position_out(pos))


@committees.post(
    "/positions/{int:position_id}/end",
    response={200: PositionOut, **ERRORS},
    summary="End a seat (离任)",
)
def position_end(request: HttpRequest, position_id: int, payload: PositionEndIn) -> PositionOut:
    user = user_of(request)
    pos = (
        CommitteePosition.objects.select_related("term__committee__union", "person")
        .filter(pk=position_id)
        .first()
    )
    if pos is None:
        raise Http404
    union = unit_or_404(user, pos.term.committee.union_id)
    require(user, Perm.MANAGE_ORG, union)
    pos = services.position_end(
        actor=user, position=pos, ends_on=payload.ends_on, reason=payload.reason
    )
    return position_out(pos)
