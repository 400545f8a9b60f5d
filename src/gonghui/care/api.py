"""API for care (/care): life events and the visit tasks they create, recording a visit,
visits, distributions and insurance plans (read only) and the care statistics.

Who may do what is the pages' rule, through ``core.access``: records of members need
Perm.MANAGE_CARE where the member is (a member sees their own events and visits), reporting
an event needs Perm.REPORT_CARE on the member's unit or being that member, statistics need
Perm.VIEW_STATS. Writes call the same services as the pages (``care.services``), so the
must-visit rule, the spending caps and the audit rows are the same.

Hardship files, their family and income data, aid records and health-check lists are not
exposed at all (docs/decisions/0010-care-api-scope.md); the statistics carry hardship
counts only, to those whom ``hardship.hardship_counts`` lets count them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.api_common import unit_or_404, user_of
from gonghui.core.errors import DomainError
from gonghui.core.models import UNION_KINDS, OrgUnit, User
from gonghui.core.schemas import ERRORS, UnitRef
from gonghui.core.services import log_sensitive_read
from gonghui.members.models import Member
from gonghui.members.queries import member_of_user

from . import distributions, hardship, insurance, rules, services, stats, summary
from .api_schemas import (
    BuildOut,
    CareStatsOut,
    CountOut,
    DistributionDetailOut,
    DistributionFiguresOut,
    DistributionFilters,
    DistributionOut,
    DistributionPage,
    EventFilters,
    EventIn,
    EventOut,
    EventPage,
    GroupProgressOut,
    HardshipCountsOut,
    InsuranceKindOut,
    KindFigureOut,
    MemberRef,
    PlanFilters,
    PlanOut,
    PlanPage,
    StatsFilters,
    TaskDetailOut,
    TaskFilters,
    TaskOut,
    TaskPage,
    UnionFiguresOut,
    VisitDetailOut,
    VisitFiguresOut,
    VisitFilters,
    VisitIn,
    VisitOut,
    VisitPage,
)
from .models import (
    CapItem,
    CarePayment,
    Distribution,
    EventKind,
    HardshipCause,
    HardshipTier,
    LifeEvent,
    Visit,
    VisitTask,
)
from .models.donations import InsurancePlan

router = Router()

M = TypeVar("M", bound=Model)
P = TypeVar("P")
V = TypeVar("V", bound=Visit)


def money(value: Decimal | int | None) -> str:
    return f"{rules.yuan(value or 0):.2f}"


def _ref(unit: OrgUnit) -> UnitRef:
    return UnitRef(id=unit.pk, name=unit.name, kind=unit.kind)


def _member_ref(m: Member) -> MemberRef:
    return MemberRef(id=m.pk, name=m.person.name, unit=_ref(m.unit))


# ---- who may see which records, and the steps every list shares ------------------------


def _may_manage(user: User) -> bool:
    return access.has_any(user, Perm.MANAGE_CARE)


def _managers_only(user: User) -> None:
    if not _may_manage(user):
        raise PermissionDenied


def _care_rows(user: User, qs: QuerySet[M], unit_field: str, *, own: bool = False) -> QuerySet[M]:
    """The rows of ``qs`` where the caller manages care (``unit_field`` leads to the unit);
    with ``own``, also the caller's own rows as a member (their events and visits, as on the
    "my care" page). Anybody else gets a 403."""
    me = member_of_user(user) if own else None
    if me is None:
        _managers_only(user)
        return access.scope(qs, user, Perm.MANAGE_CARE, unit_field)
    mine = qs.filter(member__person_id=me.person_id)
    if not _may_manage(user):
        return mine
    return access.scope(qs, user, Perm.MANAGE_CARE, unit_field) | mine


def _union_filter(user: User, union_id: int) -> OrgUnit:
    """A union named in a filter: one whose care the caller manages, or their own union;
    anything else is "not found", like a missing id."""
    unit = OrgUnit.objects.filter(pk=union_id).first()
    if unit is not None and access.has_perm(user, Perm.MANAGE_CARE, unit):
        return unit
    own = member_of_user(user)
    if unit is not None and own is not None and own.union_id == unit.pk:
        return unit
    raise Http404("union")


class _ListFilters(Protocol):
    """What the filters of every list have: a union (or a unit above unions) and a page."""

    union: int | None
    limit: int
    offset: int


def _in_union(user: User, qs: QuerySet[M], filters: _ListFilters) -> QuerySet[M]:
    """``qs``, already scoped to the caller, narrowed to the union the filters name. Called
    before a list's own filters, so an unknown union is the 404 a caller sees first."""
    if filters.union is None:
        return qs
    return qs.filter(union__path__startswith=_union_filter(user, filters.union).path)


def _paged(
    page: Callable[..., P],
    qs: QuerySet[M],
    filters: _ListFilters,
    items: Callable[[list[M]], list[Any]],
) -> P:
    """One page of ``qs`` (already ordered) with the total, as ``page`` schemas carry it;
    ``items`` turns the rows into their schemas (given the whole page, so it may fetch what
    the rows share in one query)."""
    total = qs.count()
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    return page(total=total, limit=filters.limit, offset=filters.offset, items=items(rows))


# ---- events and tasks -------------------------------------------------------------------


def _task_fields(t: VisitTask, e: LifeEvent, today: date) -> dict[str, Any]:
    overdue = rules.is_overdue(t.due_on, t.status != VisitTask.Status.OPEN, today)
    return {
        "id": t.pk,
        "union": _ref(t.union),
        "member": _member_ref(e.member),
        "event_id": e.pk,
        "event_kind": e.kind,
        "event_kind_label": str(EventKind(e.kind).label),
        "occurred_on": e.occurred_on,
        "relative": e.relative,
        "due_on": t.due_on,
        "who_visits": t.who_visits,
        "standard_cash": money(t.standard_cash),
        "standard_gift": t.standard_gift,
        "cap_item": t.cap_item,
        "cap_item_label": str(CapItem(t.cap_item).label),
        "status": t.status,
        "status_label": str(VisitTask.Status(t.status).label),
        "overdue": overdue,
        "days_late": (today - t.due_on).days if overdue else 0,
        "done_at": t.done_at,
        "cancel_reason": t.cancel_reason,
    }


def _event_out(e: LifeEvent, today: date) -> EventOut:
    task = getattr(e, "task", None)
    return EventOut(
        id=e.pk,
        union=_ref(e.union),
        member=_member_ref(e.member),
        kind=e.kind,
        kind_label=str(EventKind(e.kind).label),
        occurred_on=e.occurred_on,
        relative=e.relative,
        status=e.status,
        status_label=str(LifeEvent.Status(e.status).label),
        reported_at=e.reported_at,
        reported_by=str(e.reported_by) if e.reported_by else None,
        task=TaskOut(**_task_fields(task, e, today)) if task is not None else None,
    )


EVENT_RELATED = ("union", "member__person", "member__unit", "reported_by", "task__union")


@router.get("/events", response={200: EventPage, **ERRORS}, summary="Life events (paged)")
def event_list(request: HttpRequest, filters: Query[EventFilters]) -> EventPage:
    user = user_of(request)
    qs = _in_union(
        user, _care_rows(user, LifeEvent.objects.all(), "member__unit", own=True), filters
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise DomainError(
            "care.date_range", _("The end date is before the start date."), field="date_to"
        )
    if filters.date_from:
        qs = qs.filter(occurred_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(occurred_on__lte=filters.date_to)
    today = timezone.localdate()
    return _paged(
        EventPage,
        qs.select_related(*EVENT_RELATED).order_by("-occurred_on", "-pk"),
        filters,
        lambda rows: [_event_out(e, today) for e in rows],
    )


def _reportable(user: User, member_id: int, own: Member | None) -> Member | None:
    """The member whose event the caller reports: themself, or one where they hold
    REPORT_CARE (a group leader: their group), as on the report page."""
    if own is not None and own.pk == member_id:
        return own
    qs = access.scope(Member.objects.all(), user, Perm.REPORT_CARE, "unit")
    return qs.select_related("person", "unit", "union").filter(pk=member_id).first()


@router.post(
    "/events",
    response={201: EventOut, **ERRORS},
    summary="Report a life event; the must-visit rule may create a visit task",
)
def event_create(request: HttpRequest, payload: EventIn) -> Status[EventOut]:
    user = user_of(request)
    own = member_of_user(user)
    if own is None and not access.has_any(user, Perm.REPORT_CARE):
        raise PermissionDenied
    member = _reportable(user, payload.member_id, own)
    if member is None:
        raise Http404("member_id")
    event = services.event_report(
        user=user,
        member=member,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        relative=payload.relative,
        details=payload.details,
    )
    fresh = LifeEvent.objects.select_related(*EVENT_RELATED).get(pk=event.pk)
    return Status(201, _event_out(fresh, timezone.localdate()))


TASK_RELATED = ("union", "event__member__person", "event__member__unit")


@router.get("/tasks", response={200: TaskPage, **ERRORS}, summary="Visit tasks (paged)")
def task_list(request: HttpRequest, filters: Query[TaskFilters]) -> TaskPage:
    user = user_of(request)
    qs = _in_union(user, _care_rows(user, VisitTask.objects.all(), "event__member__unit"), filters)
    if filters.status:
        qs = qs.filter(status=filters.status)
    today = timezone.localdate()
    late = Q(status=VisitTask.Status.OPEN, due_on__lt=today)
    if filters.overdue is True:
        qs = qs.filter(late)
    elif filters.overdue is False:
        qs = qs.exclude(late)
    return _paged(
        TaskPage,
        qs.select_related(*TASK_RELATED).order_by("due_on", "pk"),
        filters,
        lambda rows: [TaskOut(**_task_fields(t, t.event, today)) for t in rows],
    )


@router.get(
    "/tasks/{int:task_id}",
    response={200: TaskDetailOut, **ERRORS},
    summary="One visit task with its event's details and its visit (the read is logged)",
)
def task_detail(request: HttpRequest, task_id: int) -> TaskDetailOut:
    user = user_of(request)
    _managers_only(user)
    task = services.managed_task(user, task_id)
    if task is None:
        raise Http404
    e = task.event
    # A hospital stay or a family misfortune is health and hardship data (PIPL): reading the
    # details is logged as the member's care history page logs it.
    log_sensitive_read(
        actor=user,
        person=e.member.person,
        fields=["care_event"],
        unit=task.union,
        context=f"API GET {request.path}",
    )
    visits = _visits_with_overrides(
        list(task.visits.select_related(*VISIT_RELATED).annotate(photo_count=Count("photos")))
    )
    return TaskDetailOut(
        **_task_fields(task, e, timezone.localdate()),
        details=e.details,
        reported_at=e.reported_at,
        reported_by=str(e.reported_by) if e.reported_by else None,
        visits=[_visit_detail(v) for v in visits],
    )


# ---- visits -----------------------------------------------------------------------------

VISIT_RELATED = ("union", "member__person", "member__unit", "recorded_by")


def _visits_with_overrides(visits: list[V]) -> list[V]:
    """Attach the chair's override reason from the ledger (one query for the page)."""
    reasons = dict(
        CarePayment.objects.filter(
            source=CarePayment.Source.VISIT, source_id__in=[v.pk for v in visits]
        )
        .exclude(override_reason="")
        .values_list("source_id", "override_reason")
    )
    for v in visits:
        v.override_reason = reasons.get(v.pk, "")  # type: ignore[attr-defined]
    return visits


def _visit_fields(v: Visit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "union": _ref(v.union),
        "member": _member_ref(v.member),
        "task_id": v.task_id,
        "kind": v.kind,
        "kind_label": str(CapItem(v.kind).label),
        "visited_on": v.visited_on,
        "visitors": v.visitors,
        "cash": money(v.cash),
        "gift_description": v.gift_description,
        "gift_value": money(v.gift_value),
        "amount": money(v.cash + v.gift_value),
        "receipt_signed": v.receipt_signed,
        "photos": getattr(v, "photo_count", 0),
        "override_reason": getattr(v, "override_reason", ""),
        "recorded_by": str(v.recorded_by) if v.recorded_by else None,
        "recorded_at": v.recorded_at,
    }


def _visit_detail(v: Visit) -> VisitDetailOut:
    return VisitDetailOut(**_visit_fields(v), notes=v.notes)


@router.post(
    "/tasks/{int:task_id}/visits",
    response={201: VisitDetailOut, **ERRORS},
    summary="Record the visit of a task (the spending caps apply; the chair may override)",
)
def visit_create(request: HttpRequest, task_id: int, payload: VisitIn) -> Status[VisitDetailOut]:
    user = user_of(request)
    _managers_only(user)
    task = services.managed_task(user, task_id)
    if task is None:
        raise Http404
    member = task.event.member
    if payload.override_reason.strip() and not access.has_perm(
        user, Perm.OVERRIDE_CAPS, member.union
    ):
        raise DomainError(
            "cap_override.forbidden",
            _("Only the union chair may allow a payment over the cap."),
            field="override_reason",
        )
    visit = services.visit_record(
        actor=user,
        member=member,
        task=task,
        kind=payload.kind or task.cap_item,
        visited_on=payload.visited_on,
        visitors=payload.visitors,
        cash=payload.cash,
        gift_description=payload.gift_description,
        gift_value=payload.gift_value,
        notes=payload.notes,
        receipt_signed=payload.receipt_signed,
        override_reason=payload.override_reason,
    )
    fresh = Visit.objects.select_related(*VISIT_RELATED).annotate(photo_count=Count("photos"))
    return Status(201, _visit_detail(_visits_with_overrides([fresh.get(pk=visit.pk)])[0]))


@router.get("/visits", response={200: VisitPage, **ERRORS}, summary="Visits (paged)")
def visit_list(request: HttpRequest, filters: Query[VisitFilters]) -> VisitPage:
    user = user_of(request)
    qs = _in_union(user, _care_rows(user, Visit.objects.all(), "member__unit", own=True), filters)
    if filters.year is not None:
        qs = qs.filter(visited_on__year=filters.year)
    if filters.member is not None:
        own = member_of_user(user)
        mine = own is not None and own.pk == filters.member
        if not mine and services.managed_member(user, filters.member) is None:
            raise Http404("member")
        qs = qs.filter(member_id=filters.member)
    return _paged(
        VisitPage,
        qs.select_related(*VISIT_RELATED)
        .annotate(photo_count=Count("photos"))
        .order_by("-visited_on", "-pk"),
        filters,
        lambda rows: [VisitOut(**_visit_fields(v)) for v in _visits_with_overrides(rows)],
    )


# ---- distributions (read only) ----------------------------------------------------------


def _distribution_fields(d: Distribution) -> dict[str, Any]:
    may_hand_out = d.recipients_count - d.over_cap_count
    job = d.job
    return {
        "id": d.pk,
        "union": _ref(d.union),
        "title": d.title,
        "kind": d.kind,
        "kind_label": str(Distribution.Kind(d.kind).label),
        "cap_item": d.cap_item,
        "cap_item_label": str(CapItem(d.cap_item).label),
        "given_on": d.given_on,
        "amount_per_person": money(d.amount_per_person),
        "gift_description": d.gift_description,
        "status": d.status,
        "status_label": str(Distribution.Status(d.status).label),
        "recipients": d.recipients_count,
        "over_cap": d.over_cap_count,
        "handed_out": d.handed_out_count,
        "total_amount": money(d.total_amount),
        "handed_out_percent": (
            min(100, 100 * d.handed_out_count // may_hand_out) if may_hand_out > 0 else 0
        ),
        "build": BuildOut(
            status=job.status,
            status_label=str(job.get_status_display()),
            percent=job.percent,
            message=job.message,
        )
        if job is not None
        else None,
    }


def _distributions(user: User) -> QuerySet[Distribution]:
    _managers_only(user)
    return distributions.distributions_for(user)


@router.get(
    "/distributions",
    response={200: DistributionPage, **ERRORS},
    summary="Festival, birthday and seasonal distributions (paged, read only)",
)
def distribution_list(
    request: HttpRequest, filters: Query[DistributionFilters]
) -> DistributionPage:
    user = user_of(request)
    qs = _in_union(user, _distributions(user), filters)
    if filters.year is not None:
        qs = qs.filter(given_on__year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return _paged(
        DistributionPage,
        qs.order_by("-given_on", "-pk"),
        filters,
        lambda rows: [DistributionOut(**_distribution_fields(d)) for d in rows],
    )


@router.get(
    "/distributions/{int:distribution_id}",
    response={200: DistributionDetailOut, **ERRORS},
    summary="One distribution: plan, counts, total, state and progress by group (no names)",
)
def distribution_detail(request: HttpRequest, distribution_id: int) -> DistributionDetailOut:
    user = user_of(request)
    d = _distributions(user).filter(pk=distribution_id).first()
    if d is None:
        raise Http404
    return DistributionDetailOut(
        **_distribution_fields(d),
        criteria=d.criteria,
        groups=[
            GroupProgressOut(
                unit_id=g.unit_id,
                name=g.name,
                lines=g.lines,
                handed_out=g.handed,
                waiting=g.waiting,
            )
            for g in distributions.group_figures(d)
        ],
        created_at=d.created_at,
        closed_at=d.closed_at,
    )


# ---- insurance (read only) --------------------------------------------------------------


def _plan_out(p: InsurancePlan) -> PlanOut:
    f: insurance.PlanFigures = p.figures  # type: ignore[attr-defined]
    return PlanOut(
        id=p.pk,
        union=_ref(p.union),
        kind=p.kind,
        kind_label=str(InsurancePlan.Kind(p.kind).label),
        name=p.name,
        year=p.year,
        premium_per_person=money(p.premium_per_person),
        period_start=p.period_start,
        period_end=p.period_end,
        insurer=p.insurer,
        claim_limit=money(p.claim_limit) if p.claim_limit is not None else None,
        enrolled=f.enrolled,
        eligible=f.eligible,
        enrolment_rate=str(f.rate),
        premiums=money(f.premiums),
        claims=f.claims,
        claims_paid=f.claims_paid,
        paid_amount=money(f.paid_amount),
    )


@router.get(
    "/insurance/plans",
    response={200: PlanPage, **ERRORS},
    summary="Mutual-aid insurance plans with enrolment rate and claim totals (read only)",
)
def plan_list(request: HttpRequest, filters: Query[PlanFilters]) -> PlanPage:
    user = user_of(request)
    _managers_only(user)
    qs = _in_union(user, insurance.plans_managed(user), filters)
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    return _paged(
        PlanPage,
        qs.order_by("-year", "kind", "pk"),
        filters,
        lambda rows: [_plan_out(p) for p in insurance.with_figures(rows)],
    )


# ---- statistics -------------------------------------------------------------------------


def _stats_target(user: User, union_id: int | None, reach: QuerySet[OrgUnit]) -> OrgUnit:
    if union_id is not None:
        return unit_or_404(user, union_id, Perm.VIEW_STATS, field="union")
    # The highest unit the caller may count that has unions below it (a group leader's
    # group has none, an upper officer's federation has all of theirs).
    for top in access.top_units(user, Perm.VIEW_STATS):
        if reach.filter(path__startswith=top.path).exists():
            return top
    raise PermissionDenied


def _hardship_out(user: User, unions: list[OrgUnit], year: int) -> HardshipCountsOut | None:
    """Hardship counts only when the caller may count every union asked about (the chair and
    care officers their own union, upper unions those below them; never administrators)."""
    counted = {c.union.pk: c for c in hardship.hardship_counts(user, year=year)}
    if not all(u.pk in counted for u in unions):
        return None
    rows = [counted[u.pk] for u in unions]

    def tally(attr: str, choices: list[tuple[str, Any]]) -> list[CountOut]:
        return [
            CountOut(key=k, label=str(label), count=sum(getattr(r, attr).get(k, 0) for r in rows))
            for k, label in choices
        ]

    return HardshipCountsOut(
        active=sum(r.active for r in rows),
        exited=sum(r.exited for r in rows),
        by_tier=tally("by_tier", HardshipTier.choices),
        by_cause=tally("by_cause", HardshipCause.choices),
        aid_count=sum(r.aid_count for r in rows),
        aid_amount=money(sum((r.aid_amount for r in rows), Decimal("0"))),
    )


def _insurance_out(unions: list[OrgUnit], year: int) -> list[InsuranceKindOut]:
    plans = insurance.with_figures(
        list(InsurancePlan.objects.filter(union__in=unions, year=year).order_by("pk"))
    )
    out = []
    for kind, label in InsurancePlan.Kind.choices:
        figures = [p.figures for p in plans if p.kind == kind]  # type: ignore[attr-defined]
        if not figures:
            continue
        enrolled = sum(f.enrolled for f in figures)
        eligible = sum(f.eligible for f in figures)
        out.append(
            InsuranceKindOut(
                kind=kind,
                label=str(label),
                plans=len(figures),
                enrolled=enrolled,
                eligible=eligible,
                enrolment_rate=str(rules.enrolment_rate(enrolled=enrolled, eligible=eligible)),
                claims_paid=sum(f.claims_paid for f in figures),
                paid_amount=money(sum((f.paid_amount for f in figures), Decimal("0"))),
            )
        )
    return out


@router.get(
    "/stats",
    response={200: CareStatsOut, **ERRORS},
    summary="Care figures of a union or of every union under a unit (aggregates only)",
)
def care_stats(request: HttpRequest, filters: Query[StatsFilters]) -> CareStatsOut:
    user = user_of(request)
    reach = access.units_with(user, Perm.VIEW_STATS).filter(kind__in=list(UNION_KINDS))
    if not reach.exists():
        raise PermissionDenied
    target = _stats_target(user, filters.union, reach)
    unions = list(reach.filter(path__startswith=target.path).order_by("path"))
    if not unions:
        raise DomainError(
            "care.stats_no_union",
            _("%(unit)s has no union below it: care figures are kept per union.")
            % {"unit": target},
            field="union",
        )
    today = timezone.localdate()
    year = filters.year or today.year
    v = stats.unions_care_figures(unions, year, today=today)
    d = summary.distribution_figures(unions, year)
    return CareStatsOut(
        unit=_ref(target),
        year=year,
        on=today,
        unions=[
            UnionFiguresOut(
                union=_ref(r.union),
                visits=r.visits,
                households=r.households,
                amount=money(r.amount),
                overdue_tasks=r.overdue_tasks,
            )
            for r in stats.union_rows(unions, year, today=today)
        ],
        visits=VisitFiguresOut(
            visits=v.visits,
            households=v.households,
            amount=money(v.amount),
            cash=money(v.cash),
            gift_value=money(v.gift_value),
            by_kind=[
                KindFigureOut(
                    kind=k.kind,
                    label=k.label,
                    visits=k.visits,
                    households=k.households,
                    amount=money(k.amount),
                )
                for k in v.by_kind
            ],
            by_month=v.by_month,
            open_tasks=v.open_tasks,
            overdue_tasks=v.overdue_tasks,
        ),
        distributions=DistributionFiguresOut(
            distributions=d.count, handed_out=d.recipients, amount=money(d.amount)
        ),
        hardship=_hardship_out(user, unions, year),
        insurance=_insurance_out(unions, year),
    )
