"""API for membership (/members): the list with the pages' filters, one member, enrolment
and applications, edits, every lifecycle step, and aggregate statistics of a unit.

Individual records need Perm.VIEW_MEMBERS on the member's unit (upper-union officers hold it
only with ``may_see_individuals``); a member outside that scope is a 404. ID numbers and
phones are masked unless the caller holds Perm.VIEW_SENSITIVE and asks with
``?reveal=true``; every such read is logged. Statistics need only Perm.VIEW_STATS.
Writes call members.services, which write the MembershipEvent and the AuditEvent.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from gonghui.core import access, queries, rules
from gonghui.core.access import Perm
from gonghui.core.api_common import require, unit_or_404, user_of
from gonghui.core.errors import DomainError
from gonghui.core.models import UNION_KINDS, OrgUnit, User
from gonghui.core.schemas import ERRORS, UnitRef
from gonghui.core.services import log_sensitive_read

from . import services, stats
from .models import Member, MemberStatus
from .queries import (
    MemberFilter,
    may_list_members,
    member_for_page,
    member_history,
    member_of_user,
    member_search,
    transfer_candidate,
)
from .schemas import (
    ApproveIn,
    CountOut,
    EventOut,
    MemberCreateIn,
    MemberDetailOut,
    MemberFilters,
    MemberOut,
    MemberPage,
    MemberUpdateIn,
    MoveIn,
    NoteStepIn,
    ReasonStepIn,
    StatisticsOut,
    StepIn,
    TransferInIn,
    TransferOutIn,
    UnionCountOut,
)

router = Router()

SENSITIVE_FIELDS = ["id_number", "phone"]
RELATED = ("person", "unit", "union")


# ---- reading --------------------------------------------------------------------------


def _ref(unit: OrgUnit) -> UnitRef:
    return UnitRef(id=unit.pk, name=unit.name, kind=unit.kind)


def may_see_hardship(user: User, m: Member) -> bool:
    """Whether a member is in hardship is hardship data (PIPL): only those who may open the
    union's hardship files see it (decision 0006); everyone else gets null."""
    return access.has_perm(user, Perm.VIEW_HARDSHIP, m.union)


def member_out(m: Member, *, revealed: bool, hardship: bool = False) -> dict[str, Any]:
    p = m.person
    return {
        "id": m.pk,
        "member_no": m.member_no,
        "status": m.status,
        "status_label": m.get_status_display(),
        "union": _ref(m.union),
        "unit": _ref(m.unit),
        "person_id": p.pk,
        "name": p.name,
        "gender": p.gender,
        "birth_date": p.birth_date,
        "id_number": (p.id_number or "") if revealed else rules.mask_id_number(p.id_number),
        "phone": p.phone if revealed else rules.mask_phone(p.phone),
        "sensitive_revealed": revealed,
        "employment_type": m.employment_type,
        "work_status": m.work_status,
        "post": m.post,
        "department": m.department,
        "joined_on": m.joined_on,
        "is_model_worker": m.is_model_worker,
        "is_in_hardship": m.is_in_hardship if hardship else None,
        "is_survivor": m.is_survivor,
    }


def member_detail_out(m: Member, *, revealed: bool, hardship: bool = False) -> MemberDetailOut:
    events = member_history(m)
    return MemberDetailOut(
        **member_out(m, revealed=revealed, hardship=hardship),
        ethnicity=m.person.ethnicity,
        political_status=m.person.political_status,
        education=m.person.education,
        applied_on=m.applied_on,
        status_changed_on=m.status_changed_on,
        retired_on=m.retired_on,
        note=m.note,
        events=[
            EventOut(
                id=e.pk,
                kind=e.kind,
                kind_label=e.get_kind_display(),
                on=e.on,
                from_unit=_ref(e.from_unit) if e.from_unit else None,
                to_unit=_ref(e.to_unit) if e.to_unit else None,
                note=e.note,
                actor=str(e.actor) if e.actor else None,
            )
            for e in events
        ],
    )


def _may_reveal(user: User, m: Member) -> bool:
    return access.has_perm(user, Perm.VIEW_SENSITIVE, m.unit) or access.is_self(user, m.person_id)


def _log_reveal(user: User, m: Member, request: HttpRequest) -> None:
    log_sensitive_read(
        actor=user,
        person=m.person,
        fields=SENSITIVE_FIELDS,
        unit=m.union,
        context=f"API {request.method} {request.path}",
    )


def _member_or_404(user: User, member_id: int) -> Member:
    m = member_for_page(user, member_id)
    if m is None:
        raise Http404
    return m


def _detail(request: HttpRequest, m: Member, reveal: bool) -> MemberDetailOut:
    user = user_of(request)
    if reveal:
        if not _may_reveal(user, m):
            raise PermissionDenied
        _log_reveal(user, m, request)
    return member_detail_out(m, revealed=reveal, hardship=may_see_hardship(user, m))


@router.get("", response={200: MemberPage, **ERRORS}, summary="List members (filtered, paged)")
def member_list(request: HttpRequest, filters: Query[MemberFilters]) -> MemberPage:
    user = user_of(request)
    if not may_list_members(user):
        raise PermissionDenied
    if filters.reveal and not access.has_any(user, Perm.VIEW_SENSITIVE):
        raise PermissionDenied
    unit = None
    if filters.unit is not None:
        unit = unit_or_404(user, filters.unit, Perm.VIEW_MEMBERS, field="unit")
    today = timezone.localdate()
    f = MemberFilter(
        q=filters.q,
        unit=unit,
        status="" if filters.status == "any" else filters.status,
        employment_type=filters.employment_type or "",
        work_status=filters.work_status or "",
        gender=filters.gender or "",
        age_min=filters.age_min,
        age_max=filters.age_max,
        birth_month=filters.birth_month,
        category=filters.category or "",
    )
    qs = member_search(user, f, today=today)
    # Two steps, as the pages do: the window's ids from the index, then those rows.
    ids = list(qs.values_list("pk", flat=True)[filters.offset : filters.offset + filters.limit])
    rows = {m.pk: m for m in Member.objects.filter(pk__in=ids).select_related(*RELATED)}
    page = [rows[i] for i in ids if i in rows]
    items = []
    for m in page:
        revealed = filters.reveal and _may_reveal(user, m)
        if revealed:
            _log_reveal(user, m, request)
        items.append(
            MemberOut(**member_out(m, revealed=revealed, hardship=may_see_hardship(user, m)))
        )
    return MemberPage(total=qs.count(), limit=filters.limit, offset=filters.offset, items=items)


@router.get(
    "/me", response={200: MemberDetailOut, **ERRORS}, summary="The caller's own member record"
)
def member_me(request: HttpRequest, reveal: bool = False) -> MemberDetailOut:
    m = member_of_user(user_of(request))
    if m is None:
        raise Http404
    return _detail(request, m, reveal)


@router.get("/{int:member_id}", response={200: MemberDetailOut, **ERRORS}, summary="One member")
def member_detail(request: HttpRequest, member_id: int, reveal: bool = False) -> MemberDetailOut:
    return _detail(request, _member_or_404(user_of(request), member_id), reveal)


# ---- statistics -------------------------------------------------------------------------


def member_statistics(unit: OrgUnit, *, today: date) -> StatisticsOut:
    """The dashboard's figures (members.stats.unit_stats, computed one way everywhere)
    plus one GROUP BY status over every membership row of the subtree."""
    figures = stats.unit_stats(unit, today=today)
    rows = Member.objects.filter(unit__path__startswith=unit.path)
    by_status = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())

    def out(buckets: list[stats.Bucket]) -> list[CountOut]:
        return [CountOut(key=b.key, label=str(b.label), count=b.count) for b in buckets]

    return StatisticsOut(
        unit=_ref(unit),
        on=today,
        active=figures.total,
        women=figures.women,
        retired=figures.retirees,
        young=figures.young,
        model_workers=figures.model_workers,
        joined_this_year=figures.new_this_year,
        by_status=[
            CountOut(key=v, label=str(lbl), count=by_status.get(v, 0))
            for v, lbl in MemberStatus.choices
        ],
        by_group=out(figures.by_group),
        by_gender=out(figures.by_gender),
        by_age_band=out(figures.by_age_band),
        by_employment_type=out(figures.by_employment),
        staff_count=figures.staff,
        enrolment_rate=_share(figures.enrolment_rate),
        unions=[
            UnionCountOut(
                unit=_ref(r.unit),
                members=r.members,
                women=r.women,
                staff_count=r.staff,
                enrolment_rate=_share(r.rate),
            )
            for r in figures.unions
        ],
    )


def _share(value: Fraction | None) -> float | None:
    return round(float(value), 4) if value is not None else None


@router.get(
    "/statistics",
    response={200: StatisticsOut, **ERRORS},
    summary="Member counts of a unit (aggregates only; upper-union officers may read them)",
)
def member_stats(request: HttpRequest, unit: int | None = None) -> StatisticsOut:
    user = user_of(request)
    if unit is None:
        home = access.home_unit(user)
        if home is None:
            raise PermissionDenied
        target = home
    else:
        target = unit_or_404(user, unit, Perm.VIEW_STATS, field="unit")
    return member_statistics(target, today=timezone.localdate())


# ---- writes -----------------------------------------------------------------------------


def _union_for(user: User, unit_id: int, field: str) -> tuple[OrgUnit, OrgUnit]:
    """The unit named in the input and the union it belongs to; the caller must be allowed
    to edit that union's members."""
    unit = unit_or_404(user, unit_id, field=field)
    union = queries.union_of(unit)
    if union is None:
        raise DomainError(
            "member.not_union",
            _("%(unit)s does not belong to a union.") % {"unit": unit},
            field=field,
        )
    require(user, Perm.EDIT_MEMBERS, union)
    return unit, union


def _fresh(m: Member) -> Member:
    return Member.objects.select_related(*RELATED).get(pk=m.pk)


def _given(data: dict[str, Any]) -> dict[str, Any]:
    """Input without the fields left empty (the services derive them, e.g. gender and
    birth date from the ID number)."""
    return {k: v for k, v in data.items() if v is not None and v != ""}


@router.post(
    "",
    response={201: MemberDetailOut, **ERRORS},
    summary="Enrol an existing member, or record an application to join",
)
def member_create(request: HttpRequest, payload: MemberCreateIn) -> Status[MemberDetailOut]:
    user = user_of(request)
    unit, union = _union_for(user, payload.unit_id, "unit_id")
    if payload.is_in_hardship and not access.has_perm(user, Perm.VIEW_HARDSHIP, union):
        raise PermissionDenied
    person = _given(payload.person.model_dump())
    fields = payload.model_dump(exclude={"mode", "unit_id", "on", "person", "member_no"})
    if payload.mode == "enrol":
        m = services.member_enrol(
            actor=user,
            union=union,
            unit=unit,
            person=person,
            joined_on=payload.on,
            member_no=payload.member_no,
            **fields,
        )
    else:
        m = services.member_apply(
            actor=user, union=union, unit=unit, person=person, applied_on=payload.on, **fields
        )
    return Status(
        201, member_detail_out(_fresh(m), revealed=False, hardship=may_see_hardship(user, m))
    )


@router.patch(
    "/{int:member_id}",
    response={200: MemberDetailOut, **ERRORS},
    summary="Change a member's data",
)
def member_update(request: HttpRequest, member_id: int, payload: MemberUpdateIn) -> MemberDetailOut:
    user = user_of(request)
    m = _member_or_404(user, member_id)
    require(user, Perm.EDIT_MEMBERS, m.union)
    changes = payload.model_dump(exclude_unset=True)
    changes = {
        k: v
        for k, v in changes.items()
        if v is not None or k in {"id_number", "birth_date", "joined_on"}
    }
    hardship = may_see_hardship(user, m)
    if "is_in_hardship" in changes and not hardship:
        raise PermissionDenied
    m = services.member_update(actor=user, member=m, **changes)
    return member_detail_out(_fresh(m), revealed=False, hardship=hardship)


def _step(request: HttpRequest, member_id: int, perm: Perm) -> tuple[User, Member, date]:
    user = user_of(request)
    m = _member_or_404(user, member_id)
    require(user, perm, m.union)
    return user, m, timezone.localdate()


def _done(user: User, m: Member) -> MemberDetailOut:
    m = _fresh(m)
    return member_detail_out(m, revealed=False, hardship=may_see_hardship(user, m))


STEP = {200: MemberDetailOut, **ERRORS}


@router.post("/{int:member_id}/approve", response=STEP, summary="Approve an application")
def member_approve(request: HttpRequest, member_id: int, payload: ApproveIn) -> MemberDetailOut:
    user, m, today = _step(request, member_id, Perm.APPROVE_MEMBERS)
    return _done(
        user,
        services.member_approve(
            actor=user, member=m, on=payload.on or today, member_no=payload.member_no
        ),
    )


@router.post("/{int:member_id}/reject", response=STEP, summary="Reject an application")
def member_reject(request: HttpRequest, member_id: int, payload: ReasonStepIn) -> MemberDetailOut:
    user, m, today = _step(request, member_id, Perm.APPROVE_MEMBERS)
    return _done(
        user,
        services.member_reject(actor=user, member=m, on=payload.on or today, reason=payload.reason),
    )


@router.post(
    "/{int:member_id}/move", response=STEP, summary="Move to another group of the same union"
)
def member_move(request: HttpRequest, member_id: int, payload: MoveIn) -> MemberDetailOut:
    user, m, today = _step(request, member_id, Perm.EDIT_MEMBERS)
    to_unit = unit_or_404(user, payload.to_unit_id, field="to_unit_id")
    return _done(
        user, services.member_move(actor=user, member=m, to_unit=to_unit, on=payload.on or today)
    )


@router.post("/{int:member_id}/transfer_out", response=STEP, summary="Transfer out (会籍转出)")
def member_transfer_out(
    request: HttpRequest, member_id: int, payload: TransferOutIn
) -> MemberDetailOut:
    user, m, today = _step(request, member_id, Perm.EDIT_MEMBERS)
    to_union = None
    if payload.to_union_id is not None:
        # The receiving union is usually outside the caller's scope: any union may be named.
        to_union = OrgUnit.objects.filter(
            pk=payload.to_union_id, kind__in=UNION_KINDS, archived_at__isnull=True
        ).first()
        if to_union is None:
            raise Http404("to_union_id")
    return _done(
        user,
        services.member_transfer_out(
            actor=user, member=m, on=payload.on or today, to_union=to_union, note=payload.note
        ),
    )


@router.post(
    "/transfer_in",
    response={200: MemberDetailOut, **ERRORS},
    summary="Take in a member transferred out of another union (会籍转入)",
)
def member_transfer_in(request: HttpRequest, payload: TransferInIn) -> MemberDetailOut:
    user = user_of(request)
    unit, union = _union_for(user, payload.unit_id, "unit_id")
    m = transfer_candidate(rules.normalise_text(payload.id_number).upper(), union)
    if m is None:
        raise Http404("id_number")
    on = payload.on or timezone.localdate()
    return _done(
        user,
        services.member_transfer_in(
            actor=user, member=m, union=union, unit=unit, on=on, note=payload.note
        ),
    )


@router.post("/{int:member_id}/retire", response=STEP, summary="Record retirement")
def member_retire(request: HttpRequest, member_id: int, payload: StepIn) -> MemberDetailOut:
    user, m, today = _step(request, member_id, Perm.EDIT_MEMBERS)
    return _done(user, services.member_retire(actor=user, member=m, on=payload.on or today))


@router.post("/{int:member_id}/leave", response=STEP, summary="Leave the union (退会)")
def member_leave(request: HttpRequest, member_id: int, payload: ReasonStepIn) -> MemberDetailOut:
    user, m, today = _step(request, member_id, Perm.EDIT_MEMBERS)
    return _done(
        user,
        services.member_leave(actor=user, member=m, on=payload.on or today, reason=payload.reason),
    )


@router.post("/{int:member_id}/decease", response=STEP, summary="Record a death")
def member_decease(request: HttpRequest, member_id: int, payload: NoteStepIn) -> MemberDetailOut:
    user, m, today = _step(request, member_id, Perm.EDIT_MEMBERS)
    return _done(
        user,
        services.member_decease(actor=user, member=m, on=payload.on or today, note=payload.note),
    )


@router.post("/{int:member_id}/reinstate", response=STEP, summary="Reinstate a member who left")
def member_reinstate(request: HttpRequest, member_id: int, payload: NoteStepIn) -> MemberDetailOut:
    user, m, today = _step(request, member_id, Perm.EDIT_MEMBERS)
    return _done(
        user,
        services.member_reinstate(actor=user, member=m, on=payload.on or today, note=payload.note),
    )
