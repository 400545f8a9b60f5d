"""Care figures computed from the records: visits (户次), households (distinct members)
and amounts by occasion and month, overdue tasks; per union for upper federations (counts
and amounts only, no names); and one member's care history.

The home page, the upper-union page and (later) the annual summary read these, so a figure
is computed one way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth

from gonghui.core.models import UNION_KINDS, OrgUnit
from gonghui.members.models import Member

from . import ledger, rules
from .models import CapItem, CarePayment, LifeEvent, Visit, VisitTask

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class KindFigure:
    kind: str
    label: str
    visits: int
    households: int
    amount: Decimal


@dataclass(frozen=True)
class CareFigures:
    year: int
    visits: int  # 户次
    households: int  # distinct members visited
    amount: Decimal  # cash + gift value of the visits, net of corrections
    cash: Decimal
    gift_value: Decimal
    by_kind: list[KindFigure]
    by_month: list[int]  # visits in January .. December
    open_tasks: int
    overdue_tasks: int

    @property
    def sentence(self) -> str:
        """The summary's phrase, e.g. "慰问 256 户次，金额 ¥21,623.00"."""
        return f"慰问 {self.visits} 户次（{self.households} 户），金额 ¥{self.amount:,}"


def _visit_amounts(union_ids: list[int], year: int) -> dict[int, dict[str, Decimal]]:
    """Net visit payments per union: the visits' postings plus the corrections of them."""
    payments = CarePayment.objects.filter(
        source=CarePayment.Source.VISIT, year=year, union_id__in=union_ids
    )
    out: dict[int, dict[str, Decimal]] = {}
    rows = payments.values("union_id").annotate(
        amount=Sum("amount"), cash=Sum("cash"), gift=Sum("gift_value")
    )
    for r in rows:
        out[r["union_id"]] = {"amount": r["amount"], "cash": r["cash"], "gift": r["gift"]}
    corrections = (
        CarePayment.objects.filter(
            source=CarePayment.Source.CORRECTION, source_id__in=payments.values("pk")
        )
        .values("union_id")
        .annotate(amount=Sum("amount"), cash=Sum("cash"), gift=Sum("gift_value"))
    )
    for r in corrections:
        row = out.setdefault(r["union_id"], {"amount": ZERO, "cash": ZERO, "gift": ZERO})
        for k in ("amount", "cash", "gift"):
            row[k] += r[k]
    return {u: {k: rules.yuan(v or 0) for k, v in d.items()} for u, d in out.items()}


def care_figures(union: OrgUnit, year: int, *, today: date) -> CareFigures:
    """This union's visit figures for a calendar year, and its open and overdue tasks on
    ``today`` (overdue: open and past the due date, as ``rules.is_overdue`` says)."""
    return unions_care_figures([union], year, today=today)


def unions_care_figures(unions: Iterable[OrgUnit], year: int, *, today: date) -> CareFigures:
    """``care_figures`` of several unions taken together (an upper union's subtree, for the
    API's statistics): the same queries over all of them at once."""
    ids = [u.pk for u in unions]
    visits = Visit.objects.filter(union_id__in=ids, visited_on__year=year)
    labels = dict(CapItem.choices)
    kind_rows = visits.values("kind").annotate(
        n=Count("pk"),
        households=Count("member", distinct=True),
        amount=Sum("cash") + Sum("gift_value"),
    )
    by_kind = sorted(
        (
            KindFigure(
                r["kind"],
                str(labels.get(r["kind"], r["kind"])),
                r["n"],
                r["households"],
                rules.yuan(r["amount"] or 0),
            )
            for r in kind_rows
        ),
        key=lambda k: (-k.visits, k.kind),
    )
    months = [0] * 12
    for r in visits.annotate(m=ExtractMonth("visited_on")).values("m").annotate(n=Count("pk")):
        months[r["m"] - 1] = r["n"]
    money = {"amount": ZERO, "cash": ZERO, "gift": ZERO}
    for per_union in _visit_amounts(ids, year).values():
        money = {k: money[k] + per_union[k] for k in money}
    tasks = VisitTask.objects.filter(union_id__in=ids, status=VisitTask.Status.OPEN).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    return CareFigures(
        year=year,
        visits=sum(k.visits for k in by_kind),
        households=visits.values("member").distinct().count(),
        amount=money["amount"],
        cash=money["cash"],
        gift_value=money["gift"],
        by_kind=by_kind,
        by_month=months,
        open_tasks=tasks["open"],
        overdue_tasks=tasks["overdue"],
    )


def chart_data(figures: CareFigures) -> dict:
    """The page's ECharts specs (static/js/charts.js): visits by month and by occasion."""
    return {
        "months": {
            "type": "bar",
            "data": [{"name": f"{i + 1}月", "value": n} for i, n in enumerate(figures.by_month)],
        },
        "kinds": {
            "type": "pie",
            "data": [{"name": k.label, "value": k.visits} for k in figures.by_kind],
        },
    }


@dataclass(frozen=True)
class UnionRow:
    union: OrgUnit
    visits: int
    households: int
    amount: Decimal
    overdue_tasks: int


def union_rows(unions: list[OrgUnit], year: int, *, today: date) -> list[UnionRow]:
    """Counts and amounts per union, for upper federations: no names, a few queries."""
    ids = [u.pk for u in unions]
    visits = {
        r["union_id"]: (r["n"], r["households"])
        for r in Visit.objects.filter(union_id__in=ids, visited_on__year=year)
        .values("union_id")
        .annotate(n=Count("pk"), households=Count("member", distinct=True))
    }
    money = _visit_amounts(ids, year)
    overdue = dict(
        VisitTask.objects.filter(union_id__in=ids, status=VisitTask.Status.OPEN, due_on__lt=today)
        .values("union_id")
        .annotate(n=Count("pk"))
        .values_list("union_id", "n")
    )
    return [
        UnionRow(
            u,
            *visits.get(u.pk, (0, 0)),
            money.get(u.pk, {}).get("amount", ZERO),
            overdue.get(u.pk, 0),
        )
        for u in unions
    ]


@dataclass(frozen=True)
class SubtreeTotals:
    visits: int
    households: int
    amount: Decimal
    overdue_tasks: int
    unions: int  # unions counted; 0 below a union


def subtree_totals(unit: OrgUnit, year: int, *, today: date) -> SubtreeTotals:
    """Counts and amounts of ``unit`` and everything below it, without names (for readers
    of statistics only). A federation or a union adds up its unions' rows as the upper-union
    page shows them; a branch union or a group counts the visits to the members placed in
    it, as ``care_figures`` counts a union's (amount net of corrections)."""
    unions = list(
        OrgUnit.objects.filter(
            path__startswith=unit.path, kind__in=UNION_KINDS, archived_at__isnull=True
        )
    )
    if unions:
        rows = union_rows(unions, year, today=today)
        return SubtreeTotals(
            sum(r.visits for r in rows),
            sum(r.households for r in rows),
            sum((r.amount for r in rows), ZERO),
            sum(r.overdue_tasks for r in rows),
            len(rows),
        )
    placed = {"member__unit__path__startswith": unit.path}
    visits = Visit.objects.filter(visited_on__year=year, **placed).aggregate(
        n=Count("pk"), households=Count("member", distinct=True)
    )
    payments = CarePayment.objects.filter(source=CarePayment.Source.VISIT, year=year, **placed)
    corrections = CarePayment.objects.filter(
        source=CarePayment.Source.CORRECTION, source_id__in=payments.values("pk")
    )
    amount = (payments.aggregate(s=Sum("amount"))["s"] or ZERO) + (
        corrections.aggregate(s=Sum("amount"))["s"] or ZERO
    )
    overdue = VisitTask.objects.filter(
        status=VisitTask.Status.OPEN,
        due_on__lt=today,
        event__member__unit__path__startswith=unit.path,
    ).count()
    return SubtreeTotals(visits["n"], visits["households"], rules.yuan(amount), overdue, 0)


# ---- one member's history --------------------------------------------------------------


@dataclass(frozen=True)
class CapUse:
    item: str
    label: str
    spent: Decimal
    cap: Decimal | None
    room: Decimal | None


@dataclass
class CareHistory:
    member: Member
    events: list[LifeEvent]
    visits: list[Visit]
    payments: list[CarePayment]
    cap_use: list[CapUse] = field(default_factory=list)


def cap_use(member: Member, year: int, items: Iterable[str] | None = None) -> list[CapUse]:
    """What the member has received this year per item against the cap in force; items
    without a cap and without payments are left out."""
    wanted = list(items) if items is not None else list(CapItem.values)
    spent = dict(
        CarePayment.objects.filter(member=member, year=year, cap_item__in=wanted)
        .values("cap_item")
        .annotate(s=Sum("amount"))
        .values_list("cap_item", "s")
    )
    labels = dict(CapItem.choices)
    out = []
    for item in wanted:
        cap = ledger.cap_for(member.union, item, year)
        given = rules.yuan(spent.get(item) or 0)
        if cap is None and not given and items is None:
            continue
        room = max(cap - given, ZERO) if cap is not None else None
        out.append(CapUse(item, str(labels[item]), given, cap, room))
    return out


def care_history(member: Member, year: int, *, include_aid: bool) -> CareHistory:
    """Events (with their tasks), visits (with photos) and payments of one member. Hardship
    aid payments are left out unless the reader may see hardship files: that a member
    receives aid is itself hardship data."""
    events = list(
        LifeEvent.objects.filter(member=member)
        .select_related("task", "reported_by")
        .order_by("-occurred_on", "-pk")
    )
    visits = list(
        Visit.objects.filter(member=member)
        .select_related("task__event")
        .prefetch_related("photos")
        .order_by("-visited_on", "-pk")
    )
    payments_qs = CarePayment.objects.filter(member=member).order_by("-paid_on", "-pk")
    uses = cap_use(member, year)
    if not include_aid:
        aid = payments_qs.filter(source=CarePayment.Source.AID)
        payments_qs = payments_qs.exclude(source=CarePayment.Source.AID).exclude(
            source=CarePayment.Source.CORRECTION, source_id__in=aid.values("pk")
        )
        uses = [u for u in uses if u.item != CapItem.HARDSHIP]
    return CareHistory(
        member=member,
        events=events,
        visits=visits,
        payments=list(payments_qs.select_related("recorded_by")),
        cap_use=uses,
    )
