"""Membership statistics of a unit's subtree, for the dashboard and the annual summary.

Every figure is an aggregate query (COUNT with FILTER / GROUP BY) over active members (在册)
whose unit lies in the subtree, so the cost does not grow with the number of groups:
four queries whatever the size of the tree. Nothing here returns an individual record;
upper-union officers see these figures and no names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import TypedDict

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gonghui.core import rules
from gonghui.core.models import UNION_KINDS, OrgUnit

from .models import EmploymentType, Member, MemberStatus, WorkStatus


class _UnitCount(TypedDict):
    """Members and women of one unit, with the union it lies in."""

    unit_id: int
    union_id: int
    n: int
    women: int


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class UnionRow:
    """One union of the subtree, for the table upper-union officers read."""

    unit: OrgUnit
    members: int
    women: int
    staff: int | None
    rate: Fraction | None

    @property
    def rate_text(self) -> str:
        return rules.percent(self.rate)


@dataclass(frozen=True)
class UnitStats:
    unit: OrgUnit
    today: date
    total: int
    women: int
    retirees: int
    young: int  # under rules.YOUNG_STAFF_AGE
    model_workers: int
    new_this_year: int
    by_group: list[Bucket]
    by_gender: list[Bucket]
    by_age_band: list[Bucket]
    by_employment: list[Bucket]
    staff: int | None  # staff of the unions with a known staff count
    enrolment_rate: Fraction | None
    unions: list[UnionRow] = field(default_factory=list)

    @property
    def enrolment_text(self) -> str:
        return rules.percent(self.enrolment_rate)


def active_members(unit: OrgUnit) -> QuerySet[Member]:
    """Active members whose unit lies in ``unit``'s subtree (any depth)."""
    return Member.objects.filter(status=MemberStatus.ACTIVE, unit__path__startswith=unit.path)


def _age_filter(low: int, high: int, today: date) -> Q:
    earliest, latest = rules.birth_date_bounds_for_age(low, high, today)
    return Q(person__birth_date__gte=earliest, person__birth_date__lte=latest)


def unit_stats(unit: OrgUnit, *, today: date) -> UnitStats:
    """All dashboard figures for ``unit``'s subtree on ``today``."""
    members = active_members(unit)

    # 1. The headline figures, one row of conditional counts.
    band_names = {label: f"age_{i}" for i, (label, _low, _high) in enumerate(rules.AGE_BANDS)}
    aggregates = {
        "total": Count("id"),
        "women": Count("id", filter=Q(person__gender="F")),
        "men": Count("id", filter=Q(person__gender="M")),
        "retirees": Count("id", filter=Q(work_status=WorkStatus.RETIRED)),
        "young": Count("id", filter=_age_filter(0, rules.YOUNG_STAFF_AGE, today)),
        "model_workers": Count("id", filter=Q(is_model_worker=True)),
        "new_this_year": Count(
            "id",
            filter=Q(
                joined_on__gte=date(today.year, 1, 1), joined_on__lte=date(today.year, 12, 31)
            ),
        ),
    }
    for label, low, high in rules.AGE_BANDS:
        aggregates[band_names[label]] = Count("id", filter=_age_filter(low, high, today))
    head = members.aggregate(**aggregates)

    # 2. By employment type.
    employment = {
        r["employment_type"]: r["n"]
        for r in members.values("employment_type").annotate(n=Count("id")).order_by()
    }

    # 3. Members and women per (unit, union), rolled up below into groups and unions.
    per_unit: list[_UnitCount] = list(
        members.values("unit_id", "union_id")
        .annotate(n=Count("id"), women=Count("id", filter=Q(person__gender="F")))
        .order_by()
    )

    # 4. The subtree's units, for labels, the roll-up and staff counts.
    units = {
        u.pk: u
        for u in OrgUnit.objects.filter(path__startswith=unit.path).only(
            "pk",
            "name",
            "short_name",
            "kind",
            "path",
            "depth",
            "parent_id",
            "staff_count",
            "archived_at",
            "sort_order",
            "code",
        )
    }

    total = head["total"]
    by_gender = [
        Bucket("F", _("Female"), head["women"]),
        Bucket("M", _("Male"), head["men"]),
    ]
    unknown_gender = total - head["women"] - head["men"]
    if unknown_gender:
        by_gender.append(Bucket("", _("Unknown"), unknown_gender))

    by_age = [Bucket(label, label, head[band_names[label]]) for label, _l, _h in rules.AGE_BANDS]
    unknown_age = total - sum(b.count for b in by_age)
    if unknown_age:
        by_age.append(Bucket("", _("Unknown"), unknown_age))

    by_employment = [
        Bucket(value, str(label), employment.get(value, 0))
        for value, label in EmploymentType.choices
        if employment.get(value)
    ]

    by_group = _by_child(unit, units, per_unit)
    unions, staff, rate = _unions(unit, units, per_unit)
    return UnitStats(
        unit=unit,
        today=today,
        total=total,
        women=head["women"],
        retirees=head["retirees"],
        young=head["young"],
        model_workers=head["model_workers"],
        new_this_year=head["new_this_year"],
        by_group=by_group,
        by_gender=by_gender,
        by_age_band=by_age,
        by_employment=by_employment,
        staff=staff,
        enrolment_rate=rate,
        unions=unions,
    )


def _by_child(unit: OrgUnit, units: dict[int, OrgUnit], per_unit: list[_UnitCount]) -> list[Bucket]:
    """Members per direct child of ``unit`` (its union groups, branches or unions);
    members placed on ``unit`` itself form their own bucket."""
    counts: dict[int, int] = {}
    prefix = len(unit.path)
    for row in per_unit:
        u = units.get(row["unit_id"])
        if u is None:
            continue
        head = u.path[prefix:].split("/", 1)[0]
        key = int(head) if head else unit.pk
        counts[key] = counts.get(key, 0) + row["n"]
    children = sorted(
        (u for u in units.values() if u.parent_id == unit.pk and u.archived_at is None),
        key=lambda u: (u.sort_order, u.name),
    )
    buckets = [Bucket(str(c.pk), c.short_name or c.name, counts.get(c.pk, 0)) for c in children]
    # Archived children that still hold members are shown too, so the figures add up.
    shown = {c.pk for c in children}
    for key, n in counts.items():
        if key != unit.pk and key not in shown and n:
            buckets.append(Bucket(str(key), units[key].name, n))
    if counts.get(unit.pk):
        buckets.append(Bucket(str(unit.pk), _("Not in a group"), counts[unit.pk]))
    return buckets


def _unions(
    unit: OrgUnit, units: dict[int, OrgUnit], per_unit: list[_UnitCount]
) -> tuple[list[UnionRow], int | None, Fraction | None]:
    """Each union of the subtree with its members, women and enrolment rate, and the
    enrolment rate of the whole subtree over the unions whose staff count is known."""
    members: dict[int, int] = {}
    women: dict[int, int] = {}
    for row in per_unit:
        members[row["union_id"]] = members.get(row["union_id"], 0) + row["n"]
        women[row["union_id"]] = women.get(row["union_id"], 0) + row["women"]
    rows = []
    for u in sorted(units.values(), key=lambda u: u.path):
        if u.kind not in UNION_KINDS or (u.archived_at is not None and not members.get(u.pk)):
            continue
        n = members.get(u.pk, 0)
        rows.append(
            UnionRow(
                unit=u,
                members=n,
                women=women.get(u.pk, 0),
                staff=u.staff_count,
                rate=rules.rate(n, u.staff_count) if u.staff_count else None,
            )
        )
    known = [r for r in rows if r.staff]
    if not known:
        return rows, None, None
    staff = sum(r.staff or 0 for r in known)
    return rows, staff, rules.rate(sum(r.members for r in known), staff)


def chart_data(stats: UnitStats) -> dict[str, dict]:
    """What charts.js draws: one entry per chart, labels and values only."""

    def series(buckets: list[Bucket]) -> list[dict]:
        return [{"name": b.label, "value": b.count} for b in buckets]

    return {
        "group": {"type": "bar", "data": series(stats.by_group)},
        "gender": {"type": "pie", "data": series(stats.by_gender)},
        "age": {"type": "bar", "data": series(stats.by_age_band)},
        "employment": {"type": "pie", "data": series(stats.by_employment)},
    }
